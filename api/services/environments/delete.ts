import type { EnvironmentRecord, NewEvent, Operation } from '../../domain/environment.js';
import { DomainError, operationInProgress } from '../../domain/errors.js';
import { beginOperation, endOperation } from '../../domain/operations.js';
import { startDeleteProgress, withStages } from '../../domain/progress.js';
import type { Deps } from '../../deps.js';
import { expiryDue } from '../../domain/expiry.js';
import { verb, type ServiceContext } from '../context.js';
import { commit } from '../common/commit.js';
import { launchExecution } from '../common/launch.js';
import { planFor } from '../common/plan-for.js';
import { expectedVersion } from '../common/view.js';
import { visibleEnvironment } from '../common/visible.js';

const deletionProtected = (id: string) =>
  new DomainError('DELETION_PROTECTED', `environment ${id} has deletionProtection=true; it cannot be deleted while that is set`);

export interface DeleteInput {
  id: string;
  /** Cancel a running operation first instead of answering 409. */
  force: boolean;
  /** Also remove the project's bootstrap resources when no other live environment uses them. */
  deleteBootstrap: boolean;
  /** Also delete the model repository when it holds data. */
  purgeData: boolean;
  /** The ETag the caller last saw (`If-Match`). */
  ifMatch?: string;
}

const BUSY = 'wait for it, cancel it, or delete with force=true';

/**
 * Starts the delete operation (the reverse plan). Every check runs again inside the store
 * transaction, so two concurrent deletes cannot both start. Deleting is idempotent: what is already
 * DELETED is answered as it is, and while a delete runs a second DELETE (forced or not) answers that
 * delete — it never cancels it (`started: false` both times).
 */
export const deleteEnvironment = verb(async (deps, ctx, input: DeleteInput): Promise<{ record: EnvironmentRecord; started: boolean }> => {
  const before = await visibleEnvironment(deps, ctx, input.id);
  return startDelete(deps, ctx, before, { ...input, version: expectedVersion(before, input.ifMatch) });
});

/**
 * The delete of an environment already loaded and authorized: the user's (above) or the expiry
 * sweep's (`expiry`: the transaction checks again that it is due, so it never starts early, and
 * the events say it was an expiry).
 */
export async function startDelete(
  deps: Deps,
  ctx: ServiceContext,
  before: EnvironmentRecord,
  input: Omit<DeleteInput, 'ifMatch'> & { version?: number; expiry?: true },
): Promise<{ record: EnvironmentRecord; started: boolean }> {
  const version = input.version;
  if (before.state === 'DELETED') return { record: before, started: false };
  // Checked before anything is cancelled (and again in the transaction): a protected environment is never touched.
  if (before.spec.deletionProtection) throw deletionProtected(before.id);
  const running = before.operation?.state === 'RUNNING' ? before.operation : undefined;
  if (running?.target === 'delete') return { record: await askForBootstrapRemoval(deps, ctx, before, running, input.deleteBootstrap), started: false };
  if (running && !input.force) throw operationInProgress(running, BUSY);
  // The cancel is a remote call, so it runs before the transaction, which records it. The caller's
  // If-Match was checked against the state it decided on; reports of the cancelled execution that
  // land meanwhile must not turn the forced delete into a 412.
  if (running?.executionName) await deps.engine.cancel(running.executionName);
  const time = deps.now().toISOString();
  const operationId = deps.newId('op');
  const { record } = await commit(deps, ctx, input.id, (current) => {
    if (current.state === 'DELETED') return { record: null };
    if (current.spec.deletionProtection) throw deletionProtected(current.id);
    if (input.expiry && expiryDue(current, deps.now(), deps.expiry).kind !== 'delete') return { record: null };
    const events: NewEvent[] = input.expiry
      ? [{ time, type: 'environment.expired', message: `environment expired at ${current.expireTime}: deleting it`, details: { expireTime: current.expireTime } }]
      : [];
    let base = current;
    if (current.operation?.state === 'RUNNING') {
      // A delete that started meanwhile is the answer; another operation is only cancelled if it is the one seen.
      if (current.operation.target === 'delete') return { record: null };
      if (current.operation.id !== running?.id) throw operationInProgress(current.operation, BUSY);
      const cancelled = endOperation(current, 'CANCELLED', time, { code: 'CANCELLED', message: 'cancelled by a forced delete' });
      base = cancelled.record;
      events.push(...cancelled.events);
    }
    // Bootstrap resources belong to the project: whether they go is decided when this
    // environment's own resources are gone, by who is left then (apply-reports.ts).
    const begun = beginOperation(base, {
      id: operationId, kind: 'delete', target: 'delete', command: 'delete', time, busyAdvice: BUSY,
      message: `${input.expiry ? 'expiry: ' : ''}delete operation started${input.purgeData ? '; the model repository is deleted with its data (purgeData)' : ''}`,
      deleteBootstrap: input.deleteBootstrap, includeBootstrap: false, purgeData: input.purgeData,
    });
    const deletePlan = planFor(deps, begun.record);
    // A new delete starts from scratch (progress of an earlier delete attempt is reused only by
    // retry), except for what no create ever touched.
    const deleting = { ...begun.record, progress: { ...begun.record.progress, delete: startDeleteProgress(begun.record, deletePlan, operationId, time) } };
    const staged = withStages(deleting, deletePlan, time);
    return { record: staged.record, events: [...events, ...begun.events, ...staged.events] };
  }, { expectedVersion: running ? undefined : version });
  if (record.operation?.id !== operationId) return { record, started: false };
  return { record: await launchExecution(deps, ctx, record), started: true };
}

/**
 * A DELETE while a delete runs answers that delete; one that asks for `deleteBootstrap` the running
 * one was not asked for adds the request (nothing is decided before the environment's resources are
 * gone, so it is not too late).
 */
async function askForBootstrapRemoval(deps: Deps, ctx: ServiceContext, record: EnvironmentRecord, running: Operation, deleteBootstrap: boolean): Promise<EnvironmentRecord> {
  if (!deleteBootstrap || running.deleteBootstrap || running.bootstrap) return record;
  const { record: updated } = await commit(deps, ctx, record.id, (current) =>
    current.operation?.id === running.id && current.operation.state === 'RUNNING' && !current.operation.bootstrap
      ? { record: { ...current, operation: { ...current.operation, deleteBootstrap: true } } }
      : { record: null });
  return updated;
}
