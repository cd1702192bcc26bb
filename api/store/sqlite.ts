import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  EnvironmentEventSchema, EnvironmentRecordSchema, type EnvironmentEvent, type EnvironmentRecord, type NewEvent,
} from '../domain/environment.js';
import { DeliverySchema, type Delivery, type NewDelivery } from '../domain/notifications/delivery.js';
import {
  DELIVERY_CURSOR, ENVIRONMENT_CURSOR, EVENT_CURSOR, IdempotencyRecordSchema, applyDeliveryUpdate, applyUpdate, assertPageSize,
  canTakeOver, cancelled, checkedRecord, claimed, decodePageToken, deliveryFilterKey, dueMs, enqueue, environmentFilterKey, eventFilterKey, expiresMs,
  holdsName, inQueue, isDue, numberEvents, parseStored, parseStoredJson, ProjectDocumentSchema, promoted, removalHolds, storableResponse,
  systemNow, toPage,
} from './common.js';
import {
  BootstrapBusyError, DeliveryNotFoundError, EnvironmentNotFoundError, NameTakenError, StoreInUseError, type BootstrapRemoval, type EnvironmentStore,
  type IdempotencyBegin, type ProjectView,
  type IdempotencyRecord, type ListDeliveriesQuery, type ListEnvironmentsQuery, type ListEventsQuery, type Outbox, type Page,
  type UpdateResult,
} from './port.js';

/**
 * The embedded EnvironmentStore (DESIGN §8): one SQLite file, written through better-sqlite3's
 * synchronous transactions; each port method is one `BEGIN IMMEDIATE` transaction.
 *
 * One store owns its file (SQLite's exclusive locking mode): the local profile's engine and sandbox
 * live in the process, so a second process on the same records would take the first one's running
 * operations for lost ones — it is refused at open instead. Owning the file also means nothing can
 * change a row behind the store's back, so an unchanged environment is served from memory.
 */

/**
 * Schema migrations, applied in order on open; `PRAGMA user_version` counts those applied.
 * Append new steps, never edit old ones: files created by earlier versions replay only the tail.
 */
const MIGRATIONS: readonly string[] = [
  `
  -- The record is stored whole as JSON; the columns beside it are copies of its fields that
  -- queries and constraints need.
  CREATE TABLE environments (
    id        TEXT PRIMARY KEY,
    project   TEXT NOT NULL,
    name      TEXT NOT NULL,
    state     TEXT NOT NULL,
    created   TEXT NOT NULL,
    event_seq INTEGER NOT NULL DEFAULT 0,  -- seq of the last event appended
    record    TEXT NOT NULL
  ) STRICT;
  -- One live environment per (project, name); a DELETED one frees its name.
  CREATE UNIQUE INDEX environments_live_name ON environments (project, name) WHERE state != 'DELETED';
  CREATE INDEX environments_project ON environments (project, id);
  CREATE INDEX environments_state ON environments (state, id);

  CREATE TABLE events (
    environment_id TEXT NOT NULL REFERENCES environments (id),
    seq            INTEGER NOT NULL,
    event          TEXT NOT NULL,
    PRIMARY KEY (environment_id, seq)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE idempotency (
    key       TEXT PRIMARY KEY,
    state     TEXT NOT NULL,
    expire_ms INTEGER NOT NULL,  -- expireTime as epoch milliseconds, so expiry is a range scan
    record    TEXT NOT NULL
  ) STRICT;
  CREATE INDEX idempotency_expiry ON idempotency (expire_ms);
  `,
  `
  -- The outbox: one row per (event, target), written with the event.
  CREATE TABLE deliveries (
    environment_id TEXT NOT NULL REFERENCES environments (id),
    id             TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    state          TEXT NOT NULL,
    in_queue       INTEGER NOT NULL,  -- open and not a redelivery: part of its target's queue
    due_ms         INTEGER,           -- PENDING: when it may be claimed (epoch ms); else NULL
    expire_ms      INTEGER,           -- ended: when it may be dropped (epoch ms); else NULL
    record         TEXT NOT NULL,
    PRIMARY KEY (environment_id, id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX deliveries_due ON deliveries (due_ms) WHERE due_ms IS NOT NULL;
  CREATE INDEX deliveries_queue ON deliveries (environment_id, target_id, seq) WHERE in_queue = 1;
  CREATE INDEX deliveries_expiry ON deliveries (expire_ms) WHERE expire_ms IS NOT NULL;
  `,
  // Idempotency reservations gained an owner and a lease; records written before cannot have one.
  `DELETE FROM idempotency;`,
  `
  -- One row per project that ever had its bootstrap removal recorded (port.ts ProjectView).
  CREATE TABLE projects (
    project TEXT PRIMARY KEY,
    record  TEXT NOT NULL
  ) STRICT;
  `,
];

export interface SqliteEnvironmentStoreOptions {
  /** A file path (its directory is created when missing) or ':memory:'. */
  path: string;
  now?: () => string;
}

interface EnvironmentRow {
  id: string;
  event_seq: number;
  record: string;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * better-sqlite3's native addon, named directly: its own lookup (the `bindings` package) probes
 * a dozen paths at every start and cannot work once the JavaScript is bundled (api/scripts/build.ts).
 */
const NATIVE_BINDING = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');

const SELECT_ENVIRONMENT = 'SELECT id, event_seq, record FROM environments';

export class SqliteEnvironmentStore implements EnvironmentStore {
  private readonly db: Database.Database;
  private readonly now: () => string;
  /** Prepared once, reused: preparing is most of the cost of a small query. */
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * The validated record per id, as its row holds it: the store owns the file and drops an entry
   * whenever it writes that row, so an entry is never stale. Reading an unchanged environment —
   * what polling clients do — costs no SQL, JSON parsing or validation. Records are frozen, so no
   * caller can change what another caller gets.
   */
  private readonly records = new Map<string, EnvironmentRecord>();

  constructor({ path, now = systemNow }: SqliteEnvironmentStoreOptions) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.now = now;
    this.db = new Database(path, { nativeBinding: NATIVE_BINDING });
    try {
      // Exclusive before WAL: SQLite then keeps the WAL index in process memory, takes no file
      // locks per transaction, and holds the file until close. busy_timeout lets an owner that is
      // just closing (a restart) finish before this open gives up.
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('busy_timeout = 2000');
      this.db.pragma('journal_mode = WAL');
      // SQLite's recommendation with WAL: never corrupts; a power cut may lose the last commits,
      // which reconciliation settles like any other lost report. FULL would fsync every report.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (error) {
      this.db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new StoreInUseError(path);
      throw error;
    }
  }

  private migrate(): void {
    this.write(() => {
      const applied = this.db.pragma('user_version', { simple: true }) as number;
      if (applied > MIGRATIONS.length) {
        throw new Error(`database schema version ${applied} is newer than this code (${MIGRATIONS.length})`);
      }
      if (applied === MIGRATIONS.length) return; // nothing to write: an up-to-date file opens without a commit
      for (const migration of MIGRATIONS.slice(applied)) this.db.exec(migration);
      this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    });
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken before the first read. */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private sql<P extends unknown[] | {} = unknown[], R = unknown>(text: string): Database.Statement<P, R> {
    let statement = this.statements.get(text);
    if (!statement) {
      // Bounded: list queries vary with their filters.
      if (this.statements.size >= 200) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement as Database.Statement<P, R>;
  }

  private parseRecord(row: EnvironmentRow): EnvironmentRecord {
    const cached = this.records.get(row.id);
    if (cached) return cached;
    const path = `environments/${row.id}`;
    const record = deepFreeze(parseStored(EnvironmentRecordSchema, parseStoredJson(row.record, path), path));
    if (this.records.size >= 1000) this.records.clear();
    this.records.set(row.id, record);
    return record;
  }

  private liveNameHolder(project: string, name: string): string | undefined {
    const row = this.sql<[string, string], { id: string }>("SELECT id FROM environments WHERE project = ? AND name = ? AND state != 'DELETED'")
      .get(project, name);
    return row?.id;
  }

  private insertEvents(events: EnvironmentEvent[]): void {
    const insert = this.sql<[string, number, string]>('INSERT INTO events (environment_id, seq, event) VALUES (?, ?, ?)');
    for (const event of events) insert.run(event.environmentId, event.seq, JSON.stringify(event));
  }

  private readProject(project: string): { bootstrapRemoval?: BootstrapRemoval } {
    const row = this.sql<[string], { record: string }>('SELECT record FROM projects WHERE project = ?').get(project);
    if (!row) return {};
    const path = `projects/${project}`;
    return parseStored(ProjectDocumentSchema, parseStoredJson(row.record, path), path);
  }

  private writeProject(project: string, bootstrapRemoval: BootstrapRemoval | null): void {
    this.sql('INSERT OR REPLACE INTO projects (project, record) VALUES (?, ?)')
      .run(project, JSON.stringify(bootstrapRemoval ? { bootstrapRemoval } : {}));
  }

  /** The project's removal, if it still holds (its operation runs); a stale one is dropped. */
  private heldRemoval(project: string): BootstrapRemoval | undefined {
    const { bootstrapRemoval } = this.readProject(project);
    if (!bootstrapRemoval) return undefined;
    const holder = this.sql<[string], EnvironmentRow>(`${SELECT_ENVIRONMENT} WHERE id = ?`).get(bootstrapRemoval.environmentId);
    return removalHolds(bootstrapRemoval, holder ? this.parseRecord(holder) : null) ? bootstrapRemoval : undefined;
  }

  private projectView(project: string, id: string): ProjectView {
    const others = this.sql<[string, string], { id: string; name: string }>(
      "SELECT id, name FROM environments WHERE project = ? AND state != 'DELETED' AND id != ? ORDER BY id",
    ).all(project, id);
    const bootstrapRemoval = this.heldRemoval(project);
    return { others, ...(bootstrapRemoval && { bootstrapRemoval }) };
  }

  async create(record: EnvironmentRecord, events: NewEvent[] = [], outbox?: Outbox): Promise<EnvironmentRecord> {
    const stored = checkedRecord(record);
    const numbered = numberEvents(stored.id, 0, events);
    const deliveries = outbox && numbered.length ? outbox(stored, numbered) : [];
    this.write(() => {
      const removal = this.heldRemoval(stored.project);
      if (removal) throw new BootstrapBusyError(stored.project, removal);
      // The partial unique index is the guarantee; this lookup only names the holder.
      const holder = holdsName(stored) ? this.liveNameHolder(stored.project, stored.name) : undefined;
      if (holder) throw new NameTakenError(stored.project, stored.name, holder);
      this.sql('INSERT INTO environments (id, project, name, state, created, event_seq, record) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(stored.id, stored.project, stored.name, stored.state, stored.createTime, numbered.length, JSON.stringify(stored));
      this.insertEvents(numbered);
      this.insertDeliveries(stored.id, deliveries);
    });
    return stored;
  }

  async get(id: string): Promise<EnvironmentRecord | null> {
    const cached = this.records.get(id);
    if (cached) return cached;
    const row = this.sql<[string], EnvironmentRow>(`${SELECT_ENVIRONMENT} WHERE id = ?`).get(id);
    return row ? this.parseRecord(row) : null;
  }

  async update(
    id: string,
    mutate: (current: EnvironmentRecord, project?: ProjectView) => UpdateResult,
    options: { expectedVersion?: number; project?: boolean } = {},
  ): Promise<{ record: EnvironmentRecord; events: EnvironmentEvent[] }> {
    // One writer at a time (BEGIN IMMEDIATE): what the project view shows cannot change before the commit.
    return this.write(() => {
      const row = this.sql<[string], EnvironmentRow>(`${SELECT_ENVIRONMENT} WHERE id = ?`).get(id);
      if (!row) throw new EnvironmentNotFoundError(id);
      const current = this.parseRecord(row);
      const project = options.project ? this.projectView(current.project, id) : undefined;
      const { next, events, lastSeq: eventSeq, deliveries, bootstrapRemoval } = applyUpdate(current, row.event_seq, mutate, {
        expectedVersion: options.expectedVersion, now: this.now, ...(project && { project }),
      });
      if (bootstrapRemoval !== undefined) this.writeProject(current.project, bootstrapRemoval);
      if (next) {
        if (holdsName(next) && !holdsName(current)) {
          const holder = this.liveNameHolder(next.project, next.name);
          if (holder) throw new NameTakenError(next.project, next.name, holder);
        }
        this.records.delete(id); // the next read parses what is written now
        this.sql('UPDATE environments SET state = ?, event_seq = ?, record = ? WHERE id = ?')
          .run(next.state, eventSeq, JSON.stringify(next), id);
      } else if (events.length) {
        this.sql('UPDATE environments SET event_seq = ? WHERE id = ?').run(eventSeq, id);
      }
      this.insertEvents(events);
      this.insertDeliveries(id, deliveries);
      return { record: next ?? current, events };
    });
  }

  async list(query: ListEnvironmentsQuery): Promise<Page<EnvironmentRecord>> {
    assertPageSize(query.pageSize);
    const filterKey = environmentFilterKey(query);
    const after = decodePageToken(query.pageToken, filterKey, ENVIRONMENT_CURSOR);
    const conditions: string[] = [];
    const params: (string | number)[] = [];
    if (query.state) {
      conditions.push('state = ?');
      params.push(query.state);
    }
    if (query.project) {
      conditions.push('project = ?');
      params.push(query.project);
    }
    for (const [key, value] of Object.entries(query.labels ?? {})) {
      conditions.push("EXISTS (SELECT 1 FROM json_each(environments.record, '$.labels') WHERE key = ? AND value = ?)");
      params.push(key, value);
    }
    if (after !== undefined) {
      conditions.push('id < ?');
      params.push(after);
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.sql<(string | number)[], EnvironmentRow>(`${SELECT_ENVIRONMENT} ${where} ORDER BY id DESC LIMIT ?`)
      .all(...params, query.pageSize + 1);
    return toPage(rows.map((row) => this.parseRecord(row)), query.pageSize, (record) => record.id, filterKey);
  }

  async listEvents(environmentId: string, query: ListEventsQuery): Promise<Page<EnvironmentEvent>> {
    assertPageSize(query.pageSize);
    const filterKey = eventFilterKey(environmentId, query.newestFirst);
    const cursor = decodePageToken(query.pageToken, filterKey, EVENT_CURSOR);
    const rows = query.newestFirst
      ? this.sql<[string, number, number, number], { seq: number; event: string }>(
          'SELECT seq, event FROM events WHERE environment_id = ? AND seq > ? AND seq < ? ORDER BY seq DESC LIMIT ?',
        ).all(environmentId, query.afterSeq ?? 0, cursor ?? Number.MAX_SAFE_INTEGER, query.pageSize + 1)
      : this.sql<[string, number, number], { seq: number; event: string }>(
          'SELECT seq, event FROM events WHERE environment_id = ? AND seq > ? ORDER BY seq LIMIT ?',
        ).all(environmentId, Math.max(query.afterSeq ?? 0, cursor ?? 0), query.pageSize + 1);
    const events = rows.map(({ seq, event }) => {
      const path = `environments/${environmentId}/events/${seq}`;
      return parseStored(EnvironmentEventSchema, parseStoredJson(event, path), path);
    });
    return toPage(events, query.pageSize, (event) => event.seq, filterKey);
  }

  async liveEnvironmentIdsInProject(project: string): Promise<string[]> {
    return this.sql<[string], { id: string }>("SELECT id FROM environments WHERE project = ? AND state != 'DELETED' ORDER BY id")
      .all(project)
      .map((row) => row.id);
  }

  async listWithRunningOperation(): Promise<EnvironmentRecord[]> {
    return this.sql<[], EnvironmentRow>(`${SELECT_ENVIRONMENT} WHERE json_extract(record, '$.operation.state') = 'RUNNING' ORDER BY id`)
      .all()
      .map((row) => this.parseRecord(row));
  }

  async listExpiring(until: string): Promise<EnvironmentRecord[]> {
    return this.sql<[string], EnvironmentRow>(`${SELECT_ENVIRONMENT} WHERE state != 'DELETED' AND json_extract(record, '$.expireTime') <= ? ORDER BY id`)
      .all(until)
      .map((row) => this.parseRecord(row));
  }

  // -- The outbox ---------------------------------------------------------------------------

  private writeDelivery(delivery: Delivery): void {
    this.sql('INSERT OR REPLACE INTO deliveries (environment_id, id, target_id, seq, state, in_queue, due_ms, expire_ms, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(delivery.environmentId, delivery.id, delivery.target.id, delivery.event.seq, delivery.state, inQueue(delivery) ? 1 : 0, dueMs(delivery), expiresMs(delivery), JSON.stringify(delivery));
  }

  private parseDelivery(environmentId: string, row: { id: string; record: string }): Delivery {
    const path = `environments/${environmentId}/deliveries/${row.id}`;
    return parseStored(DeliverySchema, parseStoredJson(row.record, path), path);
  }

  private readDelivery(environmentId: string, id: string): Delivery | undefined {
    const row = this.sql<[string, string], { id: string; record: string }>('SELECT id, record FROM deliveries WHERE environment_id = ? AND id = ?')
      .get(environmentId, id);
    return row ? this.parseDelivery(environmentId, row) : undefined;
  }

  /** Within the caller's transaction: queues with an open delivery decide what is PENDING. */
  private insertDeliveries(environmentId: string, deliveries: readonly NewDelivery[]): void {
    if (!deliveries.length) return;
    const open = new Set(
      this.sql<[string], { target_id: string }>('SELECT DISTINCT target_id FROM deliveries WHERE environment_id = ? AND in_queue = 1')
        .all(environmentId).map((row) => row.target_id),
    );
    for (const delivery of enqueue(deliveries, open)) this.writeDelivery(delivery);
  }

  async listDeliveries(environmentId: string, query: ListDeliveriesQuery): Promise<Page<Delivery>> {
    assertPageSize(query.pageSize);
    const filterKey = deliveryFilterKey(environmentId);
    const before = decodePageToken(query.pageToken, filterKey, DELIVERY_CURSOR);
    const rows = this.sql<[string, string, number], { id: string; record: string }>(
      'SELECT id, record FROM deliveries WHERE environment_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
    ).all(environmentId, before ?? '\uffff', query.pageSize + 1);
    return toPage(rows.map((row) => this.parseDelivery(environmentId, row)), query.pageSize, (d) => d.id, filterKey);
  }

  async getDelivery(environmentId: string, deliveryId: string): Promise<Delivery | null> {
    return this.readDelivery(environmentId, deliveryId) ?? null;
  }

  async claimDueDeliveries(options: { limit: number; leaseMs: number }): Promise<Delivery[]> {
    // One transaction for the batch: SQLite serialises writers, so no two callers see one row due.
    return this.write(() => {
      const now = this.now();
      // Ended deliveries past their retention go first (Firestore's TTL policy does this there).
      this.sql('DELETE FROM deliveries WHERE expire_ms <= ?').run(Date.parse(now));
      const rows = this.sql<[number, number], { environment_id: string; id: string; record: string }>(
        'SELECT environment_id, id, record FROM deliveries WHERE due_ms <= ? ORDER BY due_ms LIMIT ?',
      ).all(Date.parse(now), options.limit);
      return rows.flatMap((row) => {
        const current = this.parseDelivery(row.environment_id, row);
        if (!isDue(current, now)) return [];
        const next = claimed(current, randomUUID(), now, options.leaseMs);
        this.writeDelivery(next);
        return [next];
      });
    });
  }

  async updateDelivery(environmentId: string, deliveryId: string, mutate: (current: Delivery) => Delivery | null): Promise<Delivery> {
    return this.write(() => {
      const current = this.readDelivery(environmentId, deliveryId);
      if (!current) throw new DeliveryNotFoundError(environmentId, deliveryId);
      const { next, leftQueue } = applyDeliveryUpdate(current, mutate);
      if (!next) return current;
      this.writeDelivery(next);
      if (leftQueue) this.promoteNext(environmentId, current.target.id);
      return next;
    });
  }

  private promoteNext(environmentId: string, targetId: string): void {
    const row = this.sql<[string, string], { id: string; record: string }>(
      "SELECT id, record FROM deliveries WHERE environment_id = ? AND target_id = ? AND in_queue = 1 AND state = 'QUEUED' ORDER BY seq LIMIT 1",
    ).get(environmentId, targetId);
    if (row) this.writeDelivery(promoted(this.parseDelivery(environmentId, row), this.now()));
  }

  async cancelOpenDeliveries(environmentId: string, targetId: string, outcome: string): Promise<number> {
    return this.write(() => {
      const now = this.now();
      const rows = this.sql<[string, string], { id: string; record: string }>(
        "SELECT id, record FROM deliveries WHERE environment_id = ? AND target_id = ? AND state IN ('QUEUED', 'PENDING')",
      ).all(environmentId, targetId);
      for (const row of rows) this.writeDelivery(cancelled(this.parseDelivery(environmentId, row), outcome, now));
      return rows.length;
    });
  }

  private readIdempotency(key: string): IdempotencyRecord | undefined {
    const row = this.sql<[string], { record: string }>('SELECT record FROM idempotency WHERE key = ?').get(key);
    if (!row) return undefined;
    const path = `idempotency/${key}`;
    return parseStored(IdempotencyRecordSchema, parseStoredJson(row.record, path), path);
  }

  private writeIdempotency(record: IdempotencyRecord): void {
    this.sql('INSERT OR REPLACE INTO idempotency (key, state, expire_ms, record) VALUES (?, ?, ?, ?)')
      .run(record.key, record.state, Date.parse(record.expireTime), JSON.stringify(record));
  }

  async beginIdempotent(record: Omit<IdempotencyRecord, 'state' | 'response'>): Promise<IdempotencyBegin> {
    return this.write((): IdempotencyBegin => {
      const now = this.now();
      // Expired records go first, which keeps the table to about one expiry window of keys.
      this.sql('DELETE FROM idempotency WHERE expire_ms <= ?').run(Date.parse(now));
      const existing = this.readIdempotency(record.key);
      if (existing && !canTakeOver(existing, now)) return { outcome: 'existing', record: existing };
      this.writeIdempotency({ ...record, state: 'IN_FLIGHT' });
      return { outcome: 'started' };
    });
  }

  async completeIdempotent(key: string, owner: string, response: NonNullable<IdempotencyRecord['response']>): Promise<boolean> {
    storableResponse(key, response);
    return this.write(() => {
      const existing = this.readIdempotency(key);
      if (existing?.state !== 'IN_FLIGHT' || existing.owner !== owner) return false;
      this.writeIdempotency({ ...existing, state: 'COMPLETED', response });
      return true;
    });
  }

  async abandonIdempotent(key: string, owner: string): Promise<void> {
    // A COMPLETED record stays: its response is what a retry must get. Another owner's stays too.
    this.write(() => {
      const existing = this.readIdempotency(key);
      if (existing?.state === 'IN_FLIGHT' && existing.owner === owner) this.sql('DELETE FROM idempotency WHERE key = ?').run(key);
    });
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
