import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DELIVERY_RETENTION_MS, deliveryId } from '../../../api/domain/notifications/delivery.js';
import { CorruptRecordError } from '../../../api/store/port.js';
import { SqliteEnvironmentStore } from '../../../api/store/sqlite.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';
import { outboxTo, storeContract } from './contract.js';

/** Runs `fn` on a raw connection to a store's file while no store owns it. */
function withRawConnection<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

async function tempStorePath(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
  // A directory that does not exist yet: the store creates it.
  return { dir, path: join(dir, 'nested', 'store.db') };
}

storeContract('sqlite', async (now) => {
  const { dir, path } = await tempStorePath();
  const store = new SqliteEnvironmentStore({ path, now });
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
    async corruptEnvironment(id) {
      // Through the store's own connection: while it owns the file, no other connection may open it.
      (store as unknown as { db: Database.Database }).db
        .prepare('UPDATE environments SET record = ? WHERE id = ?').run(JSON.stringify({ id, name: 42 }), id);
    },
  };
});

describe('SqliteEnvironmentStore on its file', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    ({ dir, path } = await tempStorePath());
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates a new file once, in WAL mode, and keeps data across reopening', async () => {
    const first = new SqliteEnvironmentStore({ path });
    const record = await first.create(newEnvironmentRecord());
    await first.close();
    expect(withRawConnection(path, (db) => [db.pragma('user_version', { simple: true }), db.pragma('journal_mode', { simple: true })])).toEqual([4, 'wal']);

    const reopened = new SqliteEnvironmentStore({ path });
    expect(await reopened.get(record.id)).toEqual(record);
    await reopened.close();
  });

  it('refuses a file written by a newer schema instead of guessing', () => {
    const newer = join(dir, 'newer.db');
    withRawConnection(newer, (db) => db.pragma('user_version = 99'));
    expect(() => new SqliteEnvironmentStore({ path: newer })).toThrow(/schema version 99 is newer/);
  });

  it('refuses a second owner of the file with a clear error, and hands the file over on close', async () => {
    const owner = new SqliteEnvironmentStore({ path });
    const record = await owner.create(newEnvironmentRecord());
    expect(() => new SqliteEnvironmentStore({ path })).toThrow(/is in use by another process: one service at a time may own a data folder/);
    await owner.close();
    const next = new SqliteEnvironmentStore({ path });
    expect(await next.get(record.id)).toEqual(record);
    await next.close();
  });

  it('serves an unchanged environment without reading it again, and sees each of its own writes', async () => {
    const store = new SqliteEnvironmentStore({ path });
    try {
      const { id } = await store.create(newEnvironmentRecord());
      const first = await store.get(id);
      expect(await store.get(id)).toBe(first); // the same frozen record: nothing was read or parsed again
      await store.update(id, (current) => ({ record: { ...current, outputs: { clusterName: 'one' } } }));
      expect((await store.get(id))?.outputs).toEqual({ clusterName: 'one' });
      await expect(store.update(id, () => {
        throw new Error('mutation failed');
      })).rejects.toThrow('mutation failed');
      expect((await store.get(id))?.outputs).toEqual({ clusterName: 'one' });
      await store.update(id, (current) => ({ record: { ...current, outputs: { clusterName: 'two' } } }));
      expect((await store.get(id))?.outputs).toEqual({ clusterName: 'two' });
    } finally {
      await store.close();
    }
  });

  it('reports text that is not JSON as CorruptRecordError naming the row', async () => {
    const first = new SqliteEnvironmentStore({ path });
    const record = await first.create(newEnvironmentRecord());
    await first.close();
    withRawConnection(path, (db) => db.prepare("UPDATE environments SET record = '{not json' WHERE id = ?").run(record.id));
    const store = new SqliteEnvironmentStore({ path });
    try {
      await expect(store.get(record.id)).rejects.toThrow(CorruptRecordError);
      await expect(store.get(record.id)).rejects.toMatchObject({ documentPath: `environments/${record.id}` });
    } finally {
      await store.close();
    }
  });

  it('drops ended deliveries once their retention has passed, and keeps open ones', async () => {
    let now = new Date().toISOString();
    const store = new SqliteEnvironmentStore({ path, now: () => now });
    try {
      const { id } = await store.create(newEnvironmentRecord(), [{ time: now, type: 'step.succeeded', message: 'one' }], outboxTo('t1'));
      await store.update(id, () => ({ record: null, events: [{ time: now, type: 'step.succeeded', message: 'two' }], outbox: outboxTo('t2') }));
      await store.updateDelivery(id, deliveryId(1, 't1'), ({ nextAttemptTime: _n, ...d }) => ({ ...d, state: 'DELIVERED', endTime: now, outcome: 'delivered (HTTP 200)' }));
      now = new Date(Date.parse(now) + DELIVERY_RETENTION_MS - 1000).toISOString();
      await store.claimDueDeliveries({ limit: 10, leaseMs: 60_000 });
      expect((await store.listDeliveries(id, { pageSize: 10 })).items.map((d) => d.id)).toEqual([deliveryId(2, 't2'), deliveryId(1, 't1')]);
      now = new Date(Date.parse(now) + 2000).toISOString();
      await store.claimDueDeliveries({ limit: 10, leaseMs: 60_000 });
      expect((await store.listDeliveries(id, { pageSize: 10 })).items.map((d) => d.id)).toEqual([deliveryId(2, 't2')]);
    } finally {
      await store.close();
    }
  });

  it('works in memory', async () => {
    const store = new SqliteEnvironmentStore({ path: ':memory:' });
    const record = await store.create(newEnvironmentRecord());
    expect(await store.get(record.id)).toEqual(record);
    await store.close();
  });
});
