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
 */
export async function launchExecution(deps: Deps, ctx: ServiceContext, record: EnvironmentRecord): Promise<EnvironmentRecord> {
  const operation = record.operation;
  if (operation?.state !== 'RUNNING') throw new Error(`environment ${record.id} has no running operation to launch`);
  let name: string;
  try {
    ({ name } = await deps.engine.start({
      argument: {
        environmentId: record.id,
        operationId: operation.id,
        apiBase: deps.apiBase(),
        ...(deps.google.sandboxBase && { sandboxBase: deps.google.sandboxBase() }),
      },
      labels: { environment: record.id, operation: operation.id, kind: operation.kind },
    }));
  } catch (error) {
    // The engine's message names our project and workflow: it goes to the log, not to the caller.
    ctx.logger.error('workflow execution could not be started', { environmentId: record.id, operationId: operation.id, error: String(error) });
    const errorInfo = { code: 'ENGINE_UNAVAILABLE', message: 'the workflow could not be started (Cloud Workflows was unavailable)', hint: `retry with POST /environments/${record.id}/retry` };
    await commit(deps, ctx, record.id, (current) =>
      sameOperation(current, operation.id) ? endOperation(current, 'FAILED', deps.now().toISOString(), errorInfo) : { record: null });
    throw new DomainError('UNAVAILABLE', `environment ${record.id} was recorded but its workflow could not be started; retry with POST /environments/${record.id}/retry`,
      { environmentId: record.id }, { outcome: true });
  }
  const { record: updated } = await commit(deps, ctx, record.id, (current) =>
    sameOperation(current, operation.id) ? { record: { ...current, operation: { ...current.operation!, executionName: name } } } : { record: null });
  return updated;
}
