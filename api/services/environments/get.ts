import type { EnvironmentRecord } from '../../domain/environment.js';
import { verb } from '../context.js';
import { reconcile } from '../internal/reconcile.js';
import { visibleEnvironment } from '../common/visible.js';

/**
 * How long an operation may be silent before a read asks the engine whether its execution still
 * runs: about twice the workflow's longest poll interval (30 s), so a healthy execution — which
 * reports at least that often while it works — never costs a Cloud Workflows call per client poll.
 */
export const QUIET_PERIOD_MS = 60_000;

/**
 * The environment. A running operation whose execution ended unseen (a missed final report) is
 * settled on read — but only once the operation has been quiet a while, and at most once per
 * quiet period per operation; the periodic reconcile covers the rest.
 */
export const getEnvironment = verb(async (deps, ctx, input: { id: string }): Promise<EnvironmentRecord> => {
  const record = await visibleEnvironment(deps, ctx, input.id);
  const op = record.operation;
  if (op?.state !== 'RUNNING') return record;
  const now = deps.now().getTime();
  const lastHeard = Math.max(Date.parse(record.updateTime), deps.readCache.lastEngineCheck(op.id) ?? 0);
  if (now - lastHeard < QUIET_PERIOD_MS) return record;
  deps.readCache.engineChecked(op.id, now);
  return reconcile(deps, ctx, record);
});
