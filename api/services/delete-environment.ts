import type { Deps } from '../deps.js';
import type { EnvironmentRecord, NewEvent } from '../domain/environment.js';
import { DomainError } from '../domain/errors.js';
import { nextEnvironmentState } from '../domain/state-machine.js';
import type { Principal } from '../http/auth.js';
import { getEnvironment } from './get-environment.js';
import { startOperation } from './start-operation.js';

export interface DeleteInput {
  id: string;
  principal: Principal;
  /** Cancel a running operation first instead of answering 409. */
  force: boolean;
  /** Also remove the project's bootstrap resources when no other live environment uses them. */
  deleteBootstrap: boolean;
}

/**
 * Starts the delete operation (the reverse plan). Every check runs again inside the store
 * transaction, so two concurrent deletes cannot both start.
 */
export async function deleteEnvironment(
  deps: Pick<Deps, 'store' | 'engine' | 'now' | 'newId' | 'apiBase' | 'logger' | 'auth'>,
  input: DeleteInput,
): Promise<EnvironmentRecord> {
  const before = await getEnvironment(deps, input.id, input.principal);
  const running = before.operation?.state === 'RUNNING' ? before.operation : undefined;
  if (running && input.force && running.executionName) {
    // Cancel outside the transaction (it is a remote call); the transaction below records it.
    await deps.engine.cancel(running.executionName);
  }
  const time = deps.now().toISOString();
  const operationId = deps.newId('op');
  const { record } = await deps.store.update(input.id, (current) => {
    const events: NewEvent[] = [];
    let state = current.state;
    let operation = current.operation;
    if (operation?.state === 'RUNNING') {
      if (!input.force || operation.id !== running?.id) {
        throw new DomainError('OPERATION_IN_PROGRESS',
          `operation ${operation.id} (${operation.kind}) is running; wait for it, cancel it, or delete with force=true`,
          { operation: { id: operation.id, kind: operation.kind } });
      }
      operation = { ...operation, state: 'CANCELLED', endTime: time, error: { code: 'CANCELLED', message: 'cancelled by a forced delete' } };
      state = nextEnvironmentState(state, 'fail') ?? state;
      events.push({ time, type: 'operation.cancelled', operationId: operation.id, message: 'cancelled by a forced delete' });
    }
    if (current.spec.deletionProtection) {
      throw new DomainError('DELETION_PROTECTED', `environment ${current.id} has deletionProtection=true`);
    }
    const next = nextEnvironmentState(state, 'delete');
    if (!next) throw new DomainError('FAILED_PRECONDITION', `environment ${current.id} is ${state} and cannot be deleted`);
    events.push({ time, type: 'operation.started', operationId, message: 'delete operation started' });
    return {
      record: {
        ...current,
        state: next,
        operation: { id: operationId, kind: 'delete', target: 'delete', state: 'RUNNING', startTime: time, deleteBootstrap: input.deleteBootstrap },
      },
      events,
    };
  });
  return startOperation(deps, record);
}
