import type { DispatchSummary } from '../../notify/dispatcher.js';
import { verb } from '../context.js';
import { disableTarget } from './disable-target.js';

/**
 * Sends what is due in the outbox (api/notify/dispatcher.ts), for at most `budgetMs`: called by
 * the local timer (startup.ts) and by Cloud Scheduler through POST /internal/deliveries:run. The
 * dispatcher is loaded by the first run, not at start: the first tick comes a while after start.
 */
export const runDeliveries = verb(async (deps, ctx, input: { budgetMs: number; signal?: AbortSignal }): Promise<DispatchSummary> =>
  (await import('../../notify/dispatcher.js')).dispatchDue({
    store: deps.store,
    notifier: deps.notify,
    now: deps.now,
    random: Math.random,
    logger: ctx.logger,
    disableTarget: (environmentId, target, reason) => disableTarget(deps, ctx, { environmentId, target, reason }),
  }, input));
