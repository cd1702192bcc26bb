import type { Page } from '../../store/port.js';
import { verb } from '../context.js';
import { toDeliveryView, type DeliveryView } from '../common/view.js';
import { visibleEnvironment } from '../common/visible.js';

/** The environment's notifications, newest event first: target, event, every attempt, what is next. */
export const listDeliveries = verb(async (deps, ctx, input: { id: string; pageSize: number; pageToken?: string }): Promise<Page<DeliveryView>> => {
  await visibleEnvironment(deps, ctx, input.id);
  const page = await deps.store.listDeliveries(input.id, { pageSize: input.pageSize, pageToken: input.pageToken });
  return { ...page, items: page.items.map(toDeliveryView) };
});
