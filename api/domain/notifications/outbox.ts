import type { EnvironmentEvent, EnvironmentRecord } from '../environment.js';
import { deliveryId, type NewDelivery } from './delivery.js';
import { webhookPayload } from './payload.js';
import { slackMessage } from './slack.js';
import { matchesFilter, type NotificationTarget } from './targets.js';

/**
 * Which deliveries an update's events cause: every event, for every target of the environment
 * and of the service that wants it and is not disabled. Pure; the store writes the result in the
 * transaction that appends the events (store/port.ts `UpdateResult.outbox`).
 */
export function plannedDeliveries(
  record: EnvironmentRecord,
  events: readonly EnvironmentEvent[],
  /** The service's default targets (config), sealed like the environment's own. */
  defaults: readonly NotificationTarget[],
  /** This service's public URL: payloads link to the environment. */
  baseUrl: string,
): NewDelivery[] {
  const targets = [...record.notifications, ...defaults].filter((target) => !record.disabledTargets[target.id]);
  const deliveries: NewDelivery[] = [];
  for (const event of events) {
    for (const target of targets) {
      if (!matchesFilter(event.type, target.events)) continue;
      const body = target.type === 'slack' ? slackMessage(record, event, baseUrl) : webhookPayload(record, event, baseUrl);
      deliveries.push({
        id: deliveryId(event.seq, target.id),
        environmentId: record.id,
        event: { seq: event.seq, type: event.type },
        target: { id: target.id, type: target.type, url: target.url },
        sealedTarget: target.sealed,
        body: JSON.stringify(body),
        createTime: event.time,
      });
    }
  }
  return deliveries;
}
