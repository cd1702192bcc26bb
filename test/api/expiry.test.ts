import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.js';
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
