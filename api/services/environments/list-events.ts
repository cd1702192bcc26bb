import type { EnvironmentEvent } from '../../domain/environment.js';
import type { Page } from '../../store/port.js';
import { verb } from '../context.js';
import { visibleEnvironment } from '../shared/visible.js';

/** The environment's history, oldest first (after the event `after`, for a client that polls). */
export const listEvents = verb(async (deps, ctx, input: { id: string; pageSize: number; pageToken?: string; after: number }): Promise<Page<EnvironmentEvent>> => {
  await visibleEnvironment(deps, ctx, input.id);
  return deps.store.listEvents(input.id, { pageSize: input.pageSize, pageToken: input.pageToken, afterSeq: input.after });
});
