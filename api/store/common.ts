import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  EnvironmentEventSchema, EnvironmentRecordSchema, type EnvironmentEvent, type EnvironmentRecord, type NewEvent,
} from '../domain/environment.js';
import { DELIVERY_RETENTION_MS, DeliverySchema, isOpen, type Delivery, type NewDelivery } from '../domain/notifications/delivery.js';
import {
  CorruptRecordError, InvalidPageTokenError, MAX_STORED_RESPONSE_BYTES, VersionConflictError, type BootstrapRemoval, type IdempotencyRecord,
  type ProjectView, type ListEnvironmentsQuery, type Page, type UpdateResult,
} from './port.js';

/**
 * What both store adapters share: the rules a write must obey, how stored documents are read back,
 * and the page-token format. Keeping them here is what makes the two adapters behave the same.
 */

export const systemNow = (): string => new Date().toISOString();

/** A record that holds its (project, name): everything but DELETED. */
export const holdsName = (record: Pick<EnvironmentRecord, 'state'>): boolean => record.state !== 'DELETED';

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

/** Validates what was read; a mismatch names the document rather than surfacing as a crash later. */
export function parseStored<S extends z.ZodType>(schema: S, data: unknown, documentPath: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new CorruptRecordError(documentPath, describeIssues(parsed.error));
  return parsed.data;
}

/** Text that should hold JSON; anything else is a corrupt document too. */
export function parseStoredJson(text: string, documentPath: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError(documentPath, `not JSON: ${(error as Error).message}`);
  }
}

/**
 * Validates a record before it is written, so a store never holds a document it would refuse to
 * read back. A failure here is a bug in the caller, not bad input, hence a plain Error.
 */
export function checkedRecord(record: EnvironmentRecord): EnvironmentRecord {
  const parsed = EnvironmentRecordSchema.safeParse(record);
  if (!parsed.success) throw new Error(`refusing to store environments/${record.id}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * The record an update will write: the identity of an environment never changes (the name lock
 * and the indexes are keyed by it), and version and updateTime belong to the store.
 */
export function nextRecord(current: EnvironmentRecord, proposed: EnvironmentRecord, updateTime: string): EnvironmentRecord {
  for (const field of ['id', 'project', 'name', 'createTime'] as const) {
    if (proposed[field] !== current[field]) {
      throw new Error(`an update of environments/${current.id} may not change ${field}`);
    }
  }
  return checkedRecord({ ...proposed, version: current.version + 1, updateTime });
}

/**
 * What every update does before it writes, in both adapters: refuse a stale `expectedVersion`, run
 * `mutate` on the current record, number its events after the last one, and derive the deliveries
 * they cause. `next` is null when the record is unchanged (events alone may still be appended).
 */
export function applyUpdate(
  current: EnvironmentRecord,
  lastSeq: number,
  mutate: (current: EnvironmentRecord, project?: ProjectView) => UpdateResult,
  options: { expectedVersion?: number; now: () => string; project?: ProjectView },
): { next: EnvironmentRecord | null; events: EnvironmentEvent[]; lastSeq: number; deliveries: NewDelivery[]; bootstrapRemoval?: BootstrapRemoval | null } {
  if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
    throw new VersionConflictError(current.id, options.expectedVersion, current.version);
  }
  const result = mutate(current, options.project);
  if (result.bootstrapRemoval !== undefined && !options.project) {
    throw new Error(`an update of environments/${current.id} recorded a bootstrap removal without asking for its project`);
  }
  const next = result.record ? nextRecord(current, result.record, options.now()) : null;
  const events = numberEvents(current.id, lastSeq, result.events);
  const deliveries = events.length && result.outbox ? result.outbox(next ?? current, events) : [];
  return { next, events, lastSeq: lastSeq + events.length, deliveries, bootstrapRemoval: result.bootstrapRemoval };
}

/** A project document as stored: its running bootstrap removal, if any. */
export const ProjectDocumentSchema = z.object({
  bootstrapRemoval: z.object({ environmentId: z.string(), operationId: z.string() }).optional(),
});

/**
 * Whether a recorded removal still holds: its operation is the holder's current one and RUNNING.
 * One that failed or was cancelled holds nothing (the next create simply runs the bootstrap again).
 */
export const removalHolds = (removal: BootstrapRemoval | undefined, holder: Pick<EnvironmentRecord, 'operation'> | null | undefined): removal is BootstrapRemoval =>
  !!removal && holder?.operation?.id === removal.operationId && holder.operation.state === 'RUNNING';

/** Numbers new events after `lastSeq`, gap-free; validated like records, for the same reason. */
export function numberEvents(environmentId: string, lastSeq: number, events: readonly NewEvent[] = []): EnvironmentEvent[] {
  return events.map((event, i) => {
    const numbered = { ...event, environmentId, seq: lastSeq + i + 1 };
    const parsed = EnvironmentEventSchema.safeParse(numbered);
    if (!parsed.success) {
      throw new Error(`refusing to store event ${numbered.seq} of environments/${environmentId}: ${describeIssues(parsed.error)}`);
    }
    return parsed.data;
  });
}

// ---------------------------------------------------------------------------------------------
// The outbox rules both adapters share (the queue order is described in port.ts).

function checkedDelivery(delivery: Delivery): Delivery {
  const parsed = DeliverySchema.safeParse(delivery);
  if (!parsed.success) throw new Error(`refusing to store delivery ${delivery.id} of environments/${delivery.environmentId}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** In its queue: open and not a redelivery. */
export const inQueue = (delivery: Pick<Delivery, 'state' | 'redelivery'>): boolean => isOpen(delivery.state) && !delivery.redelivery;

/**
 * New deliveries as stored: the first one of a target whose queue is empty (not in `openQueues`)
 * is PENDING and due at once; the rest wait QUEUED behind it, in event order.
 */
export function enqueue(deliveries: readonly NewDelivery[], openQueues: ReadonlySet<string>): Delivery[] {
  const open = new Set(openQueues);
  return deliveries.map((delivery) => {
    const pending = !open.has(delivery.target.id);
    open.add(delivery.target.id);
    return checkedDelivery({
      ...delivery,
      state: pending ? 'PENDING' : 'QUEUED',
      attempts: [],
      redelivery: false,
      scheduleStart: delivery.createTime,
      ...(pending && { nextAttemptTime: delivery.createTime }),
    });
  });
}

/**
 * A delivery update as both adapters apply it: the identity of a delivery never changes, a
 * QUEUED one is only promoted by the store, and an ended one reopens only as a redelivery.
 * `leftQueue`: it was its queue's head and ended, so the next one must be promoted.
 */
export function applyDeliveryUpdate(current: Delivery, mutate: (current: Delivery) => Delivery | null): { next: Delivery | null; leftQueue: boolean } {
  const proposed = mutate(current);
  if (!proposed) return { next: null, leftQueue: false };
  const identity = (d: Delivery) => JSON.stringify([d.id, d.environmentId, d.event, d.target, d.sealedTarget, d.body, d.createTime]);
  const where = `delivery ${current.id} of environments/${current.environmentId}`;
  if (identity(proposed) !== identity(current)) throw new Error(`an update of ${where} may not change what it delivers`);
  if (current.state === 'QUEUED' && proposed.state === 'PENDING') throw new Error(`${where} is QUEUED: only the store promotes it`);
  if (!isOpen(current.state) && isOpen(proposed.state) && !proposed.redelivery) throw new Error(`${where} ended: it reopens only as a redelivery`);
  const next = checkedDelivery(proposed);
  return { next, leftQueue: inQueue(current) && !inQueue(next) };
}

/** The next delivery of a queue, now at its head. */
export const promoted = (queued: Delivery, now: string): Delivery =>
  checkedDelivery({ ...queued, state: 'PENDING', nextAttemptTime: now, scheduleStart: now });

export const isDue = (delivery: Delivery, now: string): boolean =>
  delivery.state === 'PENDING' && delivery.nextAttemptTime !== undefined && Date.parse(delivery.nextAttemptTime) <= Date.parse(now);

/** Claimed by a new token; due again (to another dispatcher) only once the lease has passed. */
export function claimed(delivery: Delivery, token: string, now: string, leaseMs: number): Delivery {
  const until = new Date(Date.parse(now) + leaseMs).toISOString();
  return checkedDelivery({ ...delivery, claim: { token, until }, nextAttemptTime: until });
}

/** Ended by the disabling of its target. */
export const cancelled = (delivery: Delivery, outcome: string, now: string): Delivery => {
  const { claim: _claim, nextAttemptTime: _next, ...rest } = delivery;
  return checkedDelivery({ ...rest, state: 'CANCELLED', endTime: now, outcome });
};

/** When an ended delivery may be dropped (the outbox does not grow forever); open ones are kept. */
export const expiresMs = (delivery: Delivery): number | null =>
  !isOpen(delivery.state) && delivery.endTime ? Date.parse(delivery.endTime) + DELIVERY_RETENTION_MS : null;

/** When a delivery may be claimed, for the due index: PENDING ones only. */
export const dueMs = (delivery: Delivery): number | null =>
  delivery.state === 'PENDING' && delivery.nextAttemptTime ? Date.parse(delivery.nextAttemptTime) : null;

export function assertPageSize(pageSize: number): void {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new RangeError(`pageSize must be an integer in 1..100, not ${pageSize}`);
  }
}

/** Idempotency records as read back (the response body is whatever JSON the route answered). */
export const IdempotencyResponseSchema = z.object({
  status: z.number().int(),
  body: z.unknown(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const IdempotencyRecordSchema = z.object({
  key: z.string(),
  requestHash: z.string(),
  state: z.enum(['IN_FLIGHT', 'COMPLETED']),
  response: IdempotencyResponseSchema.optional(),
  createTime: z.iso.datetime({ offset: true }),
  expireTime: z.iso.datetime({ offset: true }),
  owner: z.string(),
  leaseExpireTime: z.iso.datetime({ offset: true }),
}) satisfies z.ZodType<IdempotencyRecord>;

/** Compared as instants: callers may write times with different offsets. */
const passed = (time: string, now: string): boolean => Date.parse(time) <= Date.parse(now);

/** Whether a begin may take `existing` over: it expired, or it is a reservation whose lease ran out. */
export const canTakeOver = (existing: IdempotencyRecord, now: string): boolean =>
  passed(existing.expireTime, now) || (existing.state === 'IN_FLIGHT' && passed(existing.leaseExpireTime, now));

/** The answer as it will be stored, refused when over the bound (a bug or an abuse, never stored). */
export function storableResponse(key: string, response: NonNullable<IdempotencyRecord['response']>): string {
  const text = JSON.stringify(response);
  if (Buffer.byteLength(text) > MAX_STORED_RESPONSE_BYTES) {
    throw new RangeError(`the answer to idempotency key ${key} is ${Buffer.byteLength(text)} bytes; at most ${MAX_STORED_RESPONSE_BYTES} are stored`);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Page tokens: base64url of {v:1, after, f}. `after` is the sort key of the last item returned
// (an environment id, or an event seq) and `f` a hash of the filter, so a token only continues the
// list it came from. They are opaque to clients but not secret: decoding one reveals nothing more
// than the last item of a page the caller has already seen.

const PageTokenSchema = z.object({ v: z.literal(1), after: z.union([z.string().min(1), z.number().int().nonnegative()]), f: z.string() });

const filterHash = (filterKey: string): string => createHash('sha256').update(filterKey).digest('base64url').slice(0, 16);

/** What `after` holds in each kind of token. */
export const ENVIRONMENT_CURSOR = z.string().min(1);
export const EVENT_CURSOR = z.number().int().nonnegative();

/** The label filter of a list as [key, value] pairs in key order. */
export const sortedLabels = (query: ListEnvironmentsQuery): [string, string][] =>
  Object.entries(query.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** A canonical text of the filters of an environment list. */
export function environmentFilterKey(query: ListEnvironmentsQuery): string {
  return JSON.stringify({ list: 'environments', state: query.state ?? null, project: query.project ?? null, labels: sortedLabels(query) });
}

export const eventFilterKey = (environmentId: string, newestFirst = false): string =>
  JSON.stringify(newestFirst ? { list: 'events', environmentId, order: 'desc' } : { list: 'events', environmentId });
export const deliveryFilterKey = (environmentId: string): string => JSON.stringify({ list: 'deliveries', environmentId });
export const DELIVERY_CURSOR = z.string().min(1);

function encodePageToken(after: string | number, filterKey: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after, f: filterHash(filterKey) })).toString('base64url');
}

/** The `after` of a token issued for this filter; InvalidPageTokenError for anything else. */
export function decodePageToken<A extends string | number>(
  token: string | undefined,
  filterKey: string,
  after: z.ZodType<A>,
): A | undefined {
  if (token === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPageTokenError();
  }
  const parsed = PageTokenSchema.safeParse(decoded);
  if (!parsed.success || parsed.data.f !== filterHash(filterKey)) throw new InvalidPageTokenError();
  const cursor = after.safeParse(parsed.data.after);
  if (!cursor.success) throw new InvalidPageTokenError();
  return cursor.data;
}

/**
 * Cuts a page out of up to pageSize + 1 items in list order: the extra item only says that
 * another page exists, so the last page never carries a token that leads to an empty page.
 */
export function toPage<T>(items: T[], pageSize: number, cursorOf: (item: T) => string | number, filterKey: string): Page<T> {
  if (items.length <= pageSize) return { items };
  const pageItems = items.slice(0, pageSize);
  return { items: pageItems, nextPageToken: encodePageToken(cursorOf(pageItems[pageItems.length - 1]!), filterKey) };
}

/**
 * A page the store stopped filling at its scan budget: what it found (maybe nothing), and a token
 * that continues after the last item it read — so a filter most items miss costs bounded work per
 * request, and the client just follows the token (a page may be short; only the last has none).
 */
export function scanLimitedPage<T>(items: T[], lastScanned: string, filterKey: string): Page<T> {
  return { items, nextPageToken: encodePageToken(lastScanned, filterKey) };
}
