import type { Deps } from '../../deps.js';
import type { EnvironmentRecord } from '../../domain/environment.js';
import { estimateCost } from '../../domain/cost/estimate.js';
import type { CostEstimate } from '../../domain/cost/schemas.js';
import { validationFailed, type FieldError } from '../../domain/errors.js';
import { resolveExpiry } from '../../domain/expiry.js';
import { nameConflicts } from '../../domain/naming.js';
import { newEnvironment } from '../../domain/new-environment.js';
import { endOperation } from '../../domain/operations.js';
import { preflightError, preflightEvent, preflightRefusal } from '../../domain/quota/outcome.js';
import type { PreflightResult } from '../../domain/quota/schemas.js';
import { buildPlan, planSizeProblem } from '../../domain/plan/index.js';
import type { Plan } from '../../domain/plan/types.js';
import { redactUrl } from '../../domain/notifications/targets.js';
import type { NormalisedSpec } from '../../domain/spec.js';
import { parseSpec } from '../../domain/validate.js';
import { verb, type ServiceContext } from '../context.js';
import { commitNew } from '../common/commit.js';
import { launchExecution } from '../common/launch.js';
import { preflight } from '../common/preflight.js';

/**
 * Steps 1 and 2 of a create: authorize on the project the body names (before anything else, so a
 * caller denied the project learns nothing from validation feedback), then parse and validate —
 * the expiry against the service's default and maximum TTL included.
 */
function authorizedSpec(deps: Deps, ctx: ServiceContext, body: unknown, now: Date): { spec: NormalisedSpec; expireTime?: string } {
  const project = body && typeof body === 'object' ? (body as { project?: unknown }).project : undefined;
  if (typeof project === 'string') deps.auth.policy.assertProject(ctx.principal, project);
  const parsed = parseSpec(body);
  if (!parsed.ok) throw validationFailed(parsed.errors);
  deps.auth.policy.assertProject(ctx.principal, parsed.spec.project);
  const expiry = resolveExpiry(parsed.spec, now, deps.expiry);
  if (expiry.errors.length) throw validationFailed(expiry.errors);
  return { spec: parsed.spec, ...(expiry.expireTime && { expireTime: expiry.expireTime }) };
}

/**
 * Every notification URL is checked as the sender will check it (its form, then every address its
 * host resolves to): one 422 entry per refused target, naming the rule, never the URL.
 */
export async function checkTargets(deps: Deps, spec: NormalisedSpec): Promise<void> {
  const problems = await Promise.all(spec.notifications.map((target) => deps.notify.problemWith(target.type, target.url)));
  const errors = problems.flatMap((message, i): FieldError[] => (message ? [{ path: `$.notifications[${i}].url`, message }] : []));
  if (errors.length) throw validationFailed(errors);
}

/** The spec as it may be stored and shown: notification URLs redacted, no secrets (they are sealed in the record). */
export const storableSpec = (spec: NormalisedSpec): NormalisedSpec => ({
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
    workflowServiceAccount: deps.google.workflowServiceAccount, serviceAccount: deps.google.serviceAccount, includeBootstrap: true, purgeData: false,
  });
  const tooLarge = planSizeProblem(plan);
  if (tooLarge) throw validationFailed([{ path: '$', message: tooLarge }]);
  return plan;
}

/**
 * `validateOnly`: the normalised spec, the plan a create would run, what it would cost, and the
 * quota preflight a create would run (or why it could not); nothing is recorded.
 */
export const previewEnvironment = verb(async (deps, ctx, input: { body: unknown }): Promise<{ spec: NormalisedSpec; expireTime?: string; plan: Plan; estimate: CostEstimate; preflight: PreflightResult }> => {
  const { spec, expireTime } = authorizedSpec(deps, ctx, input.body, deps.now());
  await checkTargets(deps, spec);
  await checkNames(deps, spec);
  return {
    spec: storableSpec(spec), ...(expireTime && { expireTime }), plan: createPlan(deps, spec, 'env-assigned-on-create'),
    estimate: estimateCost(spec, deps.prices()), preflight: await preflight(deps, ctx, spec),
  };
});

/**
 * Records the environment with its create operation, then starts the workflow (DESIGN §4).
 * `secrets`: the webhook targets' signing secrets (by target id), for the create response only.
 * The quota preflight is the operation's first step: a shortfall records the operation FAILED
 * before any execution starts or resource exists, and answers 409 QUOTA_EXCEEDED (a retry checks
 * again).
 */
export const createEnvironment = verb(async (deps, ctx, input: { body: unknown }): Promise<{ record: EnvironmentRecord; secrets: Record<string, string> }> => {
  // One instant for the creation and the expiry it is counted from.
  const now = deps.now();
  const { spec, expireTime } = authorizedSpec(deps, ctx, input.body, now);
  await checkTargets(deps, spec);
  await checkNames(deps, spec);
  const checked = await preflight(deps, ctx, spec);
  const time = now.toISOString();
  const id = deps.newId('env');
  const operationId = deps.newId('op');
  const { targets, secrets } = deps.notify.seal(spec.notifications);
  const { record, events } = newEnvironment(storableSpec(spec), {
    id, operationId, time, createdBy: ctx.principal.id, plan: createPlan(deps, spec, id), notifications: targets, expireTime,
  });
  events.push(preflightEvent(checked, operationId, time));
  const error = preflightError(checked);
  if (!error) return { record: await launchExecution(deps, ctx, await commitNew(deps, ctx, record, events)), secrets };
  const failed = endOperation(record, 'FAILED', time, error);
  await commitNew(deps, ctx, failed.record, [...events, ...failed.events]);
  throw preflightRefusal(id, checked, error.message);
});
