import type { EnvironmentRecord } from '../../domain/environment.js';
import { DomainError } from '../../domain/errors.js';
import { beginOperation, endOperation } from '../../domain/operations.js';
import { preflightError, preflightEvent, preflightRefusal } from '../../domain/quota/outcome.js';
import type { PreflightResult } from '../../domain/quota/schemas.js';
import type { NormalisedSpec } from '../../domain/spec.js';
import { retryCommand } from '../../domain/state-machine.js';
import { verb } from '../context.js';
import { commit } from '../common/commit.js';
import { launchExecution } from '../common/launch.js';
import { preflight } from '../common/preflight.js';
import { expectedVersion } from '../common/view.js';
import { visibleEnvironment } from '../common/visible.js';

/**
 * Resumes a FAILED environment's last operation (create or delete) from the steps not yet done:
 * the plan the workflow fetches leaves out every step this kind of operation already completed.
 * A create runs the quota preflight again first, for what is left to create.
 */
export const retryEnvironment = verb(async (deps, ctx, input: { id: string; ifMatch?: string }): Promise<EnvironmentRecord> => {
  const before = await visibleEnvironment(deps, ctx, input.id);
  const version = expectedVersion(before, input.ifMatch);
  const checked = before.operation?.target === 'create'
    // A record holds the spec its create normalised (create.ts); the stored schema cannot say so.
    ? await preflight(deps, ctx, before.spec as NormalisedSpec, doneSteps(before))
    : undefined;
  const time = deps.now().toISOString();
  const operationId = deps.newId('op');
  const error = checked && preflightError(checked);
  const { record } = await commit(deps, ctx, input.id, (current) => {
    const last = current.operation;
    if (!last) throw new DomainError('FAILED_PRECONDITION', `environment ${current.id} has no operation to retry`);
    const begun = beginOperation(current, {
      id: operationId, kind: 'retry', target: last.target, command: retryCommand(last.target), time,
      busyAdvice: 'wait for it or cancel it', message: `retry of the ${last.target} operation started`,
      // A resumed delete decides about the bootstrap again, when its resources are gone.
      ...(last.target === 'delete' && { deleteBootstrap: last.deleteBootstrap ?? false, includeBootstrap: false }),
      ...(last.purgeData !== undefined && { purgeData: last.purgeData }),
    });
    // A retried update runs the same plan: the same base, towards the same spec.
    if (last.target === 'update') {
      begun.record = { ...begun.record, operation: { ...begun.record.operation!, ...(last.update && { update: last.update }), ...(last.specHash && { specHash: last.specHash }) } };
    }
    if (!checked) return begun;
    const events = [...begun.events, preflightEvent(checked, operationId, time)];
    if (!error) return { record: begun.record, events };
    const failed = endOperation(begun.record, 'FAILED', time, error);
    return { record: failed.record, events: [...events, ...failed.events] };
  }, { expectedVersion: version });
  if (error) throw preflightRefusal(record.id, checked as PreflightResult, error.message);
  return launchExecution(deps, ctx, record);
});

/** Steps the create already completed: their resources count in the usage Google reports. */
const doneSteps = (record: EnvironmentRecord): Set<string> =>
  new Set(Object.entries(record.progress.create).filter(([, p]) => p.state === 'SUCCEEDED').map(([id]) => id));
