import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../api/domain/access.js';
import { createLogger } from '../../api/logger.js';
import { buildTestApp, json, tokensAuthenticator } from '../support/app.js';
import { environmentOf, problemOf } from '../support/bodies.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

/** Nothing leaks (review findings 18 and 19): secrets are redacted by value, and ids are no existence oracle. */

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SECRETS = {
  bearer: 'Bearer abc.def-ghi_0123456789',
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbCI6ImFAYi5jb20ifQ.c2lnbmF0dXJl',
  accessToken: 'ya29.a0AfH6SMBx-secret-access-token',
  webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  slackUrl: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  privateKey: PRIVATE_KEY,
};

function logged() {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', sink: (l) => lines.push(l) }), lines };
}

describe('the logger redacts secrets by value', () => {
  it.each(Object.entries(SECRETS))('%s, in a field of any name, at any depth, in arrays and in the message', (_kind, secret) => {
    const { logger, lines } = logged();
    let deep: unknown = { note: `see ${secret} here` };
    for (let i = 0; i < 20; i++) deep = i % 2 ? { level: deep } : [deep];
    logger.child({ context: `child ${secret}` }).error(`failed calling with ${secret}`, { detail: deep, list: ['x', secret], error: new Error(`boom ${secret}`) });
    expect(lines).toHaveLength(1);
    const text = lines[0]!;
    // The distinctive part of each secret: never written, wherever it was.
    const core = secret.replace(/^Bearer /, '').split('\n')[1] ?? secret.replace(/^Bearer /, '');
    expect(text).not.toContain(core);
    expect(text).toContain('[REDACTED]');
    expect(JSON.parse(text).message.trim()).toMatch(/^failed calling with (Bearer )?\[REDACTED\]$/);
  });

  it('keeps ordinary values, survives cycles and bounds depth without leaking', () => {
    const { logger, lines } = logged();
    const cyclic: Record<string, unknown> = { name: 'env demo' };
    cyclic.self = cyclic;
    let deep: unknown = SECRETS.webhookSecret;
    for (let i = 0; i < 100; i++) deep = { d: deep };
    logger.info('ok', { cyclic, deep, url: 'https://container.googleapis.com/v1/projects/p', count: 3 });
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ message: 'ok', url: 'https://container.googleapis.com/v1/projects/p', count: 3, cyclic: { name: 'env demo', self: '[CIRCULAR]' } });
    expect(lines[0]).not.toContain('whsec_');
  });
});

describe('no existence oracle across projects', () => {
  const authenticator = tokensAuthenticator({ a: 'user:alice@example.com', b: 'user:bob@example.com' });
  const { app } = buildTestApp({ auth: { authenticator, policy: new AccessPolicy(['team-a-proj/user:alice@example.com', 'team-b-proj/user:bob@example.com']) } });
  const as = (token: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });

  it('another project’s environment answers exactly like a missing one, on every route', async () => {
    const created = await app.request('/environments', as('b', json({ ...SMALLEST_SPEC, project: 'team-b-proj' })));
    expect(created.status).toBe(202);
    const { id } = await environmentOf(created);
    const missing = 'env-01jd8m3q4b5c6d7e8f9g0h1j2k';
    for (const [method, suffix] of [['GET', ''], ['GET', '/events'], ['GET', '/events:watch'], ['GET', '/plan'], ['GET', '/deliveries'], ['DELETE', ''], ['POST', '/retry'], ['POST', '/cancel']] as const) {
      const theirs = await app.request(`/environments/${id}${suffix}`, as('a', { method }));
      const none = await app.request(`/environments/${missing}${suffix}`, as('a', { method }));
      expect([method, suffix, theirs.status]).toEqual([method, suffix, 404]);
      const [p1, p2] = [await problemOf(theirs), await problemOf(none)];
      expect({ code: p1.code, detail: p1.detail.replace(id, 'ID') }).toEqual({ code: p2.code, detail: p2.detail.replace(missing, 'ID') });
    }
    // The status page too: its page and its fragments say exactly what they say of a missing one.
    const same = (text: string, envId: string) => text.replaceAll(envId, 'ID').replace(/"requestId":"[^"]+"/, '');
    for (const headers of [{ accept: 'text/html' }, { accept: 'text/html', 'page-fragment': 'main' }] as Record<string, string>[]) {
      const theirs = await app.request(`/ui/environments/${id}`, as('a', { headers }));
      const none = await app.request(`/ui/environments/${missing}`, as('a', { headers }));
      expect(theirs.status).toBe(404);
      expect(same(await theirs.text(), id)).toBe(same(await none.text(), missing));
    }
    // The owner still sees it.
    expect((await app.request(`/environments/${id}`, as('b'))).status).toBe(200);
    expect((await app.request(`/ui/environments/${id}`, as('b', { headers: { accept: 'text/html' } }))).status).toBe(200);
  });
});
