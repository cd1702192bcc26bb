import type { Deps } from '../deps.js';
import type { EnvironmentRecord } from '../domain/environment.js';
import { DomainError, operationInProgress } from '../domain/errors.js';
import { retryTarget } from '../domain/state-machine.js';
import type { Principal } from '../http/auth.js';
import { getEnvironment } from './get-environment.js';
import { startOperation } from './start-operation.js';

/**
 * Resumes a FAILED environment's last operation (create or delete) from the steps not yet done:
 * the plan the workflow fetches leaves out every step this kind of operation already completed.
 */
export async function retryEnvironment(
  deps: Pick<Deps, 'store' | 'engine' | 'now' | 'newId' | 'apiBase' | 'logger' | 'auth' | 'google'>,
  input: { id: string; principal: Principal },
): Promise<EnvironmentRecord> {
  await getEnvironment(deps, input.id, input.principal);
  const time = deps.now().toISOString();
  const operationId = deps.newId('op');
  const { record } = await deps.store.update(input.id, (current) => {
    const last = current.operation;
    if (last?.state === 'RUNNING') {
      throw operationInProgress(last, 'wait for it or cancel it');
    }
    if (current.state !== 'FAILED' || !last) {
      throw new DomainError('FAILED_PRECONDITION', `environment ${current.id} is ${current.state}; only a FAILED environment can be retried`);
    }
    return {
      record: {
        ...current,
        state: retryTarget(last.target),
        operation: {
          id: operationId, kind: 'retry', target: last.target, state: 'RUNNING', startTime: time,
          ...(last.deleteBootstrap !== undefined && { deleteBootstrap: last.deleteBootstrap }),
          ...(last.includeBootstrap !== undefined && { includeBootstrap: last.includeBootstrap }),
        },
      },
      events: [{ time, type: 'operation.started', operationId, message: `retry of the ${last.target} operation started` }],
    };
  });
  return startOperation(deps, record);
}
