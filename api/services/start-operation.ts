import type { Deps } from '../deps.js';
import type { EnvironmentRecord } from '../domain/environment.js';
import { DomainError } from '../domain/errors.js';
import { nextEnvironmentState } from '../domain/state-machine.js';

/**
 * Starts the workflow execution for the environment's current (already recorded) operation and
 * records the execution name. The operation is written first so that nothing runs unrecorded;
 * if the engine refuses, the operation is marked FAILED (the environment stays resumable with
 * retry) and the caller gets a 503 that says so.
 */
export async function startOperation(deps: Pick<Deps, 'engine' | 'store' | 'now' | 'apiBase' | 'logger' | 'google'>, record: EnvironmentRecord): Promise<EnvironmentRecord> {
  const operation = record.operation;
  if (!operation) throw new Error(`environment ${record.id} has no operation to start`);
  const sameOperation = (current: EnvironmentRecord) => current.operation?.id === operation.id && current.operation.state === 'RUNNING';
  try {
    const { name } = await deps.engine.start({
      argument: {
        environmentId: record.id,
        operationId: operation.id,
        apiBase: deps.apiBase(),
        ...(deps.google.sandboxBase && { sandboxBase: deps.google.sandboxBase() }),
      },
      labels: { environment: record.id, operation: operation.id, kind: operation.kind },
    });
    const { record: updated } = await deps.store.update(record.id, (current) =>
      sameOperation(current) ? { record: { ...current, operation: { ...current.operation!, executionName: name } } } : { record: null },
    );
    return updated;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const time = deps.now().toISOString();
    deps.logger.error('workflow execution could not be started', { environmentId: record.id, operationId: operation.id, error: message });
    await deps.store.update(record.id, (current) => {
      if (!sameOperation(current)) return { record: null };
      const errorInfo = { code: 'ENGINE_UNAVAILABLE', message: `the workflow could not be started: ${message}`, hint: `retry with POST /environments/${record.id}/retry` };
      return {
        record: {
          ...current,
          state: nextEnvironmentState(current.state, 'fail') ?? current.state,
          operation: { ...current.operation!, state: 'FAILED', endTime: time, error: errorInfo },
        },
        events: [{ time, type: 'operation.failed', operationId: operation.id, message: errorInfo.message }],
      };
    });
    throw new DomainError('UNAVAILABLE', `environment ${record.id} was recorded but its workflow could not be started (${message}); retry with POST /environments/${record.id}/retry`, { environmentId: record.id });
  }
}
