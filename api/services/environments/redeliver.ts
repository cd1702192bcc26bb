import { DomainError } from '../../domain/errors.js';
import { verb } from '../context.js';
import { toDeliveryView, type DeliveryView } from '../common/view.js';
import { visibleEnvironment } from '../common/visible.js';

/**
 * Sends one delivery again, with the same body and `webhook-id` (receivers deduplicate on it). An
 * ended one (delivered, failed, cancelled — to a disabled target too) is sent again outside its
 * queue, with a fresh retry schedule; one waiting for its next retry is sent now. One still queued
 * behind an earlier delivery, or being sent right now, is refused: it is on its way, in order.
 */
export const redeliver = verb(async (deps, ctx, input: { id: string; deliveryId: string }): Promise<DeliveryView> => {
  await visibleEnvironment(deps, ctx, input.id);
  const now = deps.now().toISOString();
  const updated = await deps.store.updateDelivery(input.id, input.deliveryId, (current) => {
    if (current.state === 'QUEUED') {
      throw new DomainError('FAILED_PRECONDITION', `delivery ${current.id} waits for an earlier delivery to target ${current.target.id}; it is sent after it, in order`);
    }
    if (current.claim && Date.parse(current.claim.until) > Date.parse(now)) {
      throw new DomainError('FAILED_PRECONDITION', `delivery ${current.id} is being sent right now; see its attempts in a moment`);
    }
    if (current.state === 'PENDING') return { ...current, nextAttemptTime: now };
    const { endTime: _end, outcome: _outcome, ...rest } = current;
    return { ...rest, state: 'PENDING', redelivery: true, nextAttemptTime: now, scheduleStart: now };
  });
  ctx.logger.info('redelivery requested', { environmentId: input.id, deliveryId: input.deliveryId, target: updated.target.id });
  return toDeliveryView(updated);
});
