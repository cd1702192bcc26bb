import type { Deps } from '../../deps.js';
import type { EnvironmentRecord, ErrorInfo } from '../../domain/environment.js';
import { endOperation } from '../../domain/operations.js';
import { applyReports } from '../../domain/progress.js';
import { ExecutionNotFoundError, type ActiveExecution, type ExecutionStatus } from '../../engine/port.js';
import { verb, type ServiceContext } from '../context.js';
import { commit } from '../common/commit.js';
import { cancelSuperseded } from '../common/launch.js';
import { planFor } from '../common/plan-for.js';

/** An operation with no execution name this long after it started never got one recorded. */
const START_GRACE_MS = 120_000;

/** Records `name` as the operation's execution if it still has none. */
async function adopt(deps: Deps, ctx: ServiceContext, id: string, operationId: string, name: string): Promise<EnvironmentRecord> {
  const { record } = await commit(deps, ctx, id, (current) =>
    current.operation?.id === operationId && current.operation.state === 'RUNNING' && !current.operation.executionName
      ? { record: { ...current, operation: { ...current.operation, executionName: name } } }
      : { record: null });
  if (record.operation?.executionName === name) ctx.logger.info('recorded the workflow execution of an operation whose start was not recorded', { environmentId: id, operationId, execution: name });
  return record;
}

/**
 * If the current operation is RUNNING but its execution has ended (a missed final report, a crash,
 * a restart of the local process), settles the operation from the engine's view. An operation whose
 * execution name was never recorded (the process died between starting it and writing its name)
 * gets it back from the engine's running executions, found by their labels; only when none runs is
 * it lost. Safe to call any time, from any number of places: the store transaction re-checks that
 * nothing moved meanwhile. `active`: the engine's running executions, when the caller listed them.
 */
export async function reconcile(deps: Deps, ctx: ServiceContext, record: EnvironmentRecord, active?: readonly ActiveExecution[]): Promise<EnvironmentRecord> {
  const op = record.operation;
  if (!op || op.state !== 'RUNNING') return record;
  let status: ExecutionStatus | 'lost';
  if (!op.executionName) {
    if (deps.now().getTime() - Date.parse(op.startTime) < START_GRACE_MS) return record;
    let running: readonly ActiveExecution[];
    try {
      running = active ?? (await deps.engine.listActive());
    } catch (error) {
      ctx.logger.warn('reconcile: engine unavailable', { environmentId: record.id, error: (error as Error).message });
      return record;
    }
    const found = running.find((e) => e.labels.operation === op.id && e.labels.environment === record.id);
    if (found) return adopt(deps, ctx, record.id, op.id, found.name);
    status = 'lost';
  } else {
    try {
      status = await deps.engine.get(op.executionName);
    } catch (error) {
      if (!(error instanceof ExecutionNotFoundError)) {
        ctx.logger.warn('reconcile: engine unavailable', { environmentId: record.id, error: (error as Error).message });
        return record;
      }
      status = 'lost';
    }
  }
  if (status !== 'lost' && status.state === 'ACTIVE') return record;

  const { record: updated, events } = await commit(deps, ctx, record.id, (current) => {
    const currentOp = current.operation;
    if (!currentOp || currentOp.id !== op.id || currentOp.state !== 'RUNNING') return { record: null };
    const time = deps.now().toISOString();
    if (status === 'lost') {
      const error: ErrorInfo = {
        code: 'INTERRUPTED',
        message: 'the workflow execution of this operation was lost (the service restarted or the start never completed)',
        hint: `retry with POST /environments/${current.id}/retry, or delete the environment`,
      };
      return endOperation(current, 'FAILED', time, error);
    }
    if (status.state === 'CANCELLED') return endOperation(current, 'CANCELLED', time, { code: 'CANCELLED', message: 'the workflow execution was cancelled' });
    // SUCCEEDED or FAILED without our final report: settle through the same path as the report would.
    const outcome = status.state === 'SUCCEEDED'
      ? { operation: 'SUCCEEDED' as const }
      : { operation: 'FAILED' as const, error: { message: status.error?.message ?? 'the workflow execution failed', tags: status.error?.tags, google: status.error?.payload } };
    // A delete whose execution ended before its bootstrap was decided cannot go on to remove it.
    const settling = status.state === 'SUCCEEDED' && currentOp.target === 'delete' && !currentOp.bootstrap
      ? { ...current, operation: { ...currentOp, bootstrap: { decision: 'KEEP' as const, reason: `the workflow execution ended before it was decided; remove it with DELETE /projects/${current.project}/bootstrap` } } }
      : current;
    const change = applyReports(settling, planFor(deps, settling), { operationId: op.id, reports: [outcome] }, time);
    return { record: change.record, events: change.events };
  });
  if (events.length) ctx.logger.info('reconciled operation from the engine', { environmentId: record.id, operationId: op.id, state: updated.operation?.state });
  return updated;
}

/**
 * Every running execution must be its environment's current operation's, recorded: one whose
 * operation ended or was superseded (cancelled meanwhile, a retry after a crash, a forced delete
 * during its start, a start that timed out but happened) is cancelled; one its running operation
 * never recorded is recorded; a second one for a recorded operation is cancelled. Returns how many
 * were cancelled.
 */
async function sweepExecutions(deps: Deps, ctx: ServiceContext, active: readonly ActiveExecution[]): Promise<number> {
  let cancelled = 0;
  for (const execution of active) {
    const { environment, operation } = execution.labels;
    if (!environment || !operation) continue;
    const record = await deps.store.get(environment);
    const op = record?.operation;
    if (record && op?.id === operation && op.state === 'RUNNING') {
      if (!op.executionName) await adopt(deps, ctx, record.id, op.id, execution.name);
      else if (op.executionName !== execution.name) {
        await cancelSuperseded(deps, ctx, execution.name, `a second execution of operation ${op.id}`);
        cancelled++;
      }
      continue;
    }
    await cancelSuperseded(deps, ctx, execution.name, `operation ${operation} of ${environment} is not running`);
    cancelled++;
  }
  return cancelled;
}

/**
 * The periodic (and start-up) reconciliation: superseded executions are cancelled, then every
 * environment with a RUNNING operation is checked against the engine. Returns how many operations
 * it settled.
 */
export const reconcileAll = verb(async (deps, ctx, _input: void): Promise<number> => {
  // The store first: without it nothing can be judged, and the engine is not asked.
  const running = await deps.store.listWithRunningOperation();
  let active: ActiveExecution[] | undefined;
  try {
    active = await deps.engine.listActive();
    await sweepExecutions(deps, ctx, active);
  } catch (error) {
    ctx.logger.warn('reconcile: could not check the running executions', { error: (error as Error).message });
  }
  let settled = 0;
  for (const record of running) {
    try {
      const after = await reconcile(deps, ctx, record, active);
      if (after.operation?.state !== 'RUNNING') settled++;
    } catch (error) {
      ctx.logger.error('reconcile failed', { environmentId: record.id, error: (error as Error).message });
    }
  }
  return settled;
});
