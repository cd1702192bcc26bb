import type { Deps } from '../../deps.js';
import type { EnvironmentRecord, ErrorInfo } from '../../domain/environment.js';
import { endOperation } from '../../domain/operations.js';
import { applyReports } from '../../domain/progress.js';
import { ExecutionNotFoundError, type ExecutionStatus } from '../../engine/port.js';
import { verb, type ServiceContext } from '../context.js';
import { commit } from '../shared/commit.js';
import { planFor } from '../shared/plan-for.js';

/** An operation with no execution name this long after it started never got one: its start was lost. */
const START_GRACE_MS = 120_000;

/**
 * If the current operation is RUNNING but its execution has ended (a missed final report, a crash,
 * a restart of the local process), settles the operation from the engine's view. Safe to call any
 * time, from any number of places: the store transaction re-checks that nothing moved meanwhile.
 */
export async function reconcile(deps: Deps, ctx: ServiceContext, record: EnvironmentRecord): Promise<EnvironmentRecord> {
  const op = record.operation;
  if (!op || op.state !== 'RUNNING') return record;
  let status: ExecutionStatus | 'lost';
  if (!op.executionName) {
    if (deps.now().getTime() - Date.parse(op.startTime) < START_GRACE_MS) return record;
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
    const change = applyReports(current, planFor(deps, current), { operationId: op.id, reports: [outcome] }, time);
    return { record: change.record, events: change.events };
  });
  if (events.length) ctx.logger.info('reconciled operation from the engine', { environmentId: record.id, operationId: op.id, state: updated.operation?.state });
  return updated;
}

/** Every environment with a RUNNING operation (periodic trigger, and at start-up). */
export const reconcileAll = verb(async (deps, ctx, _input: void): Promise<number> => {
  let settled = 0;
  for (const record of await deps.store.listWithRunningOperation()) {
    try {
      const after = await reconcile(deps, ctx, record);
      if (after.operation?.state !== 'RUNNING') settled++;
    } catch (error) {
      ctx.logger.error('reconcile failed', { environmentId: record.id, error: (error as Error).message });
    }
  }
  return settled;
});
