import { describe, expect, it } from 'vitest';
import { EngineUnavailableError, type StartExecutionInput, type WorkflowEngine } from '../../api/engine/port.js';
import { PendingEngine } from '../support/pending-engine.js';
import { AccessPolicy } from '../../api/domain/access.js';
import { buildTestApp, json, tokensAuthenticator } from '../support/app.js';
import { problemOf } from '../support/bodies.js';
import { created, createdOf, dataOf, errorOf, typedClient, validatedOf } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

describe('POST /environments', () => {
  it('records the smallest valid body and answers 202 with Location, ETag and a RUNNING create operation', async () => {
    const { app } = buildTestApp();
    const res = await typedClient(app).POST('/environments', { body: SMALLEST_SPEC });
    expect(res.response.status).toBe(202);
    const body = createdOf(res);
    expect(body.id).toMatch(/^env-[0-9a-z]{26}$/);
    expect(res.response.headers.get('location')).toBe(`/environments/${body.id}`);
    expect(res.response.headers.get('etag')).toBe(body.etag);
    expect(body).toMatchObject({ name: 'demo', project: 'my-project-1', region: 'us-west1', state: 'CREATING', createdBy: 'anonymous' });
    expect(body.operation).toMatchObject({ kind: 'create', state: 'RUNNING' });
    expect(body.operation.executionName).toBeTruthy();
    expect(body.actions).toEqual({ canDelete: false, canRetry: false, canCancel: true, canUpdate: false });
    expect(body.stages.map((s) => `${s.name}:${s.state}`)).toEqual([
      'bootstrap:PENDING', 'base:PENDING', 'perf:PENDING', 'saxml:PENDING',
    ]);
    expect(body.spec.zones).toEqual(['us-west1-c']);
    expect(body.spec.cluster.cpuNodePools).toHaveLength(4);
    expect(body).not.toHaveProperty('version');
  });

  it('passes the environment and operation ids to the workflow, never the spec', async () => {
    const started: StartExecutionInput[] = [];
    const engine = new PendingEngine();
    const recording: WorkflowEngine = { start: (i) => (started.push(i), engine.start(i)), get: (n) => engine.get(n), cancel: (n) => engine.cancel(n), listActive: () => engine.listActive() };
    const { app } = buildTestApp({ engine: recording, apiBase: () => 'http://127.0.0.1:9999' });
    const body = await created(typedClient(app));
    expect(started).toEqual([{
      // Only ids: the workflow learns where this service is from its deployment (API_BASE), not from here.
      argument: { environmentId: body.id, operationId: body.operation.id },
      labels: { environment: body.id, operation: body.operation.id, kind: 'create' },
    }]);
  });

  it('validateOnly returns the normalised spec and records nothing', async () => {
    const client = typedClient(buildTestApp().app);
    const res = await client.POST('/environments', { body: SMALLEST_SPEC, params: { query: { validateOnly: true } } });
    expect(res.response.status).toBe(200);
    const body = validatedOf(res);
    expect(body.spec.network).toMatchObject({ subnetCidr: '10.129.0.0/20', podsCidr: '192.168.64.0/20', servicesCidr: '192.168.80.0/20' });
    const list = dataOf(await client.GET('/environments'), 200);
    expect(list.environments).toEqual([]);
  });

  it('refuses unknown fields with 422 naming each one', async () => {
    const { app } = buildTestApp();
    const res = await app.request('/environments', json({ ...SMALLEST_SPEC, colour: 'blue', cluster: { ...SMALLEST_SPEC.cluster, extra: 1 } }));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await problemOf(res);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['$.cluster.extra', '$.colour']);
  });

  it('reports every cross-field violation at once', async () => {
    const { app } = buildTestApp();
    const res = await typedClient(app).POST('/environments', { body: {
      ...SMALLEST_SPEC,
      cluster: { tpuNodePools: [{ name: 'tpu', tpuType: 'v5litepod-16', zones: ['us-east1-b'] }] },
    } });
    expect(res.response.status).toBe(422);
    const problem = errorOf(res, 422);
    const paths = problem.errors?.map((e) => e.path);
    expect(paths).toContain('$.cluster.tpuNodePools[0].tpuType');
    expect(paths).toContain('$.cluster.tpuNodePools[0].zones[0]');
    expect(problem.errors?.find((e) => e.path.endsWith('tpuType'))?.message).toMatch(/multi-host.*v5litepod-4/);
    // The detail names every violation too, for a person who reads only it.
    expect(problem.detail).toContain('$.cluster.tpuNodePools[0].zones[0]: zone us-east1-b is not in region us-west1');
  });

  it('names the limit when a derived name would be too long for Google', async () => {
    const { app } = buildTestApp();
    const res = await typedClient(app).POST('/environments', { body: { ...SMALLEST_SPEC, name: 'a-much-too-long-name' } });
    expect(res.response.status).toBe(422);
    const { errors } = errorOf(res, 422);
    expect(errors).toContainEqual({ path: '$.name', message: expect.stringMatching(/service account id .* 6–30/) });
  });

  it.each([
    ['text/plain', 'hello', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/json', '{"name":', 400, 'MALFORMED_JSON'],
  ])('content type %s with body %s → %i', async (type, body, status, code) => {
    const { app } = buildTestApp();
    const res = await app.request('/environments', { method: 'POST', headers: { 'content-type': type }, body });
    expect(res.status).toBe(status);
    expect((await problemOf(res)).code).toBe(code);
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const { app } = buildTestApp();
    const res = await typedClient(app).POST('/environments', { body: { ...SMALLEST_SPEC, labels: { big: 'x'.repeat(70 * 1024) } } });
    expect(res.response.status).toBe(413);
    expect(errorOf(res, 413).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a second live environment with the same name in the project (409 naming it), but not in another project', async () => {
    const client = typedClient(buildTestApp().app);
    const first = await created(client);
    const again = await client.POST('/environments', { body: SMALLEST_SPEC });
    expect(again.response.status).toBe(409);
    const problem = errorOf(again, 409);
    expect(problem.code).toBe('ALREADY_EXISTS');
    expect(problem.detail).toContain(first.id);
    const elsewhere = await client.POST('/environments', { body: { ...SMALLEST_SPEC, project: 'other-project-2' } });
    expect(elsewhere.response.status).toBe(202);
  });

  it('records the environment as FAILED and answers 503 when the engine cannot start the workflow', async () => {
    const failing: WorkflowEngine = {
      start: async () => { throw new EngineUnavailableError('workflow backend said 503', true); },
      get: async () => { throw new Error('unused'); },
      cancel: async () => { throw new Error('unused'); },
      listActive: async () => [],
    };
    const client = typedClient(buildTestApp({ engine: failing }).app);
    const res = await client.POST('/environments', { body: SMALLEST_SPEC });
    expect(res.response.status).toBe(503);
    const problem = errorOf(res, 503);
    expect(problem.code).toBe('UNAVAILABLE');
    const env = dataOf(await client.GET('/environments/{id}', { params: { path: { id: String(problem.environmentId) } } }), 200);
    expect(env.state).toBe('FAILED');
    expect(env.operation).toMatchObject({ state: 'FAILED', error: { code: 'ENGINE_UNAVAILABLE' } });
    expect(env.actions.canRetry).toBe(true);
  });
});

describe('Idempotency-Key', () => {
  it('replays the same status and body for the same key and body, without creating twice', async () => {
    const client = typedClient(buildTestApp().app);
    const header = { 'idempotency-key': 'key-1' };
    const first = await client.POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    const second = await client.POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    expect(second.response.status).toBe(first.response.status);
    expect(createdOf(second)).toEqual(createdOf(first));
    expect(second.response.headers.get('location')).toBe(first.response.headers.get('location'));
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
    const list = dataOf(await client.GET('/environments'), 200);
    expect(list.environments).toHaveLength(1);
  });

  it('treats the same JSON with other key order and spacing as the same request', async () => {
    const { app } = buildTestApp();
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'key-2' };
    const a = await app.request('/environments', { method: 'POST', headers, body: JSON.stringify(SMALLEST_SPEC) });
    const reordered = JSON.stringify({ region: 'us-west1', cluster: SMALLEST_SPEC.cluster, project: 'my-project-1', name: 'demo' }, null, 2);
    const b = await app.request('/environments', { method: 'POST', headers, body: reordered });
    expect(b.status).toBe(a.status);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses the same key with a different body (422)', async () => {
    const client = typedClient(buildTestApp().app);
    const header = { 'idempotency-key': 'key-3' };
    await client.POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    const res = await client.POST('/environments', { body: { ...SMALLEST_SPEC, name: 'other' }, params: { header } });
    expect(res.response.status).toBe(422);
    expect(errorOf(res, 422).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('answers 409 while the first request with the key is still in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const startedPromise = new Promise<void>((r) => (entered = r));
    const inner = new PendingEngine();
    const slow: WorkflowEngine = {
      start: async (i) => { entered(); await gate; return inner.start(i); },
      get: (n) => inner.get(n),
      cancel: (n) => inner.cancel(n),
      listActive: () => inner.listActive(),
    };
    const client = typedClient(buildTestApp({ engine: slow }).app);
    const header = { 'idempotency-key': 'key-4' };
    const first = client.POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    await startedPromise;
    const second = await client.POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    expect(second.response.status).toBe(409);
    expect(errorOf(second, 409).code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
    release();
    expect((await first).response.status).toBe(202);
    const third = await client.POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    expect(third.response.status).toBe(202);
    expect(third.response.headers.get('idempotent-replayed')).toBe('true');
  });

  it('replays validation failures too, so a retried bad request gets the same answer', async () => {
    const client = typedClient(buildTestApp().app);
    const header = { 'idempotency-key': 'key-5' };
    const bad = { ...SMALLEST_SPEC, region: 'nowhere' };
    const a = await client.POST('/environments', { body: bad, params: { header } });
    const b = await client.POST('/environments', { body: bad, params: { header } });
    expect(a.response.status).toBe(422);
    expect(b.response.status).toBe(422);
    expect(errorOf(b, 422)).toEqual(errorOf(a, 422));
  });

  it('replays a create whose workflow could not start: that 503 is the outcome (the environment was recorded)', async () => {
    let fail = true;
    const inner = new PendingEngine();
    const flaky: WorkflowEngine = {
      start: async (i) => { if (fail) throw new EngineUnavailableError('projects/svc/locations/x/workflows/y: backend down', true); return inner.start(i); },
      get: (n) => inner.get(n),
      cancel: (n) => inner.cancel(n),
      listActive: () => inner.listActive(),
    };
    const client = typedClient(buildTestApp({ engine: flaky }).app);
    const header = { 'idempotency-key': 'key-6' };
    const first = await client.POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    expect(first.response.status).toBe(503);
    const problem = errorOf(first, 503);
    expect(problem.detail).not.toContain('projects/svc');
    fail = false;
    const replayed = await client.POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    expect(replayed.response.status).toBe(503);
    expect(replayed.response.headers.get('idempotent-replayed')).toBe('true');
    expect(errorOf(replayed, 503)).toEqual(problem);
    // The way forward the answer names: retry the recorded environment.
    const retry = await client.POST('/environments/{id}/retry', { params: { path: { id: String(problem.environmentId) } } });
    expect(retry.response.status).toBe(202);
  });

  it('does not store a server fault that recorded nothing, so a retry with the same key runs again', async () => {
    const { app, store } = buildTestApp();
    const create = store.create.bind(store);
    let fail = true;
    store.create = async (record, events) => {
      if (fail) { fail = false; throw new Error('disk full'); }
      return create(record, events);
    };
    const headers = { 'idempotency-key': 'key-7' };
    expect((await app.request('/environments', json(SMALLEST_SPEC, headers))).status).toBe(500);
    const retried = await app.request('/environments', json(SMALLEST_SPEC, headers));
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('scopes keys to the caller: two callers may use the same key for different requests', async () => {
    const { app } = buildTestApp({
      auth: { authenticator: tokensAuthenticator({ a: 'user:a@example.com', b: 'user:b@example.com' }), policy: new AccessPolicy('allow-all') },
    });
    const header = { 'idempotency-key': 'shared' };
    const a = await typedClient(app, { authorization: 'Bearer a' }).POST('/environments', { body: SMALLEST_SPEC, params: { header } });
    const b = await typedClient(app, { authorization: 'Bearer b' }).POST('/environments', { body: { ...SMALLEST_SPEC, name: 'other' }, params: { header } });
    expect(a.response.status).toBe(202);
    expect(b.response.status).toBe(202);
    expect(b.response.headers.get('idempotent-replayed')).toBeNull();
    expect(createdOf(b).createdBy).toBe('user:b@example.com');
  });
});
