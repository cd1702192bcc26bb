import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../api/domain/environment.js';
import { buildTestApp, INTERNAL_SECRET } from '../support/app.js';
import { created, typedClient } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

describe('expiry in the API', () => {
  it('shows expireTime from the ttl, applies the service default, and refuses an expiry beyond the maximum with 422', async () => {
    const now = new Date('2026-03-01T10:00:00.000Z');
    const { app } = buildTestApp({ now: () => now, expiry: { graceMs: 0, defaultTtlMs: 8 * 3_600_000, maxTtlMs: 24 * 3_600_000 } });
    const client = typedClient(app);
    expect((await created(client, { ...SMALLEST_SPEC, ttl: '90m' })).expireTime).toBe('2026-03-01T11:30:00.000Z');
    expect((await created(client, { ...SMALLEST_SPEC, name: 'default-ttl' })).expireTime).toBe('2026-03-01T18:00:00.000Z');
    const tooLong = await client.POST('/environments', { body: { ...SMALLEST_SPEC, name: 'too-long', ttl: '2d' } });
    expect(tooLong.response.status).toBe(422);
    expect(tooLong.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '$.ttl', message: expect.stringContaining('at most 24 h') }] });
  });
});

describe('PATCH moves the expiry', () => {
  it('extends (or ends) it at once without an operation: a ttl counts from the creation, the maximum too; the notices are owed again', async () => {
    let now = new Date('2026-03-01T10:00:00.000Z');
    const t = buildTestApp({ now: () => now, expiry: { graceMs: 0, maxTtlMs: 24 * 3_600_000 } });
    const client = typedClient(t.app);
    const env = await created(client, { ...SMALLEST_SPEC, ttl: '2h', saxml: { enabled: false } });
    expect(env.expireTime).toBe('2026-03-01T12:00:00.000Z');
    await t.store.update(env.id, (current: EnvironmentRecord) => ({
      record: { ...current, state: 'ACTIVE', operation: { ...current.operation!, state: 'SUCCEEDED', endTime: now.toISOString() } },
      events: [],
    }));
    // An hour before expiry the sweep sends the 1 h notice.
    now = new Date('2026-03-01T11:10:00.000Z');
    const sweep = () => t.app.request('/internal/reconcile', { method: 'POST', headers: { authorization: `Bearer ${INTERNAL_SECRET}` } });
    expect((await sweep()).status).toBe(200);
    expect((await t.store.get(env.id))!.expiryNotices).toContain('1h');

    const patch = (body: unknown) => t.app.request(`/environments/${env.id}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
    const extended = await patch({ ttl: '12h' });
    expect(extended.status).toBe(200);
    const body = (await extended.json()) as { expireTime?: string; state: string; operation: { kind: string } };
    expect(body).toMatchObject({ state: 'ACTIVE', expireTime: '2026-03-01T22:00:00.000Z', operation: { kind: 'create' } });
    const record = (await t.store.get(env.id))!;
    expect(record.expiryNotices).toEqual([]);
    const events = (await (await t.app.request(`/environments/${env.id}/events?order=desc&pageSize=1`)).json()) as { events: { type: string; details: { changed: string[] } }[] };
    expect(events.events[0]).toMatchObject({ type: 'spec.updated', details: { changed: ['ttl'] } });

    // Beyond the maximum, counted from the creation, not from now.
    const tooLate = await patch({ ttl: '25h' });
    expect(tooLate.status).toBe(422);
    expect(await tooLate.json()).toMatchObject({ errors: [{ path: '$.ttl', message: expect.stringContaining('latest expiry is 2026-03-02T10:00:00.000Z') }] });
    const both = await patch({ expireTime: '2026-03-01T20:00:00Z' });
    expect(both.status).toBe(422);
    expect(await both.json()).toMatchObject({ errors: [{ path: '$.ttl', message: expect.stringContaining('null for the other') }] });
    const past = await patch({ ttl: null, expireTime: '2026-03-01T11:00:00Z' });
    expect(past.status).toBe(422);
    expect(await past.json()).toMatchObject({ errors: [{ path: '$.expireTime', message: expect.stringContaining('in the past') }] });

    const byTime = await patch({ ttl: null, expireTime: '2026-03-01T20:00:00Z' });
    expect(byTime.status).toBe(200);
    expect(((await byTime.json()) as { expireTime?: string }).expireTime).toBe('2026-03-01T20:00:00.000Z');
    // Without either (and no service default) it no longer expires.
    const never = await patch({ expireTime: null });
    expect(never.status).toBe(200);
    expect(await never.json()).not.toHaveProperty('expireTime');
    expect((await t.store.get(env.id))!).not.toHaveProperty('expireTime');
  });
});
