import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ApiProblem } from './problem.js';
import type { Environment, EnvironmentEvent } from './types.js';

/** What following an environment yields: each event once, a heartbeat while nothing happens, and the end. */
export type WatchItem =
  | { type: 'event'; event: EnvironmentEvent }
  | { type: 'heartbeat' }
  | { type: 'end'; environment: Environment };

export interface WatchOptions {
  /** Start after this event seq (default 0: the whole history first). */
  after?: number;
  /** End when no operation is running any more (at once when none is). */
  untilOperationEnd?: boolean;
  signal?: AbortSignal;
}

/** Opens one stream after `after`; the client supplies it (authentication, base URL). */
export type OpenStream = (after: number, options: WatchOptions) => Promise<ReadableStream<Uint8Array>>;

/** Reconnects in a row before giving up: about a minute of trying. */
const MAX_ATTEMPTS = 12;
const backoffMs = (attempt: number) => Math.min(500 * 2 ** attempt, 8000);

/**
 * `GET …/events:watch` as an async iterable, reconnecting after the last event received when the
 * connection drops (Cloud Run ends requests after its timeout; a server restarts): as EventSource
 * does, but with the client's own authentication and typed items. A refusal (4xx) is thrown as
 * an ApiProblem; 503 (the instance's stream limit) and network failures are retried with backoff.
 */
export async function* watchEnvironment(open: OpenStream, options: WatchOptions = {}): AsyncGenerator<WatchItem> {
  let after = options.after ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      for await (const message of readEventStream(await open(after, options))) {
        attempt = 0;
        if ('comment' in message) {
          yield { type: 'heartbeat' };
        } else if (message.event === 'end') {
          yield { type: 'end', environment: JSON.parse(message.data) as Environment };
          return;
        } else if (message.event === 'error') {
          throw streamProblem(message.data);
        } else {
          const event = JSON.parse(message.data) as EnvironmentEvent;
          after = event.seq;
          yield { type: 'event', event };
        }
      }
    } catch (error) {
      if (options.signal?.aborted || !retryable(error) || attempt + 1 >= MAX_ATTEMPTS) throw error;
    }
    // The stream ended without its end (or failed): resume after the last event.
    await delay(backoffMs(attempt), options.signal);
  }
}

const retryable = (error: unknown) => !(error instanceof ApiProblem) || error.status === 503 || error.status >= 502;

/** An `error` message: the server failed after the stream started. */
function streamProblem(data: string): ApiProblem {
  const { code, detail } = JSON.parse(data) as { code: ApiProblem['code']; detail: string };
  return new ApiProblem(500, { type: 'about:blank', title: 'The event stream failed', status: 500, detail, instance: '', code, requestId: 'unknown' });
}

/** One thing read from a text/event-stream: a message, or a comment line (the service's heartbeats). */
export type EventStreamItem = EventSourceMessage | { comment: string };

/**
 * The items of a text/event-stream body as they arrive, exactly as the wire has them
 * (eventsource-parser does the parsing).
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<EventStreamItem> {
  const queue: EventStreamItem[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message), onComment: (comment) => queue.push({ comment: comment.trim() }) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length) yield queue.shift()!;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
