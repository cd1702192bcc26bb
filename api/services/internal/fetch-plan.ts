import { DomainError, notFound } from '../../domain/errors.js';
import type { Plan } from '../../domain/plan/types.js';
import { verb } from '../context.js';
import { planFor, remainingPlan } from '../common/plan-for.js';

/** The plan an execution runs: its operation's plan minus the steps that kind of operation already did. */
export const fetchExecutionPlan = verb(async (deps, _ctx, input: { id: string; operationId: string }): Promise<Plan> => {
  const record = await deps.store.get(input.id);
  if (!record) throw notFound(`environment ${input.id}`);
  const op = record.operation;
  if (op?.id !== input.operationId || op.state !== 'RUNNING') {
    // The execution belongs to a cancelled or superseded operation: it must stop.
    throw new DomainError('FAILED_PRECONDITION', `operation ${input.operationId} is not the running operation of ${record.id}`);
  }
  const progress = record.progress[op.target];
  const done = new Set(Object.keys(progress).filter((id) => progress[id]!.state === 'SUCCEEDED'));
  return remainingPlan(planFor(deps, record), done);
});
