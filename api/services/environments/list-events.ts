import type { EnvironmentEvent } from '../../domain/environment.js';
import type { Page } from '../../store/port.js';
import { verb } from '../context.js';
import { visibleEnvironment } from '../common/visible.js';

/**
 * The environment's history, oldest first or newest first; `after` keeps only events with a
 * greater seq, so a client that polls with the last seq it saw gets only what is new.
 */
export const listEvents = verb(async (deps, ctx, input: { id: string; pageSize: number; pageToken?: string; after?: number; order: 'asc' | 'desc' }): Promise<Page<EnvironmentEvent>> => {
  await visibleEnvironment(deps, ctx, input.id);
  return deps.store.listEvents(input.id, { pageSize: input.pageSize, pageToken: input.pageToken, afterSeq: input.after, newestFirst: input.order === 'desc' });
});
