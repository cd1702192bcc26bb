import type { EnvironmentRecord, NewEvent } from './environment.js';
import type { FieldError } from './errors.js';
import type { EnvironmentSpec } from './spec.js';

/**
 * Environments that expire: the spec's `expireTime` or `ttl` (from creation), else the service's
 * default TTL; never later than the service's maximum. The reconcile loop (and Cloud Scheduler in
 * the cloud) records notices about 24 h and 1 h before, and at expiry starts a normal delete — or,
 * under deletionProtection, records that it could not. All of it is decided from stored instants
 * and notices, never from timers, so a restart neither hastens nor repeats anything; the delete
 * waits a grace period past expireTime, so a clock running ahead by less than that cannot delete
 * early.
 */

/** A whole number of seconds, minutes, hours or days: `30m`, `12h`, `7d`. */
export const DURATION = /^[1-9]\d{0,5}[smhd]$/;

export interface ExpiryPolicy {
  /** Service-wide default TTL for specs that set neither expireTime nor ttl. */
  defaultTtlMs?: number;
  /** Service-wide maximum: an expiry later than creation + this is refused. */
  maxTtlMs?: number;
  /** How long past expireTime the delete waits (the clock-skew margin). */
  graceMs: number;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m` → 1 800 000. DURATION (in the spec and the config) has checked the form. */
export function durationMs(duration: string): number {
  return Number(duration.slice(0, -1)) * UNIT_MS[duration.at(-1) as keyof typeof UNIT_MS];
}

/**
 * The expireTime to record (UTC), or the problems with the spec's expiry. `created`: the instant a
 * ttl, the default TTL and the maximum count from — the create's own instant, or the environment's
 * creation when a PATCH changes the expiry (so extending never outlives the service's maximum).
 */
export function resolveExpiry(spec: Pick<EnvironmentSpec, 'expireTime' | 'ttl'>, now: Date, policy: ExpiryPolicy, created: Date = now): { expireTime?: string; errors: FieldError[] } {
  if (spec.expireTime && spec.ttl) return { errors: [{ path: '$.ttl', message: 'set expireTime or ttl, not both (a PATCH sends null for the other)' }] };
  const from = created.getTime();
  const at = spec.expireTime ? Date.parse(spec.expireTime)
    : spec.ttl ? from + durationMs(spec.ttl)
    : policy.defaultTtlMs !== undefined ? from + policy.defaultTtlMs
    : undefined;
  if (at === undefined) return { errors: [] };
  const path = spec.ttl ? '$.ttl' : '$.expireTime';
  if (at <= now.getTime()) return { errors: [{ path, message: `expires in the past (${new Date(at).toISOString()})` }] };
  if (policy.maxTtlMs !== undefined && at > from + policy.maxTtlMs) {
    return { errors: [{ path, message: `the service keeps environments at most ${policy.maxTtlMs / 3_600_000} h; the latest expiry is ${new Date(from + policy.maxTtlMs).toISOString()}` }] };
  }
  return { expireTime: new Date(at).toISOString(), errors: [] };
}

export const NOTICES = [{ notice: '24h', beforeMs: 24 * 3_600_000 }, { notice: '1h', beforeMs: 3_600_000 }] as const;

export type ExpiryDue =
  | { kind: 'notice'; notice: '24h' | '1h' }
  | { kind: 'delete' }
  | { kind: 'blocked' }
  | { kind: 'none' };

/**
 * What the sweep owes an environment now. An environment whose operation runs is left alone until
 * it ends (a create finishing, a delete already under way).
 */
export function expiryDue(record: EnvironmentRecord, now: Date, policy: ExpiryPolicy): ExpiryDue {
  if (!record.expireTime || record.state === 'DELETED' || record.state === 'DELETING') return { kind: 'none' };
  if (record.operation?.state === 'RUNNING') return { kind: 'none' };
  const at = Date.parse(record.expireTime);
  const sent = new Set(record.expiryNotices ?? []);
  if (now.getTime() >= at + policy.graceMs) {
    if (!record.spec.deletionProtection) return { kind: 'delete' };
    return sent.has('blocked') ? { kind: 'none' } : { kind: 'blocked' };
  }
  if (now.getTime() >= at) return { kind: 'none' };
  // The nearest notice only: one that would come after a later one is skipped (a 2-hour TTL gets no 24 h notice).
  const due = NOTICES.filter((n) => now.getTime() >= at - n.beforeMs).at(-1);
  return due && !sent.has(due.notice) ? { kind: 'notice', notice: due.notice } : { kind: 'none' };
}

/** The record with a notice recorded, and its event. */
export function withNotice(record: EnvironmentRecord, due: Extract<ExpiryDue, { kind: 'notice' | 'blocked' }>, time: string): { record: EnvironmentRecord; events: NewEvent[] } {
  type Notice = NonNullable<EnvironmentRecord['expiryNotices']>[number];
  const notice: Notice = due.kind === 'notice' ? due.notice : 'blocked';
  // The 1 h notice also stands for the 24 h one a short TTL skipped.
  const expiryNotices = [...new Set<Notice>([...(record.expiryNotices ?? []), notice, ...(notice === '1h' ? ['24h' as const] : [])])];
  const details = { expireTime: record.expireTime };
  const event: NewEvent = due.kind === 'notice'
    ? { time, type: 'environment.expiring', message: `environment expires at ${record.expireTime} (in about ${due.notice}); it will then be deleted`, details: { ...details, notice: due.notice } }
    : { time, type: 'environment.expiry_blocked', message: `environment expired at ${record.expireTime} but deletionProtection is on: it was not deleted`, details };
  return { record: { ...record, expiryNotices }, events: [event] };
}
