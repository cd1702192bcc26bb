import { afterAttempt, type AttemptResult, type Delivery } from '../domain/notifications/delivery.js';
import type { Logger } from '../logger.js';
import type { EnvironmentStore } from '../store/port.js';
import type { Notifier } from './port.js';

/**
 * Drains the outbox: claims due deliveries (a transaction each, so two dispatchers — two Cloud
 * Run instances, or the timer and the scheduler's call — never send one attempt twice), sends
 * them, and records each outcome under the claim it was sent with. A head that is delivered or
 * ended lets the store promote the next delivery of its queue, which the same run then sends, so
 * one run delivers a whole backlog in order. Nothing here is ever awaited by an API request or a
 * workflow report: it runs from a timer (local) or `POST /internal/deliveries:run` (cloud).
 */

export interface DispatcherPorts {
  store: EnvironmentStore;
  notifier: Notifier;
  now: () => Date;
  random: () => number;
  logger: Logger;
  /** Turns a target off for its environment and appends the event saying so. */
  disableTarget(environmentId: string, target: Delivery['target'], reason: string): Promise<void>;
}

export interface DispatchSummary {
  /** Attempts made (deferred ones are not attempts). */
  attempted: number;
  delivered: number;
  /** Failed attempts that will be retried. */
  retrying: number;
  /** Deliveries that ended without being delivered (refused, given up, target disabled). */
  failed: number;
  /** Held back by our own pacing of Slack webhooks. */
  deferred: number;
}

export interface DispatchOptions {
  /** Stop claiming new work after this long (the cloud route answers within Cloud Run's timeout). */
  budgetMs: number;
  batchSize?: number;
  concurrency?: number;
  /** Longer than one attempt can take (10 s timeout plus DNS): a lease outlives its attempt. */
  leaseMs?: number;
  /** Stop claiming new work (the process is shutting down); attempts under way finish. */
  signal?: AbortSignal;
}

/**
 * Runs `work` over `items`, at most `limit` at a time (a dozen lines; not worth a dependency).
 * Failures are the callback's to handle.
 */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function dispatchDue(ports: DispatcherPorts, options: DispatchOptions): Promise<DispatchSummary> {
  const { store, notifier, logger } = ports;
  const summary: DispatchSummary = { attempted: 0, delivered: 0, retrying: 0, failed: 0, deferred: 0 };
  const deadline = ports.now().getTime() + options.budgetMs;

  async function attemptOne(claimed: Delivery): Promise<void> {
    const token = claimed.claim?.token;
    const fields = { environmentId: claimed.environmentId, deliveryId: claimed.id, event: claimed.event.type, target: claimed.target.id, url: claimed.target.url };
    try {
      const result: AttemptResult = await notifier.send(claimed);
      let ours = false;
      const after = await store.updateDelivery(claimed.environmentId, claimed.id, (current) => {
        ours = current.claim?.token === token;
        return ours ? afterAttempt(current, result, ports.now().toISOString(), ports.random) : null;
      });
      if (!ours) {
        logger.warn('delivery outcome not recorded: its claim ran out and another dispatcher took it over', fields);
        return;
      }
      switch (result.outcome) {
        case 'deferred': summary.deferred++; return;
        case 'delivered': summary.attempted++; summary.delivered++; logger.debug('notification delivered', fields); return;
        default: summary.attempted++;
      }
      if (after.state === 'PENDING') {
        summary.retrying++;
        logger.info('notification attempt failed; will retry', { ...fields, error: result.error, nextAttemptTime: after.nextAttemptTime });
        return;
      }
      summary.failed++;
      logger.warn('notification not delivered', { ...fields, outcome: after.outcome });
      if (result.outcome === 'disable') await ports.disableTarget(claimed.environmentId, claimed.target, result.error);
    } catch (error) {
      // The lease runs out and the delivery is claimed again: nothing is lost.
      logger.error('delivery attempt could not be recorded', { ...fields, error: (error as Error).message });
    }
  }

  while (ports.now().getTime() < deadline && !options.signal?.aborted) {
    const batch = await store.claimDueDeliveries({ limit: options.batchSize ?? 50, leaseMs: options.leaseMs ?? 60_000 });
    if (!batch.length) break;
    await eachLimited(batch, options.concurrency ?? 8, attemptOne);
  }
  return summary;
}
