import { createHash, randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { DomainError } from '../domain/errors.js';
import { MAX_STORED_RESPONSE_BYTES, type EnvironmentStore } from '../store/port.js';
import type { AppEnv } from './types.js';

/** 1–255 visible ASCII characters (the route contracts declare the header with the same rule). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/**
 * How long a reservation holds without an answer. A request that crashed (or a process that died)
 * never completes its reservation: after this the key is free again instead of answering 409 for
 * the whole TTL. Longer than any request takes: the slowest, a create, waits for Cloud Workflows.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;
/** Response headers worth replaying with the body. */
const REPLAYED_HEADERS = ['location', 'etag', 'content-type'];

/** JSON is compared by value (key order and whitespace do not make a request different). */
function canonical(body: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(body)));
  } catch {
    return body;
  }
}
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * `Idempotency-Key` (DESIGN §4): the same key with the same request replays the stored status and
 * body; with another request → 422; while the first is still running → 409. Keys are scoped to the
 * caller. Server faults (5xx) are not stored, so the client's retry runs the request again —
 * unless the failure is the request's outcome (something was recorded before it happened, e.g. a
 * create whose workflow could not start): then the retry replays it. A body with a secret shown
 * once is stored as the route's `replayBody` (the same answer without the secret). A reservation is
 * held for IDEMPOTENCY_LEASE_MS by the request that made it (`owner`): only that request may complete
 * or drop it, so one that outlived its lease never overwrites the answer of the request that took over.
 */
export function idempotency(store: EnvironmentStore, ttlMs: number, now: () => Date): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined || c.req.query('validateOnly') === 'true') return next();
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw new DomainError('INVALID_ARGUMENT', 'Idempotency-Key must be 1–255 visible ASCII characters', {
        errors: [{ path: '$.headers.Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }],
      });
    }
    const scopedKey = sha256(`${c.get('principal').id}\n${key}`);
    const url = new URL(c.req.url);
    const requestHash = sha256(`${c.req.method} ${url.pathname}?${[...url.searchParams].sort().join('&')}\n${canonical(await c.req.text())}`);
    const created = now();
    const owner = randomUUID();
    const begun = await store.beginIdempotent({
      key: scopedKey, requestHash, owner, createTime: created.toISOString(),
      expireTime: new Date(created.getTime() + ttlMs).toISOString(),
      leaseExpireTime: new Date(created.getTime() + IDEMPOTENCY_LEASE_MS).toISOString(),
    });
    if (begun.outcome === 'existing') {
      const { record } = begun;
      if (record.requestHash !== requestHash) {
        throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request; use a new key');
      }
      if (record.state === 'IN_FLIGHT' || !record.response) {
        throw new DomainError('IDEMPOTENCY_KEY_IN_FLIGHT', 'a request with this Idempotency-Key is still being processed; retry later');
      }
      const { status, body, headers } = record.response;
      return c.body(JSON.stringify(body), status as 200, { ...headers, 'Idempotent-Replayed': 'true' });
    }
    try {
      await next();
    } catch (error) {
      await store.abandonIdempotent(scopedKey, owner);
      throw error;
    }
    const outcome = c.error instanceof DomainError && c.error.options.outcome;
    if (c.res.status >= 500 && !outcome) {
      await store.abandonIdempotent(scopedKey, owner);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = c.res.headers.get(name);
      if (value) headers[name] = value;
    }
    const replayBody = c.get('replayBody');
    const text = replayBody === undefined ? await c.res.clone().text() : JSON.stringify(replayBody);
    const response = { status: c.res.status, body: text ? JSON.parse(text) : null, headers };
    // Answers are bounded by construction (spec limits, at most MAX_FIELD_ERRORS errors); one that is
    // not is answered but not kept, rather than stored at any size.
    if (Buffer.byteLength(JSON.stringify(response)) > MAX_STORED_RESPONSE_BYTES) {
      c.get('logger')?.warn('idempotent answer too large to keep; a retry runs the request again', { status: c.res.status, bytes: text.length });
      await store.abandonIdempotent(scopedKey, owner);
      return;
    }
    if (!(await store.completeIdempotent(scopedKey, owner, response))) {
      c.get('logger')?.warn('idempotency reservation lost (its lease ran out and another request took it over); answer not kept');
    }
  };
}
