import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptRecordError, NameTakenError } from '../../../api/store/port.js';
import { SqliteEnvironmentStore } from '../../../api/store/sqlite.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';
import { storeContract } from './contract.js';

/** Runs `fn` on a second, raw connection to the store's file: what another process would see. */
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

storeContract('sqlite', async () => {
  const { dir, path } = await tempStorePath();
  const store = new SqliteEnvironmentStore({ path });
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
    async corruptEnvironment(id) {
      withRawConnection(path, (db) =>
        db.prepare('UPDATE environments SET record = ? WHERE id = ?').run(JSON.stringify({ id, name: 42 }), id),
      );
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
    expect(withRawConnection(path, (db) => [db.pragma('user_version', { simple: true }), db.pragma('journal_mode', { simple: true })])).toEqual([1, 'wal']);

    const reopened = new SqliteEnvironmentStore({ path });
    expect(await reopened.get(record.id)).toEqual(record);
    await reopened.close();
  });

  it('refuses a file written by a newer schema instead of guessing', () => {
    const newer = join(dir, 'newer.db');
    withRawConnection(newer, (db) => db.pragma('user_version = 99'));
    expect(() => new SqliteEnvironmentStore({ path: newer })).toThrow(/schema version 99 is newer/);
  });

  it('enforces one live name across two connections to one file', async () => {
    const a = new SqliteEnvironmentStore({ path });
    const b = new SqliteEnvironmentStore({ path });
    try {
      const first = await a.create(newEnvironmentRecord());
      await expect(b.create(newEnvironmentRecord())).rejects.toBeInstanceOf(NameTakenError);
      await b.update(first.id, (current) => ({ record: { ...current, outputs: { by: 'b' } } }));
      expect((await a.get(first.id))?.outputs).toEqual({ by: 'b' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('serves an unchanged environment without re-reading it, yet sees every write: its own, another connection\'s, a raw edit', async () => {
    const a = new SqliteEnvironmentStore({ path });
    const b = new SqliteEnvironmentStore({ path });
    try {
      const { id } = await a.create(newEnvironmentRecord());
      const first = await a.get(id);
      expect(await a.get(id)).toBe(first); // the same frozen record: nothing was read or parsed again
      await b.update(id, (current) => ({ record: { ...current, outputs: { by: 'b' } } }));
      expect((await a.get(id))?.outputs).toEqual({ by: 'b' });
      await a.update(id, (current) => ({ record: { ...current, outputs: { by: 'a' } } }));
      expect((await a.get(id))?.outputs).toEqual({ by: 'a' });
      expect((await b.get(id))?.outputs).toEqual({ by: 'a' });
      withRawConnection(path, (db) => db.prepare("UPDATE environments SET record = '{not json' WHERE id = ?").run(id));
      await expect(a.get(id)).rejects.toThrow(CorruptRecordError);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reports text that is not JSON as CorruptRecordError naming the row', async () => {
    const store = new SqliteEnvironmentStore({ path });
    try {
      const record = await store.create(newEnvironmentRecord());
      withRawConnection(path, (db) => db.prepare("UPDATE environments SET record = '{not json' WHERE id = ?").run(record.id));
      await expect(store.get(record.id)).rejects.toThrow(CorruptRecordError);
      await expect(store.get(record.id)).rejects.toMatchObject({ documentPath: `environments/${record.id}` });
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
