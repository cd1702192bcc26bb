import type { Deps } from '../deps.js';
import type { EnvironmentRecord } from '../domain/environment.js';
import { DomainError } from '../domain/errors.js';
import { endOperation } from '../domain/progress.js';
import type { Principal } from '../http/auth.js';
import { getEnvironment } from './get-environment.js';

/**
 * Cancels the running operation's execution. The environment becomes FAILED (never a silent half
 * state) and can be retried or deleted; reports the cancelled execution still sends are ignored.
 */
export async function cancelOperation(
  deps: Pick<Deps, 'store' | 'engine' | 'now' | 'auth'>,
  input: { id: string; principal: Principal; reason?: string },
): Promise<EnvironmentRecord> {
  const before = await getEnvironment(deps, input.id, input.principal);
  const op = before.operation;
  if (op?.state !== 'RUNNING') throw new DomainError('FAILED_PRECONDITION', `environment ${before.id} has no running operation to cancel`);
  if (op.executionName) await deps.engine.cancel(op.executionName);
  const { record } = await deps.store.update(input.id, (current) => {
    if (current.operation?.id !== op.id || current.operation.state !== 'RUNNING') return { record: null };
    return endOperation(current, 'CANCELLED', deps.now().toISOString(), { code: 'CANCELLED', message: input.reason ?? 'cancelled on request' });
  });
  return record;
}
