import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../api/domain/access.js';
import { staticTokenAuthenticator } from '../../api/identity/static-token.js';
import { CorruptRecordError } from '../../api/store/port.js';
import { buildTestApp, json } from '../support/app.js';
import { environmentOf, problemOf } from '../support/bodies.js';
import { errorOf, typedClient } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

const TOKEN = 'super-secret-token-0123456789';

describe('request logs', () => {
  it('writes one JSON line per request with Cloud Logging fields, trace and the echoed request id', async () => {
    const { app, logs } = buildTestApp({ traceProject: 'svc-project', auth: { authenticator: staticTokenAuthenticator(TOKEN), policy: new AccessPolicy('allow-all') } });
    const res = await app.request('/environments', {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-cloud-trace-context': '0123456789abcdef0123456789abcdef/42;o=1', 'x-request-id': 'req-abc' },
    });
    expect(res.headers.get('x-request-id')).toBe('req-abc');
    const lines = logs.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      severity: 'INFO',
      message: 'GET /environments 200',
      requestId: 'req-abc',
      'logging.googleapis.com/trace': 'projects/svc-project/traces/0123456789abcdef0123456789abcdef',
      'logging.googleapis.com/spanId': '42',
      httpRequest: { requestMethod: 'GET', requestUrl: '/environments', status: 200 },
      principal: 'token:local',
    });
  });

  it('echoes the request id on every kind of response, cached reads and 304s included', async () => {
    const { app } = buildTestApp();
    const withId = (id: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), 'x-request-id': id } });
    const created = await app.request('/environments', withId('create-1', json(SMALLEST_SPEC)));
    expect([created.status, created.headers.get('x-request-id')]).toEqual([202, 'create-1']);
    const { id } = await environmentOf(created);
    const read = await app.request(`/environments/${id}`, withId('read-1'));
    expect([read.status, read.headers.get('x-request-id')]).toEqual([200, 'read-1']);
    const again = await app.request(`/environments/${id}`, withId('read-2'));
    expect([again.status, again.headers.get('x-request-id'), await again.text()]).toEqual([200, 'read-2', await read.text()]);
    const unchanged = await app.request(`/environments/${id}`, withId('read-3', { headers: { 'if-none-match': read.headers.get('etag')! } }));
    expect([unchanged.status, unchanged.headers.get('x-request-id'), unchanged.headers.get('etag')]).toEqual([304, 'read-3', read.headers.get('etag')]);
    for (const [path, method, status] of [['/healthz', 'GET', 200], ['/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k', 'GET', 404], ['/healthz', 'POST', 405]] as const) {
      const res = await app.request(path, withId(`${method}-${status}`, { method }));
      expect([res.status, res.headers.get('x-request-id')]).toEqual([status, `${method}-${status}`]);
    }
  });

  it('generates a request id when none (or an unsafe one) is sent, and puts it in problems', async () => {
    const { app, logs } = buildTestApp();
    const res = await app.request('/environments/nope', { headers: { 'x-request-id': 'bad id with spaces\n' } });
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await problemOf(res)).requestId).toBe(id);
    expect(JSON.parse(logs.at(-1)!)).toMatchObject({ severity: 'WARNING', requestId: id });
  });

  it('never logs tokens, secrets or request bodies', async () => {
    const { app, logs } = buildTestApp({ auth: { authenticator: staticTokenAuthenticator(TOKEN), policy: new AccessPolicy('allow-all') } });
    await app.request('/environments', json({ ...SMALLEST_SPEC, labels: { marker: 'body-marker' } }, { authorization: `Bearer ${TOKEN}` }));
    await app.request('/environments', json(SMALLEST_SPEC, { authorization: 'Bearer wrong-secret-value' }));
    await app.request(`/environments?pageToken=token-in-query`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const all = logs.join('\n');
    expect(logs.filter((line) => JSON.parse(line).httpRequest)).toHaveLength(3);
    for (const secret of [TOKEN, 'wrong-secret-value', 'body-marker', 'token-in-query']) expect(all).not.toContain(secret);
  });

  it('logs unhandled errors with their stack but answers an opaque 500 naming the request id', async () => {
    const { app, logs, store } = buildTestApp();
    store.list = async () => { throw new Error('disk on fire at /var/secret/path'); };
    const res = await typedClient(app).GET('/environments');
    expect(res.response.status).toBe(500);
    const problem = errorOf(res, 500);
    expect(problem.code).toBe('INTERNAL');
    expect(problem.detail).not.toContain('disk on fire');
    expect(problem.detail).toContain(problem.requestId);
    const errorLine = logs.map((l) => JSON.parse(l)).find((l) => l.message === 'unhandled error');
    expect(errorLine.severity).toBe('ERROR');
    expect(errorLine.error.message).toContain('disk on fire');
  });

  it('answers a corrupt stored document with a 500 that names the document, and logs it', async () => {
    const { app, logs, store } = buildTestApp();
    store.get = async () => { throw new CorruptRecordError('environments/env-x', 'state: invalid enum value'); };
    const res = await typedClient(app).GET('/environments/{id}', { params: { path: { id: 'env-01jd8m3q4b5c6d7e8f9g0h1j2k' } } });
    expect(res.response.status).toBe(500);
    expect(errorOf(res, 500).detail).toContain('environments/env-x');
    expect(logs.map((l) => JSON.parse(l)).find((l) => l.message === 'corrupt stored document')).toMatchObject({ document: 'environments/env-x' });
  });
});
