import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../../api/domain/environment.js';
import { durationMs, expiryDue, resolveExpiry } from '../../../api/domain/expiry.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const HOUR = 3_600_000;

describe('expiry', () => {
  it('resolves ttl from creation, expireTime as given (in UTC), else the default; refuses both, the past and beyond the maximum', () => {
    const policy = { graceMs: 0, maxTtlMs: 7 * 24 * HOUR };
    expect(durationMs('90m')).toBe(90 * 60_000);
    expect(resolveExpiry({ ttl: '12h' }, NOW, policy)).toEqual({ expireTime: '2026-06-02T00:00:00.000Z', errors: [] });
    expect(resolveExpiry({ expireTime: '2026-06-01T16:00:00+02:00' }, NOW, policy)).toEqual({ expireTime: '2026-06-01T14:00:00.000Z', errors: [] });
    expect(resolveExpiry({ expireTime: '2026-06-01T13:00:00+02:00' }, NOW, policy)).toEqual({ errors: [{ path: '$.expireTime', message: 'expires in the past (2026-06-01T11:00:00.000Z)' }] });
    expect(resolveExpiry({}, NOW, policy)).toEqual({ errors: [] });
    expect(resolveExpiry({}, NOW, { ...policy, defaultTtlMs: 2 * HOUR }).expireTime).toBe('2026-06-01T14:00:00.000Z');
    expect(resolveExpiry({ ttl: '1h', expireTime: '2026-07-01T00:00:00Z' }, NOW, policy).errors).toEqual([{ path: '$.ttl', message: 'set expireTime or ttl, not both (a PATCH sends null for the other)' }]);
    expect(resolveExpiry({ ttl: '8d' }, NOW, policy).errors).toEqual([{ path: '$.ttl', message: 'the service keeps environments at most 168 h; the latest expiry is 2026-06-08T12:00:00.000Z' }]);
  });

  it('owes the nearest notice once, nothing between expireTime and the grace, then the delete (or the blocked notice once)', () => {
    const policy = { graceMs: 120_000 };
    const env = (over: Partial<EnvironmentRecord> = {}) => newEnvironmentRecord({ state: 'ACTIVE', expireTime: NOW.toISOString(), ...over });
    const at = (ms: number) => new Date(NOW.getTime() + ms);
    expect(expiryDue(env(), at(-25 * HOUR), policy)).toEqual({ kind: 'none' });
    expect(expiryDue(env(), at(-23 * HOUR), policy)).toEqual({ kind: 'notice', notice: '24h' });
    expect(expiryDue(env({ expiryNotices: ['24h'] }), at(-23 * HOUR), policy)).toEqual({ kind: 'none' });
    expect(expiryDue(env({ expiryNotices: ['24h'] }), at(-0.5 * HOUR), policy)).toEqual({ kind: 'notice', notice: '1h' });
    expect(expiryDue(env({ expiryNotices: ['24h', '1h'] }), at(119_999), policy)).toEqual({ kind: 'none' });
    expect(expiryDue(env(), at(120_000), policy)).toEqual({ kind: 'delete' });
    expect(expiryDue(env({ spec: { ...env().spec, deletionProtection: true } }), at(120_000), policy)).toEqual({ kind: 'blocked' });
    expect(expiryDue(env({ spec: { ...env().spec, deletionProtection: true }, expiryNotices: ['blocked'] }), at(HOUR), policy)).toEqual({ kind: 'none' });
    // A running operation (a create still going, a delete under way) is left to finish.
    expect(expiryDue(env({ state: 'CREATING', operation: { id: 'op-1', kind: 'create', target: 'create', state: 'RUNNING', startTime: NOW.toISOString() } }), at(HOUR), policy)).toEqual({ kind: 'none' });
    expect(expiryDue(env({ state: 'DELETED' }), at(HOUR), policy)).toEqual({ kind: 'none' });
  });
});
