import type { Deps } from '../../deps.js';
import type { EnvironmentEvent, EnvironmentRecord } from '../../domain/environment.js';
import { verb, type ServiceContext } from '../context.js';
import type { Watch } from '../common/change-feed.js';
import { fromPortError } from '../common/port-errors.js';
import { visibleEnvironment } from '../common/visible.js';

/** What an event stream carries: each event once, heartbeats while nothing happens, and maybe an end. */
export type StreamItem =
  | { type: 'event'; event: EnvironmentEvent }
  | { type: 'heartbeat' }
  | { type: 'end'; environment: EnvironmentRecord };

interface WatchInput {
  id: string;
  /** Start after this event (0: from the first). */
  afterSeq: number;
  /** End once no operation is running (at once when none is), after its last event. */
  untilOperationEnd: boolean;
  /** Aborted when the client goes away: the watch closes at once. */
  signal?: AbortSignal;
}

const PAGE_SIZE = 100;

/**
 * The environment's events as they happen, in seq order, each once: first those after `afterSeq`,
 * then each new one when a commit signals a change (deps.changes), with a heartbeat after each
 * quiet interval. Authorization and the per-instance bound on streams are checked before the
 * stream starts, so their refusals are ordinary problem answers.
 */
export const watchEvents = verb(async (deps, ctx, input: WatchInput): Promise<AsyncIterable<StreamItem>> => {
  await visibleEnvironment(deps, ctx, input.id);
  const watch = deps.changes.watch(input.id);
  input.signal?.addEventListener('abort', () => watch.close(), { once: true });
  return follow(deps, ctx, input, watch);
});

async function* follow(deps: Deps, ctx: ServiceContext, input: WatchInput, watch: Watch): AsyncGenerator<StreamItem> {
  let after = input.afterSeq;
  try {
    for (;;) {
      // The record is read before the events: the events that end an operation are committed in
      // the same transaction as its end, so once the record says it ended they are all read below.
      const record = await deps.store.get(input.id);
      for (let more = true; more;) {
        const page = await deps.store.listEvents(input.id, { afterSeq: after, pageSize: PAGE_SIZE });
        for (const event of page.items) {
          yield { type: 'event', event };
          after = event.seq;
        }
        more = page.nextPageToken !== undefined;
      }
      if (input.untilOperationEnd && record && record.operation?.state !== 'RUNNING') {
        yield { type: 'end', environment: record };
        return;
      }
      // A heartbeat also re-reads the store: a change committed by another instance is seen then.
      const wake = await watch.next();
      if (wake === 'closed') return;
      if (wake === 'heartbeat') yield { type: 'heartbeat' };
    }
  } catch (error) {
    throw fromPortError(error, ctx);
  } finally {
    watch.close();
  }
}
