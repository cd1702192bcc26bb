import type { EnvironmentRecord, UpdateBase } from '../environment.js';
import { leftoverStepId, resourceStepId } from '../plan/update.js';
import type { Plan, PlanStep } from '../plan/types.js';

/**
 * What the next update converges from (environment.ts `UpdateBase`), from the record as the last
 * operation left it. `plans.current` is the last operation's plan; `plans.create` the create plan of
 * the record's spec (its step ids are the resources that spec has).
 *
 * - the last create or update succeeded (or there was none): the spec, every resource known;
 * - a create failed or was cancelled: the steps it did not finish are pending;
 * - an update failed or was cancelled: its own base carries on — what it did not finish is
 *   pending, and what it was deleting (removed or replaced resources of its base's spec) is left
 *   over, to be deleted unless the next spec wants it.
 */
export function nextUpdateBase(record: EnvironmentRecord, plans: { current: () => Plan; create: () => Plan }): Omit<UpdateBase, 'replacements'> {
  const op = record.operation;
  const spec = record.spec;
  if (!op || op.state === 'SUCCEEDED' || op.state === 'RUNNING') return { spec, pending: [], leftovers: [] };
  const done = (progress: Record<string, { state: string }>, step: PlanStep) => progress[step.id]?.state === 'SUCCEEDED';
  if (op.target === 'create') {
    return { spec, pending: plans.current().steps.filter((s) => !done(record.progress.create, s)).map((s) => s.id), leftovers: [] };
  }
  if (op.target !== 'update' || !op.update) throw new Error(`environment ${record.id}: a ${op.target} cannot be followed by an update`);
  const last = op.update;
  const progress = record.progress.update;
  const unfinished = plans.current().steps.filter((s) => !done(progress, s));
  const resources = new Set(plans.create().steps.map((s) => s.id));
  const pending = [...new Set([...last.pending, ...unfinished.map((s) => resourceStepId(s.id))])].filter((id) => resources.has(id));
  // Deletes it did not finish: of resources its spec no longer had, or replaced ones (under their old name).
  const deleting = unfinished.filter(isDelete).filter((s) => !s.id.includes(':leftover')).map((s) => resourceStepId(s.id));
  const leftovers = last.leftovers
    .map((l, i) => ({ spec: l.spec, steps: l.steps.filter((id) => progress[leftoverStepId(id, i)]?.state !== 'SUCCEEDED') }))
    .filter((l) => l.steps.length);
  if (deleting.length) leftovers.push({ spec: last.spec, steps: [...new Set(deleting)] });
  return { spec, pending, leftovers };
}

const isDelete = (step: PlanStep) => step.kind === 'resource' && !!step.delete;
