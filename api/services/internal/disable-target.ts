import type { Delivery } from '../../domain/notifications/delivery.js';
import { verb } from '../context.js';
import { commit } from '../common/commit.js';

/**
 * A target answered with a permanent error (410 Gone; Slack's invalid_token, channel_not_found,
 * channel_is_archived, …): nothing more is sent to it for this environment. The environment
 * records it and says so in an event (which the other targets receive), and the deliveries still
 * waiting for it are cancelled. Idempotent: a target is disabled once.
 */
export const disableTarget = verb(async (deps, ctx, input: { environmentId: string; target: Delivery['target']; reason: string }): Promise<void> => {
  const { environmentId, target, reason } = input;
  const time = deps.now().toISOString();
  await commit(deps, ctx, environmentId, (current) => {
    if (current.disabledTargets[target.id]) return { record: null };
    return {
      record: { ...current, disabledTargets: { ...current.disabledTargets, [target.id]: { time, reason } } },
      events: [{
        time,
        type: 'notification.disabled',
        message: `notifications to ${target.type} target ${target.id} (${target.url}) are disabled: ${reason}`,
        details: { target, reason },
      }],
    };
  });
  const cancelled = await deps.store.cancelOpenDeliveries(environmentId, target.id, `target disabled: ${reason}`);
  ctx.logger.warn('notification target disabled', { environmentId, target: target.id, url: target.url, reason, cancelled });
});
