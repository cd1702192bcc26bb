import { createHash } from 'node:crypto';
import {
  Timestamp, type CollectionReference, type DocumentReference, type DocumentSnapshot, Firestore, type Query,
  type Transaction,
} from '@google-cloud/firestore';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import {
  EnvironmentEventSchema, EnvironmentRecordSchema, type EnvironmentEvent, type EnvironmentRecord, type NewEvent,
} from '../domain/environment.js';
import { DeliverySchema, type Delivery, type NewDelivery } from '../domain/notifications/delivery.js';
import {
  DELIVERY_CURSOR, ENVIRONMENT_CURSOR, EVENT_CURSOR, IdempotencyRecordSchema, IdempotencyResponseSchema, applyDeliveryUpdate, applyUpdate,
  assertPageSize, canTakeOver, cancelled, checkedRecord, claimed, decodePageToken, deliveryFilterKey, dueMs, enqueue, environmentFilterKey,
  eventFilterKey, expiresMs, holdsName, inQueue, isDue, numberEvents, parseStored, parseStoredJson, ProjectDocumentSchema, promoted, removalHolds,
  scanLimitedPage, sortedLabels,
  storableResponse, systemNow, toPage,
} from './common.js';
import {
  BootstrapBusyError, DeliveryNotFoundError, EnvironmentNotFoundError, NameTakenError, type BootstrapRemoval, type EnvironmentStore,
  type IdempotencyBegin, type ProjectView,
  type IdempotencyRecord, type ListDeliveriesQuery, type ListEnvironmentsQuery, type ListEventsQuery, type Outbox, type Page,
  type UpdateResult,
} from './port.js';

/**
 * The production EnvironmentStore (DESIGN §2), the only module that talks to Firestore.
 *
 * Layout (each collection name gets `collectionPrefix` in front):
 * - `environments/{id}`: the record's fields, plus `eventSeq` (seq of the last event) and
 *   `labelPairs` (the labels as `["k","v"]` JSON strings, for queries).
 * - `environments/{id}/events/{seq, zero-padded}`: append-only history.
 * - `environmentNames/{project}__{name}`: the uniqueness lock of a live environment, created in the
 *   transaction that creates the environment and deleted in the one that makes it DELETED.
 * - `idempotency/{sha256 of key}`: keys can be long and hold `/`, document ids cannot.
 * - `projects/{project}`: `{version, bootstrapRemoval?}`, written by every create and by every
 *   update that asks for its project, which serialises them (see `readProject`).
 * - `deliveries/{environmentId}__{deliveryId}`: the outbox, top-level so that one query finds
 *   what is due across environments (`dueMs`, set only while PENDING); `targetId`, `open` and
 *   `inQueue` are copies for queries; `expireAt` (once ended) drives a TTL policy.
 * - `deliveryQueues/{environmentId}__{targetId}`: `{queue: [deliveryId…]}`, the open deliveries of
 *   one target in event order. Every write that adds to or takes from a queue reads and writes
 *   this document, so concurrent transactions on one queue conflict instead of losing an entry.
 *
 * Every write happens in `runTransaction`; every read is validated (CorruptRecordError names the
 * document). Composite indexes for the list queries: infra/firestore.indexes.json.
 */

export interface FirestoreEnvironmentStoreOptions {
  /** The client; close() terminates it. */
  firestore: Firestore;
  /** Put in front of every top-level collection name (tests isolate themselves this way). */
  collectionPrefix?: string;
  now?: () => string;
  /**
   * At most this many environments are read per list request when labels beyond the first must be
   * matched while scanning; the page then ends early with a token (common.ts `scanLimitedPage`).
   */
  listScanBudget?: number;
}

const DEFAULT_LIST_SCAN_BUDGET = 1000;
/** Reads grow to this many documents per round trip: a selective filter must not cost one round trip per match. */
const MAX_LIST_BATCH = 200;

const EnvironmentDocumentSchema = EnvironmentRecordSchema.extend({ eventSeq: z.number().int().nonnegative() });
const StateOnlySchema = EnvironmentRecordSchema.pick({ state: true });
const NameLockSchema = z.object({ environmentId: z.string().min(1) });
const EventDocumentSchema = EnvironmentEventSchema.omit({ details: true }).extend({ detailsJson: z.string().optional() });
const IdempotencyDocumentSchema = IdempotencyRecordSchema.omit({ response: true }).extend({ responseJson: z.string().optional() });
const DeliveryDocumentSchema = DeliverySchema.extend({
  dueMs: z.number().nullable(), targetId: z.string(), open: z.boolean(), inQueue: z.boolean(), expireAt: z.instanceof(Timestamp).nullable(),
});
const QueueSchema = z.object({ queue: z.array(z.string()) });

/** Firestore refuses `undefined` values; JSON drops them, as SQLite's JSON column does. */
const withoutUndefined = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** One equality-queryable value per label: all-match filters on labels need only one composite index. */
const labelPair = (key: string, value: string): string => JSON.stringify([key, value]);

const GRPC_CODES = { ALREADY_EXISTS: 6 } as const;

/** gRPC errors carry numeric codes, REST-fallback ones may carry the status name: accept both. */
function hasCode(error: unknown, name: keyof typeof GRPC_CODES): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === GRPC_CODES[name] || code === name || code === name.toLowerCase().replaceAll('_', '-');
}

const lockData = (record: EnvironmentRecord) => ({ environmentId: record.id, project: record.project, name: record.name });

/** Event details are free-form: kept as JSON text, since Firestore refuses nested arrays. */
function eventData({ details, ...event }: EnvironmentEvent) {
  return withoutUndefined({ ...event, detailsJson: details === undefined ? undefined : JSON.stringify(details) });
}

function parseEvent(snapshot: DocumentSnapshot): EnvironmentEvent {
  const path = snapshot.ref.path;
  const { detailsJson, ...event } = parseStored(EventDocumentSchema, snapshot.data(), path);
  if (detailsJson === undefined) return event;
  return { ...event, details: parseStored(EnvironmentEventSchema.shape.details, parseStoredJson(detailsJson, path), path) };
}

/**
 * The response is stored as JSON text (any JSON body must round-trip, nested arrays included);
 * `expireAt` is a Timestamp so that a Firestore TTL policy on it can delete expired records.
 */
function idempotencyData({ response, ...record }: IdempotencyRecord) {
  return {
    ...withoutUndefined({ ...record, responseJson: response === undefined ? undefined : JSON.stringify(response) }),
    expireAt: Timestamp.fromMillis(Date.parse(record.expireTime)),
  };
}

function parseIdempotency(snapshot: DocumentSnapshot): IdempotencyRecord {
  const path = snapshot.ref.path;
  const { responseJson, ...record } = parseStored(IdempotencyDocumentSchema, snapshot.data(), path);
  if (responseJson === undefined) return record;
  return { ...record, response: parseStored(IdempotencyResponseSchema, parseStoredJson(responseJson, path), path) };
}

type Reader = Pick<Transaction, 'get'> | undefined;

/** `expireAt`: a Timestamp once the delivery ended, for the TTL policy that drops it (infra/firestore.indexes.json). */
function deliveryData(delivery: Delivery) {
  const expires = expiresMs(delivery);
  return {
    ...withoutUndefined({ ...delivery, dueMs: dueMs(delivery), targetId: delivery.target.id, open: delivery.state === 'QUEUED' || delivery.state === 'PENDING', inQueue: inQueue(delivery) }),
    expireAt: expires === null ? null : Timestamp.fromMillis(expires),
  };
}

function parseDelivery(snapshot: DocumentSnapshot): Delivery {
  const { dueMs: _due, targetId: _target, open: _open, inQueue: _inQueue, expireAt: _expireAt, ...delivery } = parseStored(DeliveryDocumentSchema, snapshot.data(), snapshot.ref.path);
  return delivery;
}

export class FirestoreEnvironmentStore implements EnvironmentStore {
  private readonly db: Firestore;
  private readonly now: () => string;
  private readonly environments: CollectionReference;
  private readonly names: CollectionReference;
  private readonly idempotency: CollectionReference;
  private readonly projects: CollectionReference;
  private readonly listScanBudget: number;
  private readonly deliveries: CollectionReference;
  private readonly queues: CollectionReference;

  constructor({ firestore, collectionPrefix = '', now = systemNow, listScanBudget = DEFAULT_LIST_SCAN_BUDGET }: FirestoreEnvironmentStoreOptions) {
    this.db = firestore;
    this.now = now;
    this.listScanBudget = listScanBudget;
    this.environments = firestore.collection(`${collectionPrefix}environments`);
    this.names = firestore.collection(`${collectionPrefix}environmentNames`);
    this.idempotency = firestore.collection(`${collectionPrefix}idempotency`);
    this.projects = firestore.collection(`${collectionPrefix}projects`);
    this.deliveries = firestore.collection(`${collectionPrefix}deliveries`);
    this.queues = firestore.collection(`${collectionPrefix}deliveryQueues`);
  }

  private deliveryRef(environmentId: string, deliveryId: string): DocumentReference {
    return this.deliveries.doc(`${environmentId}__${deliveryId}`);
  }

  private queueRef(environmentId: string, targetId: string): DocumentReference {
    return this.queues.doc(`${environmentId}__${targetId}`);
  }

  private async readQueue(tx: Transaction, ref: DocumentReference): Promise<string[]> {
    const snapshot = await tx.get(ref);
    return snapshot.exists ? parseStored(QueueSchema, snapshot.data(), ref.path).queue : [];
  }

  /**
   * New deliveries, within the caller's transaction. `queues` holds every queue they join, read
   * before the transaction's first write (Firestore's rule); empty when the environment is new.
   */
  private writeNewDeliveries(tx: Transaction, environmentId: string, deliveries: readonly NewDelivery[], queues: Map<string, string[]>): void {
    const open = new Set([...queues].filter(([, queue]) => queue.length).map(([targetId]) => targetId));
    for (const delivery of enqueue(deliveries, open)) {
      tx.create(this.deliveryRef(environmentId, delivery.id), deliveryData(delivery));
      queues.set(delivery.target.id, [...(queues.get(delivery.target.id) ?? []), delivery.id]);
    }
    for (const targetId of new Set(deliveries.map((d) => d.target.id))) tx.set(this.queueRef(environmentId, targetId), { queue: queues.get(targetId) });
  }

  /**
   * Every write goes through here. Reports of one wave of parallel steps land on one environment
   * at once; the client's default of 5 attempts is too few for that much contention.
   */
  private transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.db.runTransaction(fn, { maxAttempts: 20 });
  }

  private nameLock(record: Pick<EnvironmentRecord, 'project' | 'name'>): DocumentReference {
    // Neither project ids nor RFC 1035 names contain "_", so "__" cannot join two pairs into one id.
    return this.names.doc(`${record.project}__${record.name}`);
  }

  private eventRef(environmentId: string, seq: number): DocumentReference {
    return this.environments.doc(environmentId).collection('events').doc(String(seq).padStart(12, '0'));
  }

  private parseEnvironment(snapshot: DocumentSnapshot): { record: EnvironmentRecord; eventSeq: number } {
    const { eventSeq, ...record } = parseStored(EnvironmentDocumentSchema, snapshot.data(), snapshot.ref.path);
    return { record, eventSeq };
  }

  private environmentData(record: EnvironmentRecord, eventSeq: number) {
    return {
      ...withoutUndefined(record),
      eventSeq,
      labelPairs: Object.entries(record.labels).map(([key, value]) => labelPair(key, value)),
    };
  }

  /** The id of the environment holding a name lock, read in `tx` when given. */
  private async nameHolder(reader: Reader, ref: DocumentReference): Promise<string | undefined> {
    const snapshot = reader ? await reader.get(ref) : await ref.get();
    return snapshot.exists ? parseStored(NameLockSchema, snapshot.data(), ref.path).environmentId : undefined;
  }

  /**
   * The project document, read in `tx`: its bootstrap removal if it still holds, and its version.
   * Every create and every update that asks for its project writes this document (with the next
   * version), so those transactions are serialised with one another: a create cannot slip past the
   * update that sees the project's last environment leave.
   */
  private async readProject(tx: Transaction, project: string): Promise<{ ref: DocumentReference; version: number; removal?: BootstrapRemoval }> {
    const ref = this.projects.doc(project);
    const snapshot = await tx.get(ref);
    if (!snapshot.exists) return { ref, version: 0 };
    const { bootstrapRemoval, version } = parseStored(ProjectDocumentSchema.extend({ version: z.number().int() }), snapshot.data(), ref.path);
    if (!bootstrapRemoval) return { ref, version };
    const holder = await tx.get(this.environments.doc(bootstrapRemoval.environmentId));
    const held = removalHolds(bootstrapRemoval, holder.exists ? this.parseEnvironment(holder).record : null);
    return { ref, version, ...(held && { removal: bootstrapRemoval }) };
  }

  private writeProject(tx: Transaction, project: { ref: DocumentReference; version: number }, removal: BootstrapRemoval | undefined): void {
    tx.set(project.ref, { version: project.version + 1, ...(removal && { bootstrapRemoval: removal }) });
  }

  async create(record: EnvironmentRecord, events: NewEvent[] = [], outbox?: Outbox): Promise<EnvironmentRecord> {
    const stored = checkedRecord(record);
    const numbered = numberEvents(stored.id, 0, events);
    const deliveries = outbox && numbered.length ? outbox(stored, numbered) : [];
    const nameRef = this.nameLock(stored);
    try {
      await this.transaction(async (tx) => {
        const project = await this.readProject(tx, stored.project);
        if (project.removal) throw new BootstrapBusyError(stored.project, project.removal);
        if (holdsName(stored)) {
          // Read in the transaction, so a concurrent create of the same name conflicts with this one.
          const holder = await this.nameHolder(tx, nameRef);
          if (holder) throw new NameTakenError(stored.project, stored.name, holder);
          tx.create(nameRef, lockData(stored));
        }
        tx.create(this.environments.doc(stored.id), this.environmentData(stored, numbered.length));
        for (const event of numbered) tx.create(this.eventRef(stored.id, event.seq), eventData(event));
        this.writeNewDeliveries(tx, stored.id, deliveries, new Map());
        this.writeProject(tx, project, undefined);
      });
    } catch (error) {
      // A lock created between this transaction's read and its commit fails the commit with
      // ALREADY_EXISTS instead of a retry: name the holder all the same.
      if (hasCode(error, 'ALREADY_EXISTS') && holdsName(stored)) {
        const holder = await this.nameHolder(undefined, nameRef);
        if (holder && holder !== stored.id) throw new NameTakenError(stored.project, stored.name, holder);
      }
      throw error;
    }
    return stored;
  }

  async get(id: string): Promise<EnvironmentRecord | null> {
    const snapshot = await this.environments.doc(id).get();
    return snapshot.exists ? this.parseEnvironment(snapshot).record : null;
  }

  async update(
    id: string,
    mutate: (current: EnvironmentRecord, project?: ProjectView) => UpdateResult,
    options: { expectedVersion?: number; project?: boolean } = {},
  ): Promise<{ record: EnvironmentRecord; events: EnvironmentEvent[] }> {
    const ref = this.environments.doc(id);
    return this.transaction(async (tx) => {
      const snapshot = await tx.get(ref);
      if (!snapshot.exists) throw new EnvironmentNotFoundError(id);
      const { record: current, eventSeq } = this.parseEnvironment(snapshot);
      let project: Awaited<ReturnType<FirestoreEnvironmentStore['readProject']>> | undefined;
      let view: ProjectView | undefined;
      if (options.project) {
        project = await this.readProject(tx, current.project);
        // A project holds few environments: an equality query, DELETED ones filtered here.
        const members = await tx.get(this.environments.where('project', '==', current.project).select('state', 'name'));
        const others = members.docs
          .filter((doc) => doc.id !== id && holdsName(parseStored(StateOnlySchema, doc.data(), doc.ref.path)))
          .map((doc) => ({ id: doc.id, name: String(doc.get('name')) }))
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        view = { others, ...(project.removal && { bootstrapRemoval: project.removal }) };
      }
      const { next, events, lastSeq, deliveries, bootstrapRemoval } = applyUpdate(current, eventSeq, mutate, {
        expectedVersion: options.expectedVersion, now: this.now, ...(view && { project: view }),
      });

      // All reads come before the first write, as Firestore transactions require.
      const queues = new Map<string, string[]>();
      for (const targetId of new Set(deliveries.map((d) => d.target.id))) queues.set(targetId, await this.readQueue(tx, this.queueRef(id, targetId)));
      if (next && holdsName(next) !== holdsName(current)) {
        const nameRef = this.nameLock(current);
        const holder = await this.nameHolder(tx, nameRef);
        if (holdsName(next)) {
          if (holder) throw new NameTakenError(next.project, next.name, holder);
          tx.create(nameRef, lockData(next));
        } else if (holder === id) {
          tx.delete(nameRef);
        }
      }
      if (next) tx.set(ref, this.environmentData(next, lastSeq));
      else if (events.length) tx.update(ref, { eventSeq: lastSeq });
      for (const event of events) tx.create(this.eventRef(id, event.seq), eventData(event));
      this.writeNewDeliveries(tx, id, deliveries, queues);
      if (project) this.writeProject(tx, project, bootstrapRemoval === undefined ? project.removal : bootstrapRemoval ?? undefined);
      return { record: next ?? current, events };
    });
  }

  async list(query: ListEnvironmentsQuery): Promise<Page<EnvironmentRecord>> {
    assertPageSize(query.pageSize);
    const filterKey = environmentFilterKey(query);
    let cursor = decodePageToken(query.pageToken, filterKey, ENVIRONMENT_CURSOR);
    const labels = sortedLabels(query);

    // Ordered by the `id` field: ids are ULIDs, so newest first, and anything created after a
    // page was fetched sorts before its cursor and never shows up on a later page.
    let base: Query = this.environments.orderBy('id', 'desc');
    if (query.state) base = base.where('state', '==', query.state);
    if (query.project) base = base.where('project', '==', query.project);
    // Firestore allows one array-contains per query: the first label is matched by the query,
    // any others below, so labels need one composite index family instead of one per label key.
    const [firstLabel] = labels;
    if (firstLabel) base = base.where('labelPairs', 'array-contains', labelPair(...firstLabel));
    const matches = (record: EnvironmentRecord) => labels.every(([key, value]) => record.labels[key] === value);

    const found: EnvironmentRecord[] = [];
    // One more than a page tells toPage that there is a next one.
    const wanted = query.pageSize + 1;
    let batchSize = wanted;
    let scanned = 0;
    for (;;) {
      const batch = await (cursor === undefined ? base : base.startAfter(cursor)).limit(batchSize).get();
      for (const snapshot of batch.docs) {
        const { record } = this.parseEnvironment(snapshot);
        cursor = record.id;
        scanned++;
        if (matches(record)) found.push(record);
        if (found.length === wanted) break;
      }
      if (found.length === wanted || batch.size < batchSize) break;
      if (scanned >= this.listScanBudget) return scanLimitedPage(found, cursor!, filterKey);
      batchSize = Math.min(batchSize * 4, MAX_LIST_BATCH, this.listScanBudget - scanned);
    }
    return toPage(found, query.pageSize, (record) => record.id, filterKey);
  }

  async listEvents(environmentId: string, query: ListEventsQuery): Promise<Page<EnvironmentEvent>> {
    assertPageSize(query.pageSize);
    const filterKey = eventFilterKey(environmentId, query.newestFirst);
    const cursor = decodePageToken(query.pageToken, filterKey, EVENT_CURSOR);
    const events = this.environments.doc(environmentId).collection('events');
    // Both bounds on the one field `seq`: served by its single-field index, no composite needed.
    const ordered = query.newestFirst
      ? events.where('seq', '>', query.afterSeq ?? 0).where('seq', '<', cursor ?? Number.MAX_SAFE_INTEGER).orderBy('seq', 'desc')
      : events.where('seq', '>', Math.max(query.afterSeq ?? 0, cursor ?? 0)).orderBy('seq');
    const snapshot = await ordered.limit(query.pageSize + 1).get();
    return toPage(snapshot.docs.map((doc) => parseEvent(doc)), query.pageSize, (event) => event.seq, filterKey);
  }

  async liveEnvironmentIdsInProject(project: string): Promise<string[]> {
    // Filtering DELETED here keeps this an equality-only query (no composite index): a project
    // holds few environments.
    const snapshot = await this.environments.where('project', '==', project).select('state').get();
    return snapshot.docs
      .filter((doc) => holdsName(parseStored(StateOnlySchema, doc.data(), doc.ref.path)))
      .map((doc) => doc.id)
      .sort();
  }

  async listWithRunningOperation(): Promise<EnvironmentRecord[]> {
    const snapshot = await this.environments.where('operation.state', '==', 'RUNNING').get();
    return snapshot.docs.map((doc) => this.parseEnvironment(doc).record).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async listExpiring(until: string): Promise<EnvironmentRecord[]> {
    // One range filter (single-field index); the state is checked here rather than in a composite index.
    const snapshot = await this.environments.where('expireTime', '<=', until).get();
    return snapshot.docs.map((doc) => this.parseEnvironment(doc).record).filter((r) => r.state !== 'DELETED').sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  // -- The outbox ---------------------------------------------------------------------------

  async listDeliveries(environmentId: string, query: ListDeliveriesQuery): Promise<Page<Delivery>> {
    assertPageSize(query.pageSize);
    const filterKey = deliveryFilterKey(environmentId);
    const before = decodePageToken(query.pageToken, filterKey, DELIVERY_CURSOR);
    const base = this.deliveries.where('environmentId', '==', environmentId).orderBy('id', 'desc');
    const snapshot = await (before === undefined ? base : base.startAfter(before)).limit(query.pageSize + 1).get();
    return toPage(snapshot.docs.map((doc) => parseDelivery(doc)), query.pageSize, (d) => d.id, filterKey);
  }

  async getDelivery(environmentId: string, deliveryId: string): Promise<Delivery | null> {
    const snapshot = await this.deliveryRef(environmentId, deliveryId).get();
    return snapshot.exists ? parseDelivery(snapshot) : null;
  }

  async claimDueDeliveries(options: { limit: number; leaseMs: number }): Promise<Delivery[]> {
    // The query only proposes candidates; each claim is a transaction that reads the delivery
    // again, so of two dispatchers proposing the same one, exactly one claims it.
    const candidates = await this.deliveries.where('dueMs', '<=', Date.parse(this.now())).orderBy('dueMs').limit(options.limit).get();
    const claims = await Promise.all(candidates.docs.map((doc) => this.transaction(async (tx) => {
      const snapshot = await tx.get(doc.ref);
      if (!snapshot.exists) return undefined;
      const now = this.now();
      const current = parseDelivery(snapshot);
      if (!isDue(current, now)) return undefined;
      const next = claimed(current, randomUUID(), now, options.leaseMs);
      tx.set(doc.ref, deliveryData(next));
      return next;
    })));
    return claims.filter((claim): claim is Delivery => claim !== undefined);
  }

  async updateDelivery(environmentId: string, deliveryId: string, mutate: (current: Delivery) => Delivery | null): Promise<Delivery> {
    const ref = this.deliveryRef(environmentId, deliveryId);
    return this.transaction(async (tx) => {
      const snapshot = await tx.get(ref);
      if (!snapshot.exists) throw new DeliveryNotFoundError(environmentId, deliveryId);
      const current = parseDelivery(snapshot);
      const { next, leftQueue } = applyDeliveryUpdate(current, mutate);
      if (!next) return current;
      let head: Delivery | undefined;
      let rest: string[] = [];
      const queueRef = this.queueRef(environmentId, current.target.id);
      if (leftQueue) {
        rest = (await this.readQueue(tx, queueRef)).filter((queued) => queued !== current.id);
        const headSnapshot = rest[0] ? await tx.get(this.deliveryRef(environmentId, rest[0])) : undefined;
        head = headSnapshot?.exists ? parseDelivery(headSnapshot) : undefined;
      }
      tx.set(ref, deliveryData(next));
      if (leftQueue) {
        tx.set(queueRef, { queue: rest });
        if (head?.state === 'QUEUED') tx.set(this.deliveryRef(environmentId, head.id), deliveryData(promoted(head, this.now())));
      }
      return next;
    });
  }

  async cancelOpenDeliveries(environmentId: string, targetId: string, outcome: string): Promise<number> {
    const open = this.deliveries.where('environmentId', '==', environmentId).where('targetId', '==', targetId).where('open', '==', true);
    return this.transaction(async (tx) => {
      const queueRef = this.queueRef(environmentId, targetId);
      await this.readQueue(tx, queueRef); // read, so that a concurrent enqueue conflicts with this
      const snapshot = await tx.get(open);
      const now = this.now();
      for (const doc of snapshot.docs) tx.set(doc.ref, deliveryData(cancelled(parseDelivery(doc), outcome, now)));
      tx.set(queueRef, { queue: [] });
      return snapshot.size;
    });
  }

  private idempotencyRef(key: string): DocumentReference {
    return this.idempotency.doc(createHash('sha256').update(key).digest('hex'));
  }

  async beginIdempotent(record: Omit<IdempotencyRecord, 'state' | 'response'>): Promise<IdempotencyBegin> {
    const ref = this.idempotencyRef(record.key);
    return this.transaction(async (tx): Promise<IdempotencyBegin> => {
      const snapshot = await tx.get(ref);
      const existing = snapshot.exists ? parseIdempotency(snapshot) : undefined;
      // TTL deletion runs late (up to a day): an expired record is treated as absent and taken over,
      // and so is a reservation whose lease ran out (its request crashed).
      if (existing && !canTakeOver(existing, this.now())) return { outcome: 'existing', record: existing };
      tx.set(ref, idempotencyData({ ...record, state: 'IN_FLIGHT' }));
      return { outcome: 'started' };
    });
  }

  async completeIdempotent(key: string, owner: string, response: NonNullable<IdempotencyRecord['response']>): Promise<boolean> {
    storableResponse(key, response);
    const ref = this.idempotencyRef(key);
    return this.transaction(async (tx) => {
      const snapshot = await tx.get(ref);
      const existing = snapshot.exists ? parseIdempotency(snapshot) : undefined;
      if (existing?.state !== 'IN_FLIGHT' || existing.owner !== owner) return false;
      tx.set(ref, idempotencyData({ ...existing, state: 'COMPLETED', response }));
      return true;
    });
  }

  async abandonIdempotent(key: string, owner: string): Promise<void> {
    const ref = this.idempotencyRef(key);
    await this.transaction(async (tx) => {
      const snapshot = await tx.get(ref);
      // A COMPLETED record stays: its response is what a retry must get. Another owner's stays too.
      const existing = snapshot.exists ? parseIdempotency(snapshot) : undefined;
      if (existing?.state === 'IN_FLIGHT' && existing.owner === owner) tx.delete(ref);
    });
  }

  async close(): Promise<void> {
    await this.db.terminate();
  }
}

/** The production store: a Firestore client for the service's project and database. */
export function createFirestoreStore(options: { projectId: string; databaseId: string }): FirestoreEnvironmentStore {
  return new FirestoreEnvironmentStore({ firestore: new Firestore({ projectId: options.projectId, databaseId: options.databaseId }) });
}
