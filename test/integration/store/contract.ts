import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvironmentRecord, NewEvent, Operation } from '../../../api/domain/environment.js';
import { deliveryId, type Delivery, type NewDelivery } from '../../../api/domain/notifications/delivery.js';
import {
  BootstrapBusyError, CorruptRecordError, DeliveryNotFoundError, EnvironmentNotFoundError, InvalidPageTokenError, MAX_STORED_RESPONSE_BYTES, NameTakenError, VersionConflictError,
  type EnvironmentStore, type Outbox,
} from '../../../api/store/port.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';

/**
 * The EnvironmentStore contract: every adapter must pass all of it. Each test gets a fresh, empty
 * store from `makeStore`.
 */

export interface StoreUnderTest {
  store: EnvironmentStore;
  cleanup(): Promise<void>;
  /** Overwrites the stored document of one environment with garbage, bypassing the store. */
  corruptEnvironment(id: string): Promise<void>;
}

/** Contended transactions are slow on the Firestore emulator (pessimistic locks, ~12 s for 10). */
const CONTENDED = 60_000;
const WRITERS = 10;

const event = (message: string, type: NewEvent['type'] = 'step.succeeded'): NewEvent => ({
  time: new Date().toISOString(),
  type,
  message,
});

const runningOperation = (): Operation => ({
  id: `op-${randomUUID()}`,
  kind: 'create',
  target: 'create',
  state: 'RUNNING',
  startTime: new Date().toISOString(),
});

/** The rejection of `promise`, so a test can look at the error itself. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise fulfilled');
}

const ids = (records: readonly EnvironmentRecord[]): string[] => records.map((r) => r.id);

/** An outbox that sends every event to each of `targets` (a stand-in for domain/notifications/outbox.ts). */
export const outboxTo = (...targets: string[]): Outbox => (record, events) =>
  events.flatMap((e): NewDelivery[] => targets.map((target) => ({
    id: deliveryId(e.seq, target),
    environmentId: record.id,
    event: { seq: e.seq, type: e.type },
    target: { id: target, type: 'webhook', url: 'https://receiver.example.com/…' },
    sealedTarget: `sealed-${target}`,
    body: JSON.stringify({ seq: e.seq, message: e.message }),
    createTime: e.time,
  })));

const states = (deliveries: readonly Delivery[]) => deliveries.map((d) => `${d.id} ${d.state}`).sort();
const delivered = (d: Delivery): Delivery => {
  const { claim: _claim, nextAttemptTime: _next, ...rest } = d;
  return { ...rest, state: 'DELIVERED', endTime: new Date().toISOString(), outcome: 'delivered (HTTP 200)' };
};

export function storeContract(
  name: string,
  /** `now`: the store's clock (it stamps updateTime), which the suite moves. */
  makeStore: (now: () => string) => Promise<StoreUnderTest>,
  opts: { skipReason?: string } = {},
): void {
  if (opts.skipReason) console.warn(`${name} store contract skipped: ${opts.skipReason}`);
  const suite = opts.skipReason ? describe.skip : describe;

  suite(`EnvironmentStore contract: ${name}`, () => {
    let harness: StoreUnderTest;
    let store: EnvironmentStore;
    let clock: string | undefined;
    beforeEach(async () => {
      clock = undefined;
      harness = await makeStore(() => clock ?? new Date().toISOString());
      store = harness.store;
    });
    afterEach(async () => {
      await harness?.cleanup();
    });

    describe('create and get', () => {
      it('returns what was created', async () => {
        const record = newEnvironmentRecord({ labels: { team: 'blue' }, outputs: { clusterName: 'demo-saxml-gke-cluster' } });
        expect(await store.create(record)).toEqual(record);
        expect(await store.get(record.id)).toEqual(record);
        expect(await store.get('env-unknown')).toBeNull();
      });

      it('refuses a second live environment with the same name in a project, and writes nothing', async () => {
        const first = await store.create(newEnvironmentRecord());
        const second = newEnvironmentRecord();
        const error = await rejectionOf(store.create(second, [event('created', 'operation.started')]));
        expect(error).toBeInstanceOf(NameTakenError);
        expect(error).toMatchObject({ project: first.project, environmentName: first.name, existingId: first.id });
        expect(await store.get(second.id)).toBeNull();
        expect((await store.listEvents(second.id, { pageSize: 10 })).items).toEqual([]);
      });

      it(`lets exactly one of ${WRITERS} concurrent creates of one name win`, { timeout: CONTENDED }, async () => {
        const records = Array.from({ length: WRITERS }, () => newEnvironmentRecord({ project: 'race-project' }));
        const outcomes = await Promise.allSettled(records.map((record) => store.create(record)));
        const winners = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        const losers = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
        expect(winners).toHaveLength(1);
        for (const loser of losers) {
          expect(loser).toBeInstanceOf(NameTakenError);
          expect(loser).toMatchObject({ existingId: winners[0]!.id });
        }
        expect(ids((await store.list({ pageSize: 100, project: 'race-project' })).items)).toEqual([winners[0]!.id]);
      });

      it('frees the name once the environment is DELETED, not before', async () => {
        const first = await store.create(newEnvironmentRecord());
        await store.update(first.id, (current) => ({ record: { ...current, state: 'DELETING' } }));
        await expect(store.create(newEnvironmentRecord())).rejects.toBeInstanceOf(NameTakenError);

        await store.update(first.id, (current) => ({ record: { ...current, state: 'DELETED' } }));
        const second = await store.create(newEnvironmentRecord());
        expect(await store.get(second.id)).toEqual(second);
        const third = await rejectionOf(store.create(newEnvironmentRecord()));
        expect(third).toBeInstanceOf(NameTakenError);
        expect(third).toMatchObject({ existingId: second.id });
      });

      it('allows the same name in another project', async () => {
        const a = await store.create(newEnvironmentRecord({ project: 'project-one' }));
        const b = await store.create(newEnvironmentRecord({ project: 'project-two' }));
        expect(a.name).toBe(b.name);
        expect(await store.get(b.id)).toEqual(b);
      });
    });

    describe('update', () => {
      it('sets version and updateTime, appends the events, and stores the result', async () => {
        const created = await store.create(newEnvironmentRecord(), [event('accepted', 'operation.started')]);
        const at = '2030-01-02T03:04:05.000Z';
        clock = at;
        const done = event('done', 'environment.active');
        const result = await store.update(
          created.id,
          // The store owns version and updateTime: what the mutation says about them is ignored.
          (current) => ({ record: { ...current, state: 'ACTIVE', version: 99, updateTime: '2000-01-01T00:00:00.000Z' }, events: [done] }),
        );
        expect(result.record).toEqual({ ...created, state: 'ACTIVE', version: 2, updateTime: at });
        expect(result.events).toEqual([{ ...done, environmentId: created.id, seq: 2 }]);
        expect(await store.get(created.id)).toEqual(result.record);
      });

      it('leaves the record alone when the mutation returns null, but still appends its events', async () => {
        const created = await store.create(newEnvironmentRecord());
        const result = await store.update(created.id, () => ({ record: null, events: [event('noted')] }));
        expect(result.record).toEqual(created);
        expect(result.events.map((e) => e.seq)).toEqual([1]);
        expect(await store.get(created.id)).toEqual(created);
      });

      it(`loses no update among ${WRITERS} concurrent writers`, { timeout: CONTENDED }, async () => {
        const created = await store.create(newEnvironmentRecord());
        const results = await Promise.all(
          Array.from({ length: WRITERS }, (_, writer) =>
            store.update(created.id, (current) => ({
              record: {
                ...current,
                labels: { ...current.labels, count: String(Number(current.labels.count ?? 0) + 1), [`writer${writer}`]: 'yes' },
              },
            })),
          ),
        );
        const final = await store.get(created.id);
        expect(final?.version).toBe(created.version + WRITERS);
        expect(final?.labels.count).toBe(String(WRITERS));
        expect(Object.keys(final?.labels ?? {}).filter((k) => k.startsWith('writer'))).toHaveLength(WRITERS);
        // Every writer saw a distinct version: none of them overwrote another.
        expect(results.map((r) => r.record.version).sort((a, b) => a - b)).toEqual(
          Array.from({ length: WRITERS }, (_, i) => created.version + 1 + i),
        );
      });

      it('refuses a stale expectedVersion with VersionConflictError and changes nothing', async () => {
        const created = await store.create(newEnvironmentRecord());
        const updated = await store.update(created.id, (c) => ({ record: { ...c, state: 'ACTIVE' } }), { expectedVersion: 1 });
        expect(updated.record.version).toBe(2);

        const error = await rejectionOf(
          store.update(created.id, (c) => ({ record: { ...c, state: 'FAILED' }, events: [event('x')] }), { expectedVersion: 1 }),
        );
        expect(error).toBeInstanceOf(VersionConflictError);
        expect(error).toMatchObject({ environmentId: created.id, expected: 1, actual: 2 });
        expect(await store.get(created.id)).toEqual(updated.record);
        expect((await store.listEvents(created.id, { pageSize: 10 })).items).toEqual([]);
      });

      it('throws EnvironmentNotFoundError for an unknown id', async () => {
        const error = await rejectionOf(store.update('env-missing', (c) => ({ record: c })));
        expect(error).toBeInstanceOf(EnvironmentNotFoundError);
        expect(error).toMatchObject({ environmentId: 'env-missing' });
      });

      it('refuses to change the identity of an environment', async () => {
        const created = await store.create(newEnvironmentRecord());
        await expect(store.update(created.id, (c) => ({ record: { ...c, name: 'other' } }))).rejects.toThrow(/may not change name/);
        expect(await store.get(created.id)).toEqual(created);
      });
    });

    describe('events', () => {
      it(`numbers the events of ${WRITERS} concurrent updates 1..N without gaps or duplicates`, { timeout: CONTENDED }, async () => {
        const created = await store.create(newEnvironmentRecord(), [event('a', 'operation.started'), event('b', 'stage.started')]);
        const results = await Promise.all(
          Array.from({ length: WRITERS }, (_, writer) =>
            store.update(created.id, (current) => ({
              // Half the writers change the record, half only append: both must number alike.
              record: writer % 2 ? null : { ...current, outputs: { ...current.outputs, [`w${writer}`]: 'x' } },
              events: [event(`${writer}.1`), event(`${writer}.2`), event(`${writer}.3`)],
            })),
          ),
        );
        for (const { events } of results) {
          const first = events[0]!.seq;
          expect(events.map((e) => e.seq)).toEqual([first, first + 1, first + 2]);
        }
        const total = 2 + 3 * WRITERS;
        const stored = (await store.listEvents(created.id, { pageSize: 100 })).items;
        expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        expect(stored.every((e) => e.environmentId === created.id)).toBe(true);
        // What each update was told it appended is what was stored under those numbers.
        const bySeq = new Map(stored.map((e) => [e.seq, e.message]));
        for (const { events } of results) for (const e of events) expect(bySeq.get(e.seq)).toBe(e.message);
        expect((await store.get(created.id))?.version).toBe(created.version + WRITERS / 2);
      });

      it('pages through events in seq order and honours afterSeq', async () => {
        const detailed: NewEvent = {
          time: '2030-01-01T00:00:00.000Z',
          type: 'step.failed',
          operationId: 'op-1',
          stage: 'base',
          step: 'create-cluster',
          message: 'stockout',
          details: { zones: [['us-west1-a'], ['us-west1-c']], code: 429, nothing: null },
        };
        const created = await store.create(
          newEnvironmentRecord(),
          [detailed, ...Array.from({ length: 24 }, (_, i) => event(`event ${i + 2}`))],
        );
        const seqs: number[][] = [];
        let pageToken: string | undefined;
        do {
          const page = await store.listEvents(created.id, { pageSize: 10, pageToken });
          seqs.push(page.items.map((e) => e.seq));
          if (seqs.length === 1) expect(page.items[0]).toEqual({ ...detailed, environmentId: created.id, seq: 1 });
          pageToken = page.nextPageToken;
        } while (pageToken);
        expect(seqs.map((s) => [s[0], s.at(-1)])).toEqual([[1, 10], [11, 20], [21, 25]]);

        const after = await store.listEvents(created.id, { pageSize: 10, afterSeq: 5 });
        expect(after.items.map((e) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
        const rest = await store.listEvents(created.id, { pageSize: 10, afterSeq: 5, pageToken: after.nextPageToken });
        expect(rest.items.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
        expect(rest.nextPageToken).toBeUndefined();

        expect(await store.listEvents('env-unknown', { pageSize: 10 })).toEqual({ items: [] });
        const other = await store.create(newEnvironmentRecord({ name: 'other' }));
        await expect(store.listEvents(other.id, { pageSize: 10, pageToken: after.nextPageToken })).rejects.toBeInstanceOf(
          InvalidPageTokenError,
        );
      });
    });

    describe('events, newest first', () => {
      it('pages backwards from the newest, above afterSeq', async () => {
        const created = await store.create(newEnvironmentRecord(), Array.from({ length: 12 }, (_, i) => event(`event ${i + 1}`)));
        const first = await store.listEvents(created.id, { pageSize: 5, newestFirst: true });
        expect(first.items.map((e) => e.seq)).toEqual([12, 11, 10, 9, 8]);
        const second = await store.listEvents(created.id, { pageSize: 5, newestFirst: true, pageToken: first.nextPageToken });
        expect(second.items.map((e) => e.seq)).toEqual([7, 6, 5, 4, 3]);
        const bounded = await store.listEvents(created.id, { pageSize: 5, newestFirst: true, afterSeq: 9 });
        expect(bounded.items.map((e) => e.seq)).toEqual([12, 11, 10]);
        expect(bounded.nextPageToken).toBeUndefined();
        // A token continues only the order it came from.
        await expect(store.listEvents(created.id, { pageSize: 5, pageToken: first.nextPageToken })).rejects.toBeInstanceOf(InvalidPageTokenError);
      });
    });

    describe('the outbox', () => {
      it('writes the deliveries of an update with its events: per target, the first PENDING and due, the rest QUEUED behind it', async () => {
        const created = await store.create(newEnvironmentRecord(), [event('created', 'operation.started')], outboxTo('t1'));
        expect(states((await store.listDeliveries(created.id, { pageSize: 100 })).items)).toEqual([`${deliveryId(1, 't1')} PENDING`]);

        await store.update(created.id, (c) => ({ record: { ...c, state: 'ACTIVE' }, events: [event('a'), event('b')], outbox: outboxTo('t1', 't2') }));
        const all = (await store.listDeliveries(created.id, { pageSize: 100 })).items;
        expect(states(all)).toEqual([
          `${deliveryId(1, 't1')} PENDING`,
          `${deliveryId(2, 't1')} QUEUED`, `${deliveryId(2, 't2')} PENDING`,
          `${deliveryId(3, 't1')} QUEUED`, `${deliveryId(3, 't2')} QUEUED`,
        ].sort());
        // Newest event first; what the outbox built is what is stored.
        expect(all.map((d) => d.id)).toEqual([deliveryId(3, 't2'), deliveryId(3, 't1'), deliveryId(2, 't2'), deliveryId(2, 't1'), deliveryId(1, 't1')]);
        expect(all[0]).toMatchObject({ environmentId: created.id, event: { seq: 3, type: 'step.succeeded' }, sealedTarget: 'sealed-t2', body: JSON.stringify({ seq: 3, message: 'b' }), attempts: [] });
        expect(await store.getDelivery(created.id, deliveryId(2, 't2'))).toEqual(all[2]);
        expect(await store.getDelivery(created.id, 'dlv-0000000099-t1')).toBeNull();
      });

      it('writes no delivery when the transaction fails', async () => {
        const created = await store.create(newEnvironmentRecord());
        await expect(store.update(created.id, () => ({ record: null, events: [event('x')], outbox: outboxTo('t1') }), { expectedVersion: 7 }))
          .rejects.toBeInstanceOf(VersionConflictError);
        await expect(store.update(created.id, () => ({ record: null, events: [event('x')], outbox: () => { throw new Error('outbox failed'); } })))
          .rejects.toThrow('outbox failed');
        expect((await store.listDeliveries(created.id, { pageSize: 10 })).items).toEqual([]);
        expect((await store.listEvents(created.id, { pageSize: 10 })).items).toEqual([]);
      });

      it('pages deliveries newest first', async () => {
        const created = await store.create(newEnvironmentRecord(), Array.from({ length: 7 }, (_, i) => event(`e${i}`)), outboxTo('t1'));
        const first = await store.listDeliveries(created.id, { pageSize: 4 });
        const second = await store.listDeliveries(created.id, { pageSize: 4, pageToken: first.nextPageToken });
        expect([...first.items, ...second.items].map((d) => d.event.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
        expect(second.nextPageToken).toBeUndefined();
        const other = await store.create(newEnvironmentRecord({ name: 'other' }));
        await expect(store.listDeliveries(other.id, { pageSize: 4, pageToken: first.nextPageToken })).rejects.toBeInstanceOf(InvalidPageTokenError);
      });

      it('claims a due delivery in a transaction: two dispatchers never claim one attempt twice', { timeout: CONTENDED }, async () => {
        const targets = Array.from({ length: WRITERS }, (_, i) => `t${i + 1}`);
        const created = await store.create(newEnvironmentRecord(), [event('one'), event('two')], outboxTo(...targets));
        // Two dispatchers at once, each asking for more than there is.
        const [a, b] = await Promise.all([store.claimDueDeliveries({ limit: 50, leaseMs: 60_000 }), store.claimDueDeliveries({ limit: 50, leaseMs: 60_000 })]);
        const claimedIds = [...a!, ...b!].map((d) => d.id);
        // Only the heads of the queues are due (event 1 for each target), each claimed exactly once.
        expect(claimedIds.sort()).toEqual(targets.map((t) => deliveryId(1, t)).sort());
        for (const d of [...a!, ...b!]) expect(d.claim?.token).toBeTruthy();
        // Claimed means not due again while the lease lasts.
        expect(await store.claimDueDeliveries({ limit: 50, leaseMs: 60_000 })).toEqual([]);
        expect((await store.getDelivery(created.id, claimedIds[0]!))?.claim).toBeDefined();
      });

      it('lets another dispatcher take a delivery over once its lease has passed, with a new claim', async () => {
        const created = await store.create(newEnvironmentRecord(), [event('one')], outboxTo('t1'));
        const [first] = await store.claimDueDeliveries({ limit: 10, leaseMs: 30_000 });
        expect(first?.id).toBe(deliveryId(1, 't1'));
        clock = new Date(Date.now() + 31_000).toISOString();
        const [second] = await store.claimDueDeliveries({ limit: 10, leaseMs: 30_000 });
        expect(second?.id).toBe(first!.id);
        expect(second!.claim!.token).not.toBe(first!.claim!.token);
        // The first dispatcher's result is refused by the claim check its update makes.
        const stale = await store.updateDelivery(created.id, first!.id, (current) => (current.claim?.token === first!.claim!.token ? delivered(current) : null));
        expect(stale.state).toBe('PENDING');
      });

      it('keeps each queue in event order: when its head ends, the next becomes PENDING and due', async () => {
        const created = await store.create(newEnvironmentRecord(), [event('one'), event('two'), event('three')], outboxTo('t1'));
        const order: number[] = [];
        for (;;) {
          const claimedNow = await store.claimDueDeliveries({ limit: 10, leaseMs: 60_000 });
          if (!claimedNow.length) break;
          expect(claimedNow).toHaveLength(1); // one head per queue
          order.push(claimedNow[0]!.event.seq);
          await store.updateDelivery(created.id, claimedNow[0]!.id, delivered);
        }
        expect(order).toEqual([1, 2, 3]);
        expect(states((await store.listDeliveries(created.id, { pageSize: 10 })).items).every((s) => s.endsWith('DELIVERED'))).toBe(true);
        // A later event joins the empty queue as its head.
        await store.update(created.id, () => ({ record: null, events: [event('four')], outbox: outboxTo('t1') }));
        expect((await store.getDelivery(created.id, deliveryId(4, 't1')))?.state).toBe('PENDING');
      });

      it('promotes only through the store, reopens ended deliveries only as redeliveries, which stay outside the queue', async () => {
        const created = await store.create(newEnvironmentRecord(), [event('one'), event('two')], outboxTo('t1'));
        const second = deliveryId(2, 't1');
        await expect(store.updateDelivery(created.id, second, (c) => ({ ...c, state: 'PENDING', nextAttemptTime: c.createTime }))).rejects.toThrow(/only the store promotes/);
        const head = (await store.updateDelivery(created.id, deliveryId(1, 't1'), delivered));
        await expect(store.updateDelivery(created.id, head.id, (c) => ({ ...c, state: 'PENDING', nextAttemptTime: c.createTime }))).rejects.toThrow(/only as a redelivery/);
        await expect(store.updateDelivery(created.id, head.id, (c) => ({ ...c, body: '{}' }))).rejects.toThrow(/may not change what it delivers/);
        await expect(store.updateDelivery(created.id, 'dlv-0000000099-t1', (c) => c)).rejects.toBeInstanceOf(DeliveryNotFoundError);

        // Redelivering event 1 while event 2 is the head: both are due, and ending the redelivery promotes nothing.
        const now = new Date().toISOString();
        await store.updateDelivery(created.id, head.id, ({ endTime: _e, outcome: _o, ...c }) => ({ ...c, state: 'PENDING', redelivery: true, nextAttemptTime: now, scheduleStart: now }));
        await store.update(created.id, () => ({ record: null, events: [event('three')], outbox: outboxTo('t1') }));
        expect(states(await store.claimDueDeliveries({ limit: 10, leaseMs: 60_000 }))).toEqual([`${head.id} PENDING`, `${second} PENDING`].sort());
        await store.updateDelivery(created.id, head.id, delivered);
        expect((await store.getDelivery(created.id, deliveryId(3, 't1')))?.state).toBe('QUEUED');
        await store.updateDelivery(created.id, second, delivered);
        expect((await store.getDelivery(created.id, deliveryId(3, 't1')))?.state).toBe('PENDING');
      });

      it('cancels the open deliveries of one target, and only those', async () => {
        const created = await store.create(newEnvironmentRecord(), [event('one'), event('two')], outboxTo('t1', 't2'));
        expect(await store.cancelOpenDeliveries(created.id, 't1', 'target disabled')).toBe(2);
        const all = (await store.listDeliveries(created.id, { pageSize: 10 })).items;
        expect(states(all)).toEqual([`${deliveryId(1, 't1')} CANCELLED`, `${deliveryId(2, 't1')} CANCELLED`, `${deliveryId(1, 't2')} PENDING`, `${deliveryId(2, 't2')} QUEUED`].sort());
        expect(all.find((d) => d.id === deliveryId(1, 't1'))).toMatchObject({ outcome: 'target disabled' });
        expect((await store.claimDueDeliveries({ limit: 10, leaseMs: 60_000 })).map((d) => d.id)).toEqual([deliveryId(1, 't2')]);
      });
    });

    describe('idempotency', () => {
      // Lease and expiry count from the store's clock, which some tests move forward.
      const window = (fromNowMs: number, leaseMs = 60_000) => {
        const now = Date.parse(clock ?? new Date().toISOString());
        return {
          createTime: new Date(now + fromNowMs - 3_600_000).toISOString(),
          expireTime: new Date(now + fromNowMs).toISOString(),
          leaseExpireTime: new Date(now + leaseMs).toISOString(),
        };
      };
      const reserve = (key: string, requestHash: string, owner: string, times = window(3_600_000)) =>
        store.beginIdempotent({ key, requestHash, owner, ...times });

      it('reserves a key once, then replays the completed response', async () => {
        const key = `user:alice/${randomUUID()}`;
        const times = window(3_600_000);
        expect(await reserve(key, 'h1', 'owner-1', times)).toEqual({ outcome: 'started' });
        expect(await reserve(key, 'h2', 'owner-2', window(7_200_000))).toEqual({
          outcome: 'existing',
          record: { key, requestHash: 'h1', owner: 'owner-1', state: 'IN_FLIGHT', ...times },
        });

        const response = {
          status: 202,
          body: { id: 'env-1', matrix: [[1, 2], [3]], none: null },
          headers: { location: '/environments/env-1' },
        };
        expect(await store.completeIdempotent(key, 'owner-1', response)).toBe(true);
        expect(await reserve(key, 'h1', 'owner-3')).toEqual({
          outcome: 'existing',
          record: { key, requestHash: 'h1', owner: 'owner-1', state: 'COMPLETED', response, ...times },
        });
        // Abandoning never drops a completed answer, and completing twice changes nothing.
        await store.abandonIdempotent(key, 'owner-1');
        expect(await store.completeIdempotent(key, 'owner-1', { status: 500, body: null })).toBe(false);
        expect(await reserve(key, 'h1', 'owner-4')).toMatchObject({ outcome: 'existing', record: { state: 'COMPLETED', response } });
      });

      it('lets an expired record be taken over', async () => {
        const key = `user:bob/${randomUUID()}`;
        expect(await reserve(key, 'old', 'o1', window(-60_000))).toEqual({ outcome: 'started' });
        expect(await reserve(key, 'new', 'o2')).toEqual({ outcome: 'started' });
        expect(await reserve(key, 'third', 'o3')).toMatchObject({ outcome: 'existing', record: { requestHash: 'new', state: 'IN_FLIGHT' } });
      });

      it('frees the key of a request that never finished once its lease runs out (not after the whole TTL)', async () => {
        const key = `user:dora/${randomUUID()}`;
        // The first request crashed: its reservation was never completed nor abandoned.
        expect(await reserve(key, 'h', 'crashed', window(3_600_000, 60_000))).toEqual({ outcome: 'started' });
        expect(await reserve(key, 'h', 'retry-early')).toMatchObject({ outcome: 'existing', record: { owner: 'crashed', state: 'IN_FLIGHT' } });
        clock = new Date(Date.now() + 61_000).toISOString();
        expect(await reserve(key, 'h', 'retry-later')).toEqual({ outcome: 'started' });
        // A completed answer is kept for the whole TTL, whatever its lease said.
        expect(await store.completeIdempotent(key, 'retry-later', { status: 202, body: { id: 'env-2' } })).toBe(true);
        clock = new Date(Date.now() + 3_000_000).toISOString();
        expect(await reserve(key, 'h', 'much-later')).toMatchObject({ outcome: 'existing', record: { state: 'COMPLETED' } });
      });

      it('never lets a late completion or abandon overwrite a newer reservation', async () => {
        const key = `user:erin/${randomUUID()}`;
        await reserve(key, 'h', 'slow', window(3_600_000, 60_000));
        clock = new Date(Date.now() + 61_000).toISOString();
        expect(await reserve(key, 'h', 'newer')).toEqual({ outcome: 'started' });
        // The slow request finally answers, or gives up: neither touches the newer reservation.
        expect(await store.completeIdempotent(key, 'slow', { status: 202, body: { id: 'stale' } })).toBe(false);
        await store.abandonIdempotent(key, 'slow');
        expect(await reserve(key, 'h', 'third')).toMatchObject({ outcome: 'existing', record: { owner: 'newer', state: 'IN_FLIGHT' } });
        expect(await store.completeIdempotent(key, 'newer', { status: 202, body: { id: 'fresh' } })).toBe(true);
        expect(await reserve(key, 'h', 'fourth')).toMatchObject({ outcome: 'existing', record: { response: { body: { id: 'fresh' } } } });
      });

      it(`lets exactly one of ${WRITERS} concurrent reservations of one key start`, { timeout: CONTENDED }, async () => {
        const key = `user:frank/${randomUUID()}`;
        const outcomes = await Promise.all(Array.from({ length: WRITERS }, (_, i) => reserve(key, 'h', `owner-${i}`)));
        expect(outcomes.filter((o) => o.outcome === 'started')).toHaveLength(1);
      });

      it('refuses to keep an answer over MAX_STORED_RESPONSE_BYTES', async () => {
        const key = `user:gina/${randomUUID()}`;
        await reserve(key, 'h', 'o');
        await expect(store.completeIdempotent(key, 'o', { status: 200, body: { blob: 'x'.repeat(MAX_STORED_RESPONSE_BYTES) } })).rejects.toThrow(RangeError);
        expect(await reserve(key, 'h', 'p')).toMatchObject({ outcome: 'existing', record: { state: 'IN_FLIGHT', owner: 'o' } });
      });

      it('drops an abandoned reservation', async () => {
        const key = `user:carol/${randomUUID()}`;
        await reserve(key, 'h', 'o1');
        await store.abandonIdempotent(key, 'o1');
        expect(await reserve(key, 'h', 'o2')).toEqual({ outcome: 'started' });
        // Keys are scoped exactly: another key is unaffected by this one.
        expect(await reserve(`${key}x`, 'h', 'o3')).toEqual({ outcome: 'started' });
      });
    });

    describe('projects: who is left, and the bootstrap removal', () => {
      const leave = (record: EnvironmentRecord, operationId: string) =>
        store.update(record.id, (current, project) => ({
          record: { ...current, state: 'DELETED' },
          // The last one out removes the bootstrap: its (running) operation holds the removal.
          bootstrapRemoval: project!.others.length === 0 ? { environmentId: current.id, operationId } : undefined,
        }), { project: true });
      const running = (id: string): Operation => ({ ...runningOperation(), id, kind: 'delete', target: 'delete' });

      it('shows an update the project’s other live environments, and refuses creates while a running removal holds', async () => {
        const a = await store.create(newEnvironmentRecord({ name: 'a', operation: running('op-a') }));
        const b = await store.create(newEnvironmentRecord({ name: 'b' }));
        await store.create(newEnvironmentRecord({ name: 'x', project: 'other-project' }));
        let seen: unknown;
        await store.update(a.id, (_current, project) => {
          seen = project;
          return { record: null };
        }, { project: true });
        expect(seen).toEqual({ others: [{ id: b.id, name: 'b' }] });
        await store.update(b.id, (current) => ({ record: { ...current, state: 'DELETED' } }));
        await leave(a, 'op-a');
        const refused = await rejectionOf(store.create(newEnvironmentRecord({ name: 'c' })));
        expect(refused).toBeInstanceOf(BootstrapBusyError);
        expect((refused as BootstrapBusyError).removal).toEqual({ environmentId: a.id, operationId: 'op-a' });
        // Other projects are not affected.
        await store.create(newEnvironmentRecord({ name: 'c', project: 'other-project' }));
        // Once the removal's operation ends, it holds nothing.
        await store.update(a.id, (current) => ({ record: { ...current, operation: { ...current.operation!, state: 'SUCCEEDED', endTime: new Date().toISOString() } } }));
        await store.create(newEnvironmentRecord({ name: 'c' }));
      });

      it('clears a removal when an update records null', async () => {
        const a = await store.create(newEnvironmentRecord({ name: 'a', operation: running('op-a') }));
        await leave(a, 'op-a');
        await store.update(a.id, (_current, project) => {
          expect(project!.bootstrapRemoval).toEqual({ environmentId: a.id, operationId: 'op-a' });
          return { record: null, bootstrapRemoval: null };
        }, { project: true });
        await store.create(newEnvironmentRecord({ name: 'b' }));
      });

      it('of two environments leaving at once, exactly one is the last', { timeout: CONTENDED }, async () => {
        const a = await store.create(newEnvironmentRecord({ name: 'a', operation: running('op-a') }));
        const b = await store.create(newEnvironmentRecord({ name: 'b', operation: running('op-b') }));
        await Promise.all([leave(a, 'op-a'), leave(b, 'op-b')]);
        const refused = await rejectionOf(store.create(newEnvironmentRecord({ name: 'c' })));
        expect(refused).toBeInstanceOf(BootstrapBusyError);
        const holder = (refused as BootstrapBusyError).removal.environmentId;
        expect([a.id, b.id]).toContain(holder);
      });

      it('a create racing the last leave: never a new environment beside a removal', { timeout: CONTENDED }, async () => {
        const a = await store.create(newEnvironmentRecord({ name: 'a', operation: running('op-a') }));
        const [left, created] = await Promise.allSettled([leave(a, 'op-a'), store.create(newEnvironmentRecord({ name: 'b' }))]);
        expect(left.status).toBe('fulfilled');
        const removal = await rejectionOf(store.create(newEnvironmentRecord({ name: 'probe' }))).catch(() => undefined);
        if (created.status === 'fulfilled') {
          // The create came first: the leave saw it, so nothing is being removed.
          expect(removal).toBeUndefined();
        } else {
          expect(created.reason).toBeInstanceOf(BootstrapBusyError);
        }
      });
    });

    describe('list', () => {
      it('filters by state, project and labels, newest first', async () => {
        const a = await store.create(newEnvironmentRecord({ name: 'a', project: 'project-one', labels: { team: 'blue', tier: 'x' } }));
        const b = await store.create(newEnvironmentRecord({ name: 'b', project: 'project-one', labels: { team: 'red' } }));
        const c = await store.create(newEnvironmentRecord({ name: 'c', project: 'project-one', labels: { team: 'blue' }, state: 'ACTIVE' }));
        const d = await store.create(newEnvironmentRecord({ name: 'd', project: 'project-two', labels: { team: 'blue', tier: 'x' } }));
        const list = async (q: Omit<Parameters<EnvironmentStore['list']>[0], 'pageSize'>) =>
          ids((await store.list({ pageSize: 100, ...q })).items);

        expect(await list({})).toEqual(ids([d, c, b, a]));
        expect(await list({ project: 'project-one' })).toEqual(ids([c, b, a]));
        expect(await list({ state: 'ACTIVE' })).toEqual(ids([c]));
        expect(await list({ labels: { team: 'blue' } })).toEqual(ids([d, c, a]));
        expect(await list({ labels: { team: 'blue', tier: 'x' } })).toEqual(ids([d, a]));
        expect(await list({ project: 'project-one', labels: { team: 'blue' } })).toEqual(ids([c, a]));
        expect(await list({ project: 'project-one', state: 'CREATING', labels: { team: 'red' } })).toEqual(ids([b]));
        expect(await list({ project: 'project-three' })).toEqual([]);
        expect((await store.list({ pageSize: 100 })).items[0]).toEqual(d);
      });

      it('pages without skipping or repeating while environments are added', async () => {
        const project = 'paging-project';
        const original: EnvironmentRecord[] = [];
        for (let i = 0; i < 7; i++) original.push(await store.create(newEnvironmentRecord({ project, name: `env-${i}` })));

        const seen: string[] = [];
        let pageToken: string | undefined;
        let added = 0;
        do {
          const page = await store.list({ pageSize: 3, project, pageToken });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...ids(page.items));
          pageToken = page.nextPageToken;
          await store.create(newEnvironmentRecord({ project, name: `late-${added++}` }));
        } while (pageToken);
        expect(seen).toEqual(ids(original).reverse());
        expect(added).toBe(3);
      });

      it('pages through a multi-label filter that most environments miss', async () => {
        const project = 'label-project';
        const created: EnvironmentRecord[] = [];
        for (let i = 0; i < 12; i++) {
          const labels = { team: i % 2 ? 'blue' : 'red', tier: i % 3 ? 'x' : 'y' };
          created.push(await store.create(newEnvironmentRecord({ project, name: `env-${i}`, labels })));
        }
        const expected = created.filter((r) => r.labels.team === 'red' && r.labels.tier === 'x').reverse();
        const seen: string[] = [];
        let pageToken: string | undefined;
        do {
          const page = await store.list({ pageSize: 2, project, labels: { tier: 'x', team: 'red' }, pageToken });
          seen.push(...ids(page.items));
          pageToken = page.nextPageToken;
        } while (pageToken);
        expect(seen).toEqual(ids(expected));
      });

      it('refuses tampered and foreign page tokens with InvalidPageTokenError', async () => {
        for (let i = 0; i < 3; i++) await store.create(newEnvironmentRecord({ name: `env-${i}` }));
        const first = await store.list({ pageSize: 1, project: 'my-project-1' });
        const token = first.nextPageToken!;
        const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
        const reencode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        const invalid = [
          'not-a-token',
          token.slice(0, -3),
          reencode({ ...decoded, v: 2 }),
          reencode({ ...decoded, f: 'another-filter' }),
          reencode({ ...decoded, after: { $gt: '' } }),
        ];
        for (const pageToken of invalid) {
          await expect(store.list({ pageSize: 1, project: 'my-project-1', pageToken })).rejects.toBeInstanceOf(InvalidPageTokenError);
        }
        // A token only continues the list it came from.
        await expect(store.list({ pageSize: 1, pageToken: token })).rejects.toBeInstanceOf(InvalidPageTokenError);
        await expect(store.list({ pageSize: 1, project: 'my-project-1', state: 'ACTIVE', pageToken: token })).rejects.toBeInstanceOf(
          InvalidPageTokenError,
        );
        // Page size may change between pages.
        const second = await store.list({ pageSize: 5, project: 'my-project-1', pageToken: token });
        expect(second.items).toHaveLength(2);
        expect(second.nextPageToken).toBeUndefined();
      });
    });

    it('reports a malformed stored document as CorruptRecordError naming it', async () => {
      const record = await store.create(newEnvironmentRecord());
      await harness.corruptEnvironment(record.id);
      const error = await rejectionOf(store.get(record.id));
      expect(error).toBeInstanceOf(CorruptRecordError);
      expect((error as CorruptRecordError).documentPath).toMatch(new RegExp(`environments/${record.id}$`));
      expect((error as CorruptRecordError).message).toContain(record.id);
      await expect(store.list({ pageSize: 10 })).rejects.toBeInstanceOf(CorruptRecordError);
      await expect(store.update(record.id, (c) => ({ record: c }))).rejects.toBeInstanceOf(CorruptRecordError);
    });

    it('lists the live environment ids of a project', async () => {
      const a = await store.create(newEnvironmentRecord({ name: 'a' }));
      const b = await store.create(newEnvironmentRecord({ name: 'b', state: 'FAILED' }));
      const c = await store.create(newEnvironmentRecord({ name: 'c' }));
      await store.create(newEnvironmentRecord({ name: 'a', project: 'other-project' }));
      await store.update(c.id, (current) => ({ record: { ...current, state: 'DELETED' } }));
      expect((await store.liveEnvironmentIdsInProject('my-project-1')).sort()).toEqual([a.id, b.id].sort());
      expect(await store.liveEnvironmentIdsInProject('empty-project')).toEqual([]);
    });

    it('lists the environments whose operation is RUNNING', async () => {
      const running = await store.create(newEnvironmentRecord({ name: 'running', operation: runningOperation() }));
      const done = runningOperation();
      await store.create(newEnvironmentRecord({ name: 'done', operation: { ...done, state: 'SUCCEEDED', endTime: done.startTime } }));
      await store.create(newEnvironmentRecord({ name: 'none' }));
      expect(await store.listWithRunningOperation()).toEqual([running]);

      await store.update(running.id, (current) => ({
        record: { ...current, state: 'ACTIVE', operation: { ...current.operation!, state: 'SUCCEEDED', endTime: new Date().toISOString() } },
      }));
      expect(await store.listWithRunningOperation()).toEqual([]);
    });

    it('lists the environments not DELETED that expire by a given instant', async () => {
      const soon = await store.create(newEnvironmentRecord({ name: 'soon', expireTime: '2026-05-01T10:00:00.000Z' }));
      const exactly = await store.create(newEnvironmentRecord({ name: 'exactly', expireTime: '2026-05-01T12:00:00.000Z' }));
      await store.create(newEnvironmentRecord({ name: 'later', expireTime: '2026-05-01T12:00:00.001Z' }));
      await store.create(newEnvironmentRecord({ name: 'never' }));
      await store.create(newEnvironmentRecord({ name: 'gone', state: 'DELETED', expireTime: '2026-05-01T09:00:00.000Z' }));
      expect((await store.listExpiring('2026-05-01T12:00:00.000Z')).map((r) => r.id)).toEqual([soon.id, exactly.id].sort());
    });
  });
}
