import type { Deps } from '../../deps.js';
import type { EnvironmentRecord } from '../../domain/environment.js';
import { validationFailed, type FieldError } from '../../domain/errors.js';
import { nameConflicts } from '../../domain/naming.js';
import { newEnvironment } from '../../domain/new-environment.js';
import { buildPlan, planSizeProblem } from '../../domain/plan/index.js';
import type { Plan } from '../../domain/plan/types.js';
import { redactUrl } from '../../domain/notifications/targets.js';
import type { NormalisedSpec } from '../../domain/spec.js';
import { parseSpec } from '../../domain/validate.js';
import { verb, type ServiceContext } from '../context.js';
import { commitNew } from '../shared/commit.js';
import { launchExecution } from '../shared/launch.js';

/**
 * Steps 1 and 2 of a create: authorize on the project the body names (before anything else, so a
 * caller denied the project learns nothing from validation feedback), then parse and validate.
 */
function authorizedSpec(deps: Deps, ctx: ServiceContext, body: unknown): NormalisedSpec {
  const project = body && typeof body === 'object' ? (body as { project?: unknown }).project : undefined;
  if (typeof project === 'string') deps.auth.policy.assertProject(ctx.principal, project);
  const parsed = parseSpec(body);
  if (!parsed.ok) throw validationFailed(parsed.errors);
  deps.auth.policy.assertProject(ctx.principal, parsed.spec.project);
  return parsed.spec;
}

/**
 * Every notification URL is checked as the sender will check it (its form, then every address its
 * host resolves to): one 422 entry per refused target, naming the rule, never the URL.
 */
async function checkTargets(deps: Deps, spec: NormalisedSpec): Promise<void> {
  const problems = await Promise.all(spec.notifications.map((target) => deps.notify.problemWith(target.type, target.url)));
  const errors = problems.flatMap((message, i): FieldError[] => (message ? [{ path: `$.notifications[${i}].url`, message }] : []));
  if (errors.length) throw validationFailed(errors);
}

/** The spec as it may be stored and shown: notification URLs redacted, no secrets (they are sealed in the record). */
const storableSpec = (spec: NormalisedSpec): NormalisedSpec => ({
  ...spec,
  notifications: spec.notifications.map(({ type, url, events }) => ({ type, url: redactUrl(url), events })),
});

/**
 * The names the spec's resources take must not be another live environment's in the project
 * (a 422 at each field that sets one): no environment may adopt, and later delete, another's
 * resource. Two creates racing for one name both pass this check; the workflow's ownership marks
 * stop the second at the resource itself.
 */
async function checkNames(deps: Deps, spec: NormalisedSpec): Promise<void> {
  const ids = await deps.store.liveEnvironmentIdsInProject(spec.project);
  const others = (await Promise.all(ids.map((id) => deps.store.get(id)))).filter((r): r is EnvironmentRecord => r !== null && r.name !== spec.name);
  const errors = nameConflicts(spec, others);
  if (errors.length) throw validationFailed(errors);
}

/** The create plan of a spec (before an id is assigned, the preview shows a placeholder); 422 when it is too large to run. */
function createPlan(deps: Deps, spec: NormalisedSpec, environmentId: string): Plan {
  const plan = buildPlan(spec, {
    kind: 'create', apis: deps.google.apis(), apiBase: deps.apiBase(), environmentId,
    workflowServiceAccount: deps.google.workflowServiceAccount, includeBootstrap: true,
  });
  const tooLarge = planSizeProblem(plan);
  if (tooLarge) throw validationFailed([{ path: '$', message: tooLarge }]);
  return plan;
}

/** `validateOnly`: the normalised spec and the plan a create would run; nothing is recorded. */
export const previewEnvironment = verb(async (deps, ctx, input: { body: unknown }): Promise<{ spec: NormalisedSpec; plan: Plan }> => {
  const spec = authorizedSpec(deps, ctx, input.body);
  await checkTargets(deps, spec);
  await checkNames(deps, spec);
  return { spec: storableSpec(spec), plan: createPlan(deps, spec, 'env-assigned-on-create') };
});

/**
 * Records the environment with its create operation, then starts the workflow (DESIGN §4).
 * `secrets`: the webhook targets' signing secrets (by target id), for the create response only.
 */
export const createEnvironment = verb(async (deps, ctx, input: { body: unknown }): Promise<{ record: EnvironmentRecord; secrets: Record<string, string> }> => {
  const spec = authorizedSpec(deps, ctx, input.body);
  await checkTargets(deps, spec);
  await checkNames(deps, spec);
  const time = deps.now().toISOString();
  const id = deps.newId('env');
  const { targets, secrets } = deps.notify.seal(spec.notifications);
  const { record, events } = newEnvironment(storableSpec(spec), {
    id, operationId: deps.newId('op'), time, createdBy: ctx.principal.id, plan: createPlan(deps, spec, id), notifications: targets,
  });
  return { record: await launchExecution(deps, ctx, await commitNew(deps, ctx, record, events)), secrets };
});
