import type { Deps } from '../deps.js';
import type { EnvironmentRecord, NewEvent } from '../domain/environment.js';
import { DomainError, operationInProgress } from '../domain/errors.js';
import { endOperation, startDeleteProgress, withStages } from '../domain/progress.js';
import { nextEnvironmentState } from '../domain/state-machine.js';
import type { Principal } from '../http/auth.js';
import { getEnvironment } from './get-environment.js';
import { planFor } from './plan-for.js';
import { startOperation } from './start-operation.js';

const deletionProtected = (id: string) => new DomainError('DELETION_PROTECTED', `environment ${id} has deletionProtection=true`);

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
  deps: Pick<Deps, 'store' | 'engine' | 'now' | 'newId' | 'apiBase' | 'logger' | 'auth' | 'google'>,
  input: DeleteInput,
): Promise<EnvironmentRecord> {
  const before = await getEnvironment(deps, input.id, input.principal);
  // Checked before anything is cancelled (and again in the transaction): a protected environment is never touched.
  if (before.spec.deletionProtection) throw deletionProtected(before.id);
  const running = before.operation?.state === 'RUNNING' ? before.operation : undefined;
  if (running && input.force && running.executionName) {
    // Cancel outside the transaction (it is a remote call); the transaction below records it.
    await deps.engine.cancel(running.executionName);
  }
  // Bootstrap resources belong to the project: removed only when asked and nobody else uses them.
  const othersInProject = input.deleteBootstrap
    ? (await deps.store.liveEnvironmentIdsInProject(before.project)).filter((id) => id !== before.id)
    : [];
  const time = deps.now().toISOString();
  const operationId = deps.newId('op');
  const { record } = await deps.store.update(input.id, (current) => {
    const events: NewEvent[] = [];
    let base = current;
    const operation = current.operation;
    if (operation?.state === 'RUNNING') {
      if (!input.force || operation.id !== running?.id) {
        throw operationInProgress(operation, 'wait for it, cancel it, or delete with force=true');
      }
      const cancelled = endOperation(current, 'CANCELLED', time, { code: 'CANCELLED', message: 'cancelled by a forced delete' });
      base = cancelled.record;
      events.push(...cancelled.events);
    }
    if (current.spec.deletionProtection) throw deletionProtected(current.id);
    const next = nextEnvironmentState(base.state, 'delete');
    if (!next) throw new DomainError('FAILED_PRECONDITION', `environment ${current.id} is ${base.state} and cannot be deleted`);
    const includeBootstrap = input.deleteBootstrap && othersInProject.length === 0;
    const kept = input.deleteBootstrap && !includeBootstrap ? `; bootstrap kept: still used by ${othersInProject.join(', ')}` : '';
    events.push({ time, type: 'operation.started', operationId, message: `delete operation started${kept}` });
    const deleteOperation = {
      id: operationId, kind: 'delete' as const, target: 'delete' as const, state: 'RUNNING' as const, startTime: time,
      deleteBootstrap: input.deleteBootstrap, includeBootstrap,
    };
    const deletePlan = planFor(deps, base, deleteOperation);
    // A new delete starts from scratch (progress of an earlier delete attempt is reused only by
    // retry), except for what no create ever touched.
    const deleting = { ...base, state: next, operation: deleteOperation, progress: { ...base.progress, delete: startDeleteProgress(base, deletePlan, operationId, time) } };
    const staged = withStages(deleting, deletePlan, time);
    return { record: staged.record, events: [...events, ...staged.events] };
  });
  return startOperation(deps, record);
}
