import type { EnvironmentEvent, EnvironmentRecord, EnvironmentState, NewEvent } from '../domain/environment.js';
import type { Delivery, NewDelivery } from '../domain/notifications/delivery.js';

/**
 * The EnvironmentStore port (DESIGN §2): Firestore in production (firestore.ts), SQLite embedded
 * (sqlite.ts). Both pass one contract suite (test/integration/store). All multi-record changes
 * happen inside one store transaction: a state change and the events describing it are written
 * together or not at all.
 */

export interface ListEnvironmentsQuery {
  /** 1..100 */
  pageSize: number;
  /** Opaque token from a previous page. */
  pageToken?: string;
  state?: EnvironmentState;
  project?: string;
  /** Exact label match, all must hold. */
  labels?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  nextPageToken?: string;
}

export interface ListEventsQuery {
  pageSize: number;
  pageToken?: string;
  /** Only events with seq greater than this. */
  afterSeq?: number;
  /** Newest first instead of oldest first. */
  newestFirst?: boolean;
}

/** Stored answer to a request made with an Idempotency-Key. */
export interface IdempotencyRecord {
  /** Scoped key: principal + key, so two callers never collide. */
  key: string;
  /** Hash of method, path and body: the same key with another request is refused. */
  requestHash: string;
  state: 'IN_FLIGHT' | 'COMPLETED';
  /** Set when COMPLETED; at most MAX_STORED_RESPONSE_BYTES once encoded. */
  response?: { status: number; body: unknown; headers?: Record<string, string> };
  createTime: string;
  /** After this instant the record may be discarded. */
  expireTime: string;
  /** Who holds the reservation: only it may complete or abandon it. */
  owner: string;
  /**
   * Until when an IN_FLIGHT reservation holds: a request that crashed leaves a reservation nobody
   * completes, so after its lease the key is free again (taken over by the next request).
   */
  leaseExpireTime: string;
}

/** The largest answer kept for replay (JSON of status, body and headers): a legal environment view fits. */
export const MAX_STORED_RESPONSE_BYTES = 128 * 1024;

export type IdempotencyBegin =
  | { outcome: 'started' }
  | { outcome: 'existing'; record: IdempotencyRecord };

/**
 * The deliveries that numbered events cause (domain/notifications/outbox.ts), given the record as
 * the transaction leaves it. Called inside the transaction, possibly more than once: pure.
 */
export type Outbox = (record: EnvironmentRecord, events: readonly EnvironmentEvent[]) => NewDelivery[];

/**
 * What an update callback returns: the new record (or `null` to leave it unchanged), the events
 * to append and how to derive the deliveries they cause, all written in the same transaction.
 */
export interface UpdateResult {
  record: EnvironmentRecord | null;
  events?: NewEvent[];
  outbox?: Outbox;
  /** With `{ project: true }` only: the project's bootstrap removal to record (null: it is over). */
  bootstrapRemoval?: BootstrapRemoval | null;
}

/**
 * The operation removing a project's bootstrap resources (automation account, bucket) right now.
 * While it runs, no environment of the project may be created: it would need what is being removed.
 */
export interface BootstrapRemoval {
  environmentId: string;
  operationId: string;
}

/**
 * What an update sees of its environment's project when it asks (`{ project: true }`), read in the
 * same transaction: every write that changes who lives in the project (a create, an update asking
 * for the project) is serialised with it, so whoever sees no other live environment is the last.
 */
export interface ProjectView {
  /** The project's other environments that are not DELETED. */
  others: { id: string; name: string }[];
  bootstrapRemoval?: BootstrapRemoval;
}

export interface ListDeliveriesQuery {
  pageSize: number;
  pageToken?: string;
}

export interface EnvironmentStore {
  /**
   * Inserts a new environment and its first events atomically. Throws NameTakenError when a
   * non-DELETED environment with the same (project, name) exists — also under concurrent creates —
   * and BootstrapBusyError while a RUNNING operation removes the project's bootstrap.
   */
  create(record: EnvironmentRecord, events?: NewEvent[], outbox?: Outbox): Promise<EnvironmentRecord>;

  get(id: string): Promise<EnvironmentRecord | null>;

  /**
   * Transactional read-modify-write. `mutate` receives the current record and may be called more
   * than once (on contention); it must be free of side effects. The store sets `version` (+1) and
   * `updateTime` (from its own clock), and refuses with VersionConflictError when `expectedVersion`
   * (the version an `If-Match` ETag names) is given and differs.
   * Throws EnvironmentNotFoundError for an unknown id. Returns the stored record. With
   * `project: true`, `mutate` also sees the environment's project (ProjectView) and may record its
   * bootstrap removal; such updates are serialised with every create in the project.
   */
  update(
    id: string,
    mutate: (current: EnvironmentRecord, project?: ProjectView) => UpdateResult,
    options?: { expectedVersion?: number; project?: boolean },
  ): Promise<{ record: EnvironmentRecord; events: EnvironmentEvent[] }>;

  /** Newest first (by id: ids are ULIDs, so id order is creation order). */
  list(query: ListEnvironmentsQuery): Promise<Page<EnvironmentRecord>>;

  /** Events of one environment in seq order (oldest first, or newest first when asked). */
  listEvents(environmentId: string, query: ListEventsQuery): Promise<Page<EnvironmentEvent>>;

  /** Ids of environments in one project that are not DELETED (used for shared bootstrap). */
  liveEnvironmentIdsInProject(project: string): Promise<string[]>;

  /** Environments whose current operation is RUNNING (for reconciliation after restarts). */
  listWithRunningOperation(): Promise<EnvironmentRecord[]>;

  /** Environments not DELETED whose `expireTime` is at or before `until` (ISO 8601, UTC), by id (the expiry sweep). */
  listExpiring(until: string): Promise<EnvironmentRecord[]>;

  // -- The outbox. Deliveries of one environment to one target are a queue in event order: the
  // oldest open one is PENDING, the others QUEUED. A new delivery is PENDING (due at once) when
  // its queue is empty; whenever a PENDING delivery ends, the store makes the next one PENDING,
  // due now, in the same transaction. Redeliveries stand outside their queue.

  /** An environment's deliveries, newest event first. */
  listDeliveries(environmentId: string, query: ListDeliveriesQuery): Promise<Page<Delivery>>;

  getDelivery(environmentId: string, deliveryId: string): Promise<Delivery | null>;

  /**
   * Claims up to `limit` PENDING deliveries whose next attempt is due (by the store's clock), each
   * in a transaction that re-checks it: `claim` gets a new token and the delivery is not due again
   * until the lease ends. Two dispatchers never claim the same attempt.
   */
  claimDueDeliveries(options: { limit: number; leaseMs: number }): Promise<Delivery[]>;

  /**
   * Transactional read-modify-write of one delivery (`mutate` returns null to change nothing).
   * Throws DeliveryNotFoundError. A QUEUED delivery only becomes PENDING through the store.
   */
  updateDelivery(environmentId: string, deliveryId: string, mutate: (current: Delivery) => Delivery | null): Promise<Delivery>;

  /** Ends every open delivery of one queue as CANCELLED (its target was disabled); returns how many. */
  cancelOpenDeliveries(environmentId: string, targetId: string, outcome: string): Promise<number>;

  /**
   * Reserves an idempotency key atomically for `owner`, or returns the record already there. An
   * expired record, or an IN_FLIGHT one whose lease ran out, is taken over.
   */
  beginIdempotent(record: Omit<IdempotencyRecord, 'state' | 'response'>): Promise<IdempotencyBegin>;
  /**
   * Stores the answer, if `owner` still holds the reservation: a late completion never overwrites a
   * reservation taken over since (false then). Refuses answers over MAX_STORED_RESPONSE_BYTES.
   */
  completeIdempotent(key: string, owner: string, response: NonNullable<IdempotencyRecord['response']>): Promise<boolean>;
  /** Drops `owner`'s IN_FLIGHT reservation after a failure that produced no response worth replaying. */
  abandonIdempotent(key: string, owner: string): Promise<void>;

  close(): Promise<void>;
}

export class NameTakenError extends Error {
  constructor(readonly project: string, readonly environmentName: string, readonly existingId: string) {
    super(`environment name "${environmentName}" is already used in project ${project} by ${existingId}`);
    this.name = 'NameTakenError';
  }
}

/** A create in a project whose bootstrap a running operation is removing. */
export class BootstrapBusyError extends Error {
  constructor(readonly project: string, readonly removal: BootstrapRemoval) {
    super(`the bootstrap of project ${project} is being removed by operation ${removal.operationId} of environment ${removal.environmentId}`);
    this.name = 'BootstrapBusyError';
  }
}

export class EnvironmentNotFoundError extends Error {
  constructor(readonly environmentId: string) {
    super(`environment ${environmentId} not found`);
    this.name = 'EnvironmentNotFoundError';
  }
}

export class VersionConflictError extends Error {
  constructor(readonly environmentId: string, readonly expected: number, readonly actual: number) {
    super(`environment ${environmentId} is at version ${actual}, not ${expected}`);
    this.name = 'VersionConflictError';
  }
}

export class DeliveryNotFoundError extends Error {
  constructor(readonly environmentId: string, readonly deliveryId: string) {
    super(`delivery ${deliveryId} of environment ${environmentId} not found`);
    this.name = 'DeliveryNotFoundError';
  }
}

/** A stored document that does not match the schema: names the document, never crashes the process. */
export class CorruptRecordError extends Error {
  constructor(readonly documentPath: string, readonly issues: string) {
    super(`stored document ${documentPath} is malformed: ${issues}`);
    this.name = 'CorruptRecordError';
  }
}

/** The store's file is owned by another process (the embedded store): the service cannot start. */
export class StoreInUseError extends Error {
  constructor(readonly path: string) {
    super(`${path} is in use by another process: one service at a time may own a data folder (DATA_DIR)`);
    this.name = 'StoreInUseError';
  }
}

/** A page token that this store did not issue (or that was tampered with). */
export class InvalidPageTokenError extends Error {
  constructor() {
    super('pageToken is not valid for this list');
    this.name = 'InvalidPageTokenError';
  }
}
