import { z, type RouteHandler } from '@hono/zod-openapi';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/errors.js';
import { problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { watchEvents, type StreamItem } from '../../services/environments/watch-events.js';
import { toView } from '../../services/common/view.js';
import { ctxOf, environmentRoute, noSuchEnvironment } from '../contract.js';
import { EnvironmentIdParam, WatchQuery } from './schemas.js';

const seq = z.string().regex(/^\d{1,15}$/, 'must be an event seq (a whole number)');

export const route = environmentRoute({
  operationId: 'watchEnvironmentEvents',
  method: 'get',
  path: '/environments/{id}/events:watch',
  summary: "Follow the environment's events as they happen (Server-Sent Events)",
  description: [
    'A `text/event-stream` of the events after `after` (default: from the first), then each new one as it happens, each exactly once, in order:',
    '',
    '- every event is a message whose `id` is the event\'s `seq` and whose `data` is the `Event` as JSON;',
    '- a comment line (`: heartbeat`) is sent after each quiet interval, so proxies keep the connection open;',
    '- with `until=operationEnd` the stream ends after the last event of the running operation (at once when none is running) with an `end` message whose `data` is the `Environment`;',
    '- on reconnecting, send the last `id` you received as `Last-Event-ID` (browsers\' `EventSource` does): the stream resumes after it.',
    '',
    'Each instance serves a bounded number of streams; past it the answer is `503` and `GET …/events` (polling, with `after`) gives the same events.',
  ].join('\n'),
  request: {
    params: EnvironmentIdParam,
    query: WatchQuery,
    headers: z.object({ 'last-event-id': seq.optional().openapi({ description: 'Resume after this event (wins over `after`)' }) }),
  },
  responses: {
    200: {
      description: 'The stream',
      content: {
        'text/event-stream': {
          schema: z.string().openapi({
            example: 'id: 7\ndata: {"environmentId":"env-01jd8m3q4b5c6d7e8f9g0h1j2k","seq":7,"type":"stage.succeeded","stage":"bootstrap",…}\n\n: heartbeat\n\nevent: end\ndata: {"kind":"Environment",…}\n\n',
          }),
        },
      },
    },
    ...noSuchEnvironment,
    503: problemResponse('This instance serves as many streams as it allows, or is shutting down: retry, or poll GET …/events'),
  },
});

/** One item as SSE: events by seq, heartbeats as comments (which EventSource ignores), the end with the environment. */
async function write(stream: SSEStreamingApi, item: StreamItem, deps: Deps): Promise<void> {
  if (item.type === 'event') await stream.writeSSE({ id: String(item.event.seq), data: JSON.stringify(item.event) });
  else if (item.type === 'heartbeat') await stream.write(': heartbeat\n\n');
  else await stream.writeSSE({ event: 'end', data: JSON.stringify(toView(item.environment, deps)) });
}

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const { after, until } = c.req.valid('query');
  const lastEventId = c.req.valid('header')['last-event-id'];
  // A client that goes away ends its watch at once (not at the next heartbeat), freeing its slot.
  const gone = new AbortController();
  const ctx = ctxOf(c);
  const items = await watchEvents(deps, ctx, {
    id: c.req.valid('param').id,
    afterSeq: lastEventId !== undefined ? Number(lastEventId) : after,
    untilOperationEnd: until === 'operationEnd',
    signal: gone.signal,
  });
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => gone.abort());
    try {
      for await (const item of items) await write(stream, item, deps);
    } catch (error) {
      // The status line is sent already: a failure becomes a last `error` message, as opaque as a 500.
      const known = error instanceof DomainError && error.code !== 'INTERNAL';
      if (!known) ctx.logger.error('event stream failed', { error: String(error) });
      await stream.writeSSE({
        event: 'error',
        data: JSON.stringify(known ? { code: error.code, detail: error.message } : { code: 'INTERNAL', detail: `internal error; quote request id ${ctx.requestId}` }),
      });
    }
  });
};
