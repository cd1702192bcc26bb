import { describe, expect, it } from 'vitest';
import { created, dataOf, serverClient } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { startLocalWorld, worldPerTest, type LocalWorld } from '../support/local-world.js';
import { readEventStream, type EventStreamItem } from '@saxml-environments/client';

/**
 * The event stream on the whole local profile (real workflow, engine and sandbox, served over
 * HTTP): what a follower of a 15-minute create sees, and a server that drains with streams open.
 */

const world = worldPerTest();

const createdIn = async (w: LocalWorld): Promise<string> => (await created(serverClient(w.baseUrl), { ...SMALLEST_SPEC, saxml: { enabled: false } })).id;

const messages = (items: EventStreamItem[]) => items.filter((i): i is Extract<EventStreamItem, { data: string }> => 'data' in i);

describe('following a create with the event stream', () => {
  it('delivers every event of the create once, in order, then ends with the ACTIVE environment', async () => {
    const w = await world();
    const id = await createdIn(w);
    const stream = await w.request(`/environments/${id}/events:watch?until=operationEnd`);
    const received: EventStreamItem[] = [];
    for await (const item of readEventStream(stream.body!)) received.push(item);

    const all = messages(received);
    const end = all.pop()!;
    expect(end.event).toBe('end');
    expect(JSON.parse(end.data)).toMatchObject({ id, state: 'ACTIVE', operation: { state: 'SUCCEEDED' } });
    const seqs = all.map((m) => Number(m.id));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const client = serverClient(w.baseUrl);
    const polled = [];
    for (let after = 0, page; (page = dataOf(await client.GET('/environments/{id}/events', { params: { path: { id }, query: { pageSize: 100, after } } }), 200)).events.length; after = polled.at(-1)!.seq) {
      polled.push(...page.events);
    }
    expect(all.map((m) => JSON.parse(m.data))).toEqual(polled);
    expect(polled.map((e) => e.type)).toContain('environment.active');
  });

  it('does not hold up the drain on SIGTERM: open streams end, and the server closes', async () => {
    const w = await startLocalWorld();
    const id = await createdIn(w);
    await w.settle(id);
    const items = readEventStream((await w.request(`/environments/${id}/events:watch`)).body!);
    const first = await items.next();
    expect(first.value).toMatchObject({ id: '1' });
    await w.stop();
    const left: EventStreamItem[] = [];
    for await (const item of items) left.push(item);
    expect(messages(left).every((m) => m.event === undefined)).toBe(true);
  });
});
