import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../api/domain/access.js';
import { EngineUnavailableError, ExecutionNotFoundError, type WorkflowEngine } from '../../api/engine/port.js';
import { staticTokenAuthenticator } from '../../api/identity/static-token.js';
import { EnvironmentSchema } from '../../api/routes/environments/schemas.js';
import { buildTestApp, INTERNAL_SECRET, tokensAuthenticator } from '../support/app.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { PendingEngine } from '../support/pending-engine.js';
import { environmentOf, jsonOf, problemOf } from '../support/bodies.js';
import { created, typedClient } from '../support/client.js';

// What a user meets first: the HTTP contract's answers, each saying what to do next.

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): RequestInit => ({ method: 'POST', headers, body });

describe('query parameters', () => {
  it('refuses an unknown one with 400 naming it and the one meant: ?validateonly=true creates nothing', async () => {
    const { app, store } = buildTestApp();
    const res = await app.request('/environments?validateonly=true', post(JSON.stringify(SMALLEST_SPEC)));
    expect(res.status).toBe(400);
    const body = await problemOf(res);
    expect(body.code).toBe('INVALID_ARGUMENT');
    expect(body.errors).toEqual([{ path: '$.query.validateonly', message: 'unknown parameter; did you mean "validateOnly"?' }]);
    expect((await store.list({ pageSize: 10 })).items).toEqual([]);
  });

  it('?deletebootstrap=true does not silently keep the bootstrap: 400, nothing deleted', async () => {
    const { app } = buildTestApp();
    const env = await created(typedClient(app));
    const res = await app.request(`/environments/${env.id}?force=true&deletebootstrap=true`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).detail).toContain('did you mean "deleteBootstrap"?');
    expect((await typedClient(app).GET('/environments/{id}', { params: { path: { id: env.id } } })).data?.state).toBe('CREATING');
  });

  it('routes without parameters refuse any', async () => {
    const { app } = buildTestApp();
    const env = await created(typedClient(app));
    const res = await app.request(`/environments/${env.id}?view=full`);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).detail).toContain('this route takes no query parameters');
  });
});

describe('request bodies', () => {
  it('415 says what to send', async () => {
    const { app } = buildTestApp();
    const res = await app.request('/environments', post(JSON.stringify(SMALLEST_SPEC), { 'content-type': 'text/plain' }));
    expect(res.status).toBe(415);
    expect(await problemOf(res)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'send the body as JSON with Content-Type: application/json (got text/plain)' });
  });

  it('malformed JSON gives the line and column, without quoting the body', async () => {
    const { app } = buildTestApp();
    const res = await app.request('/environments', post('{\n  "name": "demo",\n  "project": "p" "region": "secret-marker"\n}'));
    expect(res.status).toBe(400);
    const body = await problemOf(res);
    expect(body.code).toBe('MALFORMED_JSON');
    expect(body.detail).toMatch(/^malformed JSON at line 3, column 18: /);
    expect(body.detail).not.toContain('secret-marker');
  });

  it('a missing required field "is required"; an unknown one close to a known one says which', async () => {
    const { app } = buildTestApp();
    const { project: _project, ...noProject } = SMALLEST_SPEC;
    const res = await app.request('/environments', post(JSON.stringify({ ...noProject, cluster: { ...SMALLEST_SPEC.cluster, tpuNodepools: [] } })));
    expect(res.status).toBe(422);
    const body = await problemOf(res);
    expect(body.errors).toEqual(expect.arrayContaining([
      { path: '$.project', message: 'is required' },
      { path: '$.cluster.tpuNodepools', message: 'unknown field; did you mean "tpuNodePools"?' },
    ]));
  });

  it('the same holds on internal routes: malformed JSON → 400, a bad id → 400, never a 500', async () => {
    const { app } = buildTestApp();
    const auth = { authorization: `Bearer ${INTERNAL_SECRET}`, 'content-type': 'application/json' };
    const env = await created(typedClient(app));
    const malformed = await app.request(`/internal/environments/${env.id}/reports`, post('{"operationId":', auth));
    expect(malformed.status).toBe(400);
    expect((await problemOf(malformed)).code).toBe('MALFORMED_JSON');
    const badId = await app.request('/internal/environments/nope/reports', post('{}', auth));
    expect(badId.status).toBe(400);
    expect((await problemOf(badId)).errors?.[0]?.path).toBe('$.path.id');
  });
});

describe('authorization comes before validation', () => {
  it('a caller denied the project gets 403 for an invalid body, not validation feedback', async () => {
    const { app } = buildTestApp({
      auth: { authenticator: tokensAuthenticator({ t: 'user:bob@example.com' }), policy: new AccessPolicy(['other-project/user:bob@example.com']) },
    });
    const res = await app.request('/environments', post(JSON.stringify({ ...SMALLEST_SPEC, region: 'nowhere', tpu: 1 }), { authorization: 'Bearer t', 'content-type': 'application/json' }));
    expect(res.status).toBe(403);
    expect((await problemOf(res)).errors).toBeUndefined();
  });

  it('401 tells the client how to authenticate', async () => {
    const { app } = buildTestApp({ auth: { authenticator: staticTokenAuthenticator('a-long-enough-api-token'), policy: new AccessPolicy('allow-all') } });
    const res = await app.request('/environments');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="saxml-environments"');
  });
});

describe('GET /', () => {
  it('points a person to the docs', async () => {
    const { app } = buildTestApp();
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({ docs: '/docs', openapi: '/openapi.yaml' });
  });
});

describe('GET /environments/{id}', () => {
  it('answers a body that parses with the published Environment schema', async () => {
    const { app } = buildTestApp();
    const env = await created(typedClient(app));
    const res = await app.request(`/environments/${env.id}`);
    expect(EnvironmentSchema.safeParse(await res.json()).success).toBe(true);
  });
});

describe('If-Match', () => {
  it('on DELETE, retry and cancel: a stale ETag is 412 ETAG_MISMATCH and changes nothing; the current one works', async () => {
    const { app } = buildTestApp();
    const client = typedClient(app);
    const env = await created(client);
    const current = (await app.request(`/environments/${env.id}`)).headers.get('etag')!;
    const stale = env.etag === current ? '"00000000-1"' : env.etag;

    const cancel = await app.request(`/environments/${env.id}/cancel`, { method: 'POST', headers: { 'if-match': stale } });
    expect(cancel.status).toBe(412);
    expect((await problemOf(cancel)).code).toBe('ETAG_MISMATCH');
    const cancelled = await app.request(`/environments/${env.id}/cancel`, { method: 'POST', headers: { 'if-match': current } });
    expect(cancelled.status).toBe(200);
    const afterCancel = cancelled.headers.get('etag')!;

    expect((await app.request(`/environments/${env.id}/retry`, { method: 'POST', headers: { 'if-match': current } })).status).toBe(412);
    expect((await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE', headers: { 'if-match': current } })).status).toBe(412);
    expect((await client.GET('/environments/{id}', { params: { path: { id: env.id } } })).data?.state).toBe('FAILED');

    expect((await app.request(`/environments/${env.id}/retry`, { method: 'POST', headers: { 'if-match': afterCancel } })).status).toBe(202);
  });
});

describe('DELETE of an environment that is already DELETED', () => {
  it('is idempotent: 200 with the environment, no new operation', async () => {
    const { app, store } = buildTestApp();
    const env = await created(typedClient(app));
    await store.update(env.id, (r) => ({ record: { ...r, state: 'DELETED', operation: { ...r.operation!, state: 'SUCCEEDED' } } }));
    const res = await app.request(`/environments/${env.id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    const body = await environmentOf(res);
    expect(body.state).toBe('DELETED');
    expect(body.operation?.id).toBe(env.operation.id);
  });
});

describe('the workflow engine failing', () => {
  const failingCancel = (error: Error): WorkflowEngine => {
    const inner = new PendingEngine();
    return { start: (i) => inner.start(i), get: (n) => inner.get(n), cancel: async () => { throw error; }, listActive: () => inner.listActive() };
  };

  it.each([
    ['cancel', (id: string) => [`/environments/${id}/cancel`, { method: 'POST' }] as const],
    ['DELETE ?force=true', (id: string) => [`/environments/${id}?force=true`, { method: 'DELETE' }] as const],
  ])('%s while Cloud Workflows is unavailable → 503 UNAVAILABLE, nothing changed, no internal names', async (_name, request) => {
    const { app } = buildTestApp({ engine: failingCancel(new EngineUnavailableError('projects/svc-project/locations/x/workflows/y: 503', true)) });
    const env = await created(typedClient(app));
    const [path, init] = request(env.id);
    const res = await app.request(path, init);
    expect(res.status).toBe(503);
    const body = await problemOf(res);
    expect(body.code).toBe('UNAVAILABLE');
    expect(body.detail).not.toContain('svc-project');
    expect((await typedClient(app).GET('/environments/{id}', { params: { path: { id: env.id } } })).data?.operation?.state).toBe('RUNNING');
  });

  it('cancel of an execution the engine no longer knows settles the operation (INTERRUPTED), not a 500', async () => {
    const { app } = buildTestApp({ engine: failingCancel(new ExecutionNotFoundError('local/executions/1')) });
    const env = await created(typedClient(app));
    const res = await app.request(`/environments/${env.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await environmentOf(res)).toMatchObject({ state: 'FAILED', operation: { state: 'CANCELLED', error: { code: 'INTERRUPTED' } } });
  });
});
