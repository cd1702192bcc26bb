import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../api/services/common/change-feed.js';
import { buildTestApp, INTERNAL_SECRET, json } from '../support/app.js';
import { problemOf } from '../support/bodies.js';
import { created as createdIn, dataOf, typedClient, type ApiClient } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { readEventStream, type EventStreamItem } from '@saxml-environments/client';

/**
 * GET /environments/{id}/events:watch: Server-Sent Events woken by commits (no polling), each event
 * once with `id` = seq, resumable, with heartbeats, ending with the operation when asked, bounded
 * per instance.
 */

const internal = (payload: unknown) => json(payload, { authorization: `Bearer ${INTERNAL_SECRET}` });
type Message = Extract<EventStreamItem, { data: string }>;
const isMessage = (item: EventStreamItem): item is Message => 'data' in item;

/** The next `n` messages of a stream (heartbeats skipped), leaving the stream open. */
async function nextMessages(items: AsyncGenerator<EventStreamItem>, n: number): Promise<Message[]> {
  const messages: Message[] = [];
  while (messages.length < n) {
    const { value, done } = await items.next();
    if (done) throw new Error(`the stream ended after ${messages.length} of ${n} messages`);
    if (isMessage(value)) messages.push(value);
  }
  return messages;
}

/** Everything left in a stream, until the server ends it. */
async function rest(items: AsyncGenerator<EventStreamItem>): Promise<EventStreamItem[]> {
  const all: EventStreamItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Every event of an environment, as the JSON list gives them. */
const eventsOf = async (client: ApiClient, id: string, after?: number) =>
  dataOf(await client.GET('/environments/{id}/events', { params: { path: { id }, query: { pageSize: 100, after } } }), 200).events;

async function created(options: { changes?: ChangeFeed } = {}) {
  const world = buildTestApp(options.changes ? { changes: options.changes } : {});
  const client = typedClient(world.app);
  const env = await createdIn(client, { ...SMALLEST_SPEC, saxml: { enabled: false } });
  const history = await eventsOf(client, env.id);
  const watch = (query = '', headers: Record<string, string> = {}) =>
    world.app.request(`/environments/${env.id}/events:watch${query}`, { headers });
  const report = (reports: unknown[]) => world.app.request(`/internal/environments/${env.id}/reports`, internal({ operationId: env.operation.id, reports }));
  return { ...world, client, env, history, watch, report };
}

describe('GET /environments/{id}/events:watch', () => {
  it('sends the history, then each new event once as its commit happens, with id = seq', async () => {
    const { history, watch, report } = await created();
    const res = await watch();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const items = readEventStream(res.body!);
    const first = await nextMessages(items, history.length);
    expect(first.map((m) => Number(m.id))).toEqual(history.map((e) => e.seq));
    expect(first.map((m) => JSON.parse(m.data).seq)).toEqual(history.map((e) => e.seq));

    expect((await report([{ step: 'bootstrap.services.1', state: 'RUNNING' }])).status).toBe(200);
    const [next] = await nextMessages(items, 1);
    expect(JSON.parse(next!.data)).toMatchObject({ seq: history.length + 1, type: 'step.started', step: 'bootstrap.services.1' });
    expect(next!.id).toBe(String(history.length + 1));
    await items.return(undefined);
  });

  it('resumes after Last-Event-ID (which wins over `after`), and starts after `after`', async () => {
    const { history, watch } = await created();
    const resumed = await nextMessages(readEventStream((await watch('?after=1', { 'last-event-id': '2' })).body!), history.length - 2);
    expect(resumed.map((m) => Number(m.id))).toEqual(history.slice(2).map((e) => e.seq));
    const after = await nextMessages(readEventStream((await watch('?after=1')).body!), history.length - 1);
    expect(after.map((m) => Number(m.id))).toEqual(history.slice(1).map((e) => e.seq));
  });

  it('with until=operationEnd, ends after the last event of the operation with the environment', async () => {
    const { app, client, env, history, watch } = await created();
    const items = readEventStream((await watch('?until=operationEnd')).body!);
    await nextMessages(items, history.length);
    expect((await app.request(`/environments/${env.id}/cancel`, { method: 'POST' })).status).toBe(200);
    const tail = (await rest(items)).filter(isMessage);
    const end = tail.at(-1)!;
    expect(end.event).toBe('end');
    expect(JSON.parse(end.data)).toMatchObject({ kind: 'Environment', id: env.id, state: 'FAILED', operation: { state: 'CANCELLED' } });
    const events = tail.slice(0, -1).map((m) => JSON.parse(m.data));
    expect(events.map((e) => e.type)).toContain('operation.cancelled');
    const all = await eventsOf(client, env.id);
    expect([...history, ...events].map((e) => e.seq)).toEqual(all.map((e) => e.seq));

    // Nothing runs now: the stream sends what there is and ends at once.
    const idle = (await rest(readEventStream((await watch('?until=operationEnd')).body!))).filter(isMessage);
    expect(idle.at(-1)!.event).toBe('end');
    expect(idle.length).toBe(all.length + 1);
  });

  it('sends a heartbeat comment while nothing happens', async () => {
    const { history, watch } = await created({ changes: new ChangeFeed({ maxWatches: 5, heartbeatMs: 20 }) });
    const items = readEventStream((await watch()).body!);
    await nextMessages(items, history.length);
    const { value } = await items.next();
    expect(value).toEqual({ comment: 'heartbeat' });
    await items.return(undefined);
  });

  it('serves a bounded number of streams per instance; a closed stream frees its place', async () => {
    const { watch } = await created({ changes: new ChangeFeed({ maxWatches: 2, heartbeatMs: 15_000 }) });
    const one = await watch();
    const two = await watch();
    const refused = await watch();
    expect(refused.status).toBe(503);
    expect(await problemOf(refused)).toMatchObject({ code: 'UNAVAILABLE', detail: expect.stringContaining('GET /environments/{id}/events') });
    await one.body!.cancel();
    expect((await watch()).status).toBe(200);
    await two.body!.cancel();
  });

  it('refuses what the JSON list refuses: unknown environments, bad Last-Event-ID, unknown query parameters', async () => {
    const { app, watch } = await created();
    expect((await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k/events:watch')).status).toBe(404);
    const bad = await watch('', { 'last-event-id': 'seven' });
    expect(bad.status).toBe(400);
    expect((await problemOf(bad)).errors?.[0]?.path).toBe('$.headers["last-event-id"]');
    expect((await watch('?untl=operationEnd')).status).toBe(400);
  });
});

describe('GET /environments/{id}/events?after= (polling)', () => {
  it('returns the events after a seq, so a poller never reads one twice', async () => {
    const { client, env, history, report } = await created();
    await report([{ step: 'bootstrap.services.1', state: 'RUNNING' }]);
    const all = await eventsOf(client, env.id);
    const after = await eventsOf(client, env.id, history.length);
    expect(after[0]).toMatchObject({ seq: history.length + 1, type: 'step.started' });
    expect(after).toEqual(all.slice(history.length));
  });
});
