import type { Deps } from '../../deps.js';
import type { EnvironmentRecord, Operation } from '../../domain/environment.js';
import { buildPlan, isLookup } from '../../domain/plan/index.js';
import type { Plan } from '../../domain/plan/types.js';
import type { NormalisedSpec } from '../../domain/spec.js';

/** The full plan of the operation's kind (create, update or delete) for this environment. */
export function planFor(deps: Pick<Deps, 'google' | 'apiBase'>, record: EnvironmentRecord, operation: Pick<Operation, 'target' | 'includeBootstrap' | 'purgeData' | 'update'> | undefined = record.operation): Plan {
  // A record holds the spec its create (or a PATCH) normalised; the stored schema cannot say so.
  return buildPlan(record.spec as NormalisedSpec, {
    kind: operation?.target ?? 'create',
    ...(operation?.update && { update: operation.update }),
    apis: deps.google.apis(),
    apiBase: deps.apiBase(),
    environmentId: record.id,
    workflowServiceAccount: deps.google.workflowServiceAccount,
    serviceAccount: deps.google.serviceAccount,
    includeBootstrap: operation?.includeBootstrap ?? false,
    purgeData: operation?.purgeData ?? false,
  });
}

/**
 * The plan without the steps this kind of operation already completed (what a retry resumes).
 * Lookups stay: they change nothing and later steps need the values they capture.
 */
export function remainingPlan(plan: Plan, done: ReadonlySet<string>): Plan {
  const lookups = new Set(plan.steps.filter(isLookup).map((s) => s.id));
  const keep = (id: string) => !done.has(id) || lookups.has(id);
  return {
    ...plan,
    steps: plan.steps.filter((s) => keep(s.id)).map((s) => ({ ...s, after: s.after.filter(keep) })),
    schedule: plan.schedule
      .map((phase) => phase.map((lane) => lane.map((wave) => wave.filter(keep)).filter((w) => w.length)).filter((l) => l.length))
      .filter((p) => p.length),
  };
}
