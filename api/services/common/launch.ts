import type { Deps } from '../../deps.js';
import type { EnvironmentRecord } from '../../domain/environment.js';
import { DomainError } from '../../domain/errors.js';
import { endOperation } from '../../domain/operations.js';
import type { ServiceContext } from '../context.js';
import { commit } from './commit.js';

const sameOperation = (current: EnvironmentRecord, operationId: string) =>
  current.operation?.id === operationId && current.operation.state === 'RUNNING';

/**
 * Step 4 of a verb that began an operation: start the workflow execution for it (the operation is
 * recorded first, so nothing ever runs unrecorded) and record the execution's name. If the engine
 * refuses, the operation ends FAILED — the environment stays resumable with retry — and the caller
 * gets a 503 that says so. That answer is the request's outcome (the environment was recorded), so
 * an idempotent retry of the request replays it instead of running it again.
 *
 * An execution that is not recorded as its operation's must not run: when the operation moved on
 * while it started (a forced delete), or its name could not be written, it is cancelled here (best
 * effort; the reconciler finds and cancels what this misses — services/internal/reconcile.ts).
 */
export async function launchExecution(deps: Deps, ctx: ServiceContext, record: EnvironmentRecord): Promise<EnvironmentRecord> {
  const operation = record.operation;
  if (operation?.state !== 'RUNNING') throw new Error(`environment ${record.id} has no running operation to launch`);
  let name: string;
  try {
    // Only ids: where the workflow reaches this service comes from its deployment, never from an argument.
    ({ name } = await deps.engine.start({
      argument: { environmentId: record.id, operationId: operation.id },
      labels: { environment: record.id, operation: operation.id, kind: operation.kind },
    }));
  } catch (error) {
    // The engine's message names our project and workflow: it goes to the log, not to the caller.
    // The start may still have happened (an answer lost on the way): such an execution finds its
    // operation ended at its first plan fetch or report, and the reconciler cancels it.
    ctx.logger.error('workflow execution could not be started', { environmentId: record.id, operationId: operation.id, error: String(error) });
    const errorInfo = { code: 'ENGINE_UNAVAILABLE', message: 'the workflow could not be started (Cloud Workflows was unavailable)', hint: `retry with POST /environments/${record.id}/retry` };
    await commit(deps, ctx, record.id, (current) =>
      sameOperation(current, operation.id) ? endOperation(current, 'FAILED', deps.now().toISOString(), errorInfo) : { record: null });
    throw new DomainError('UNAVAILABLE', `environment ${record.id} was recorded but its workflow could not be started; retry with POST /environments/${record.id}/retry`,
      { environmentId: record.id }, { outcome: true });
  }
  let recorded: EnvironmentRecord;
  try {
    ({ record: recorded } = await commit(deps, ctx, record.id, (current) =>
      sameOperation(current, operation.id) ? { record: { ...current, operation: { ...current.operation!, executionName: name } } } : { record: null }));
  } catch (error) {
    await cancelSuperseded(deps, ctx, name, 'its name could not be recorded');
    throw error;
  }
  if (recorded.operation?.executionName !== name) await cancelSuperseded(deps, ctx, name, 'its operation was superseded while it started');
  return recorded;
}

/** Cancels an execution no operation owns; a failure is logged and left to the reconciler. */
export async function cancelSuperseded(deps: Deps, ctx: ServiceContext, name: string, why: string): Promise<void> {
  try {
    await deps.engine.cancel(name);
    ctx.logger.info(`cancelled a superseded workflow execution: ${why}`, { execution: name });
  } catch (error) {
    ctx.logger.warn('could not cancel a superseded workflow execution; the reconciler will', { execution: name, error: String(error) });
  }
}
