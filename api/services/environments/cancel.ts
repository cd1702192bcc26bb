import type { EnvironmentRecord } from '../../domain/environment.js';
import { DomainError } from '../../domain/errors.js';
import { endOperation } from '../../domain/operations.js';
import { ExecutionNotFoundError } from '../../engine/port.js';
import { verb } from '../context.js';
import { commit } from '../common/commit.js';
import { expectedVersion } from '../common/view.js';
import { visibleEnvironment } from '../common/visible.js';

/**
 * Cancels the running operation's execution. The environment becomes FAILED (never a silent half
 * state) and can be retried or deleted; reports the cancelled execution still sends are ignored.
 * An execution the engine no longer knows (the local engine after a restart) has ended already:
 * the operation is settled here, with code INTERRUPTED saying so.
 */
export const cancelOperation = verb(async (deps, ctx, input: { id: string; ifMatch?: string }): Promise<EnvironmentRecord> => {
  const before = await visibleEnvironment(deps, ctx, input.id);
  expectedVersion(before, input.ifMatch);
  const op = before.operation;
  if (op?.state !== 'RUNNING') throw new DomainError('FAILED_PRECONDITION', `environment ${before.id} has no running operation to cancel`);
  let error = { code: 'CANCELLED', message: 'cancelled on request' };
  if (op.executionName) {
    try {
      await deps.engine.cancel(op.executionName);
    } catch (e) {
      if (!(e instanceof ExecutionNotFoundError)) throw e;
      error = { code: 'INTERRUPTED', message: 'cancelled on request; the workflow execution had already stopped (the service restarted)' };
    }
  }
  // Reports of the execution may land while it is being cancelled: the transaction checks the
  // operation, not the version the caller saw (If-Match was checked on the state it decided on).
  const { record } = await commit(deps, ctx, input.id, (current) =>
    current.operation?.id === op.id ? endOperation(current, 'CANCELLED', deps.now().toISOString(), error) : { record: null });
  return record;
});
