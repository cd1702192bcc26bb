import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.js';
import { environmentOf, jsonOf, problemOf } from '../support/bodies.js';
import { created, dataOf, errorOf, typedClient, type ApiClient, type EnvironmentSpec } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import type { operations } from '@saxml-environments/client';

type ListQuery = NonNullable<operations['listEnvironments']['parameters']['query']>;
const create = (client: ApiClient, overrides: Partial<EnvironmentSpec> = {}) => created(client, { ...SMALLEST_SPEC, ...overrides });

describe('GET /environments/{id}', () => {
  it('returns the environment with an ETag that changes when it changes, and 304 when unchanged', async () => {
    const { app } = buildTestApp();
    const client = typedClient(app);
    const env = await create(client);
    const res = await client.GET('/environments/{id}', { params: { path: { id: env.id } } });
    expect(res.response.status).toBe(200);
    const etag = res.response.headers.get('etag')!;
    expect(dataOf(res, 200).id).toBe(env.id);
    expect((await app.request(`/environments/${env.id}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' });
    const after = await app.request(`/environments/${env.id}`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
  });

  it('404 for an unknown id, 400 for a malformed one', async () => {
    const client = typedClient(buildTestApp().app);
    const missing = await client.GET('/environments/{id}', { params: { path: { id: 'env-01jd8m3q4b5c6d7e8f9g0h1j2k' } } });
    expect(missing.response.status).toBe(404);
    expect(errorOf(missing, 404).code).toBe('NOT_FOUND');
    const bad = await client.GET('/environments/{id}', { params: { path: { id: 'nope' } } });
    expect(bad.response.status).toBe(400);
    expect(errorOf(bad, 400).errors?.[0]?.path).toBe('$.path.id');
  });
});

describe('GET /environments', () => {
  it('lists newest first with filters on state, project and labels', async () => {
    const { app } = buildTestApp();
    const client = typedClient(app);
    const a = await create(client, { name: 'a1', labels: { team: 'x' } });
    const b = await create(client, { name: 'b1', project: 'other-project-2', labels: { team: 'y' } });
    const c = await create(client, { name: 'c1', labels: { team: 'x', tier: 'prod' } });
    await app.request(`/environments/${c.id}?force=true`, { method: 'DELETE' });
    const ids = async (query: ListQuery = {}) => dataOf(await client.GET('/environments', { params: { query } }), 200).environments.map((e) => e.id);
    expect(await ids()).toEqual([c.id, b.id, a.id]);
    expect(await ids({ project: 'my-project-1' })).toEqual([c.id, a.id]);
    expect(await ids({ label: 'team:x' })).toEqual([c.id, a.id]);
    expect(await ids({ label: ['team:x', 'tier:prod'] })).toEqual([c.id]);
    expect(await ids({ state: 'DELETING' })).toEqual([c.id]);
    expect(await ids({ state: 'CREATING', project: 'other-project-2' })).toEqual([b.id]);
  });

  it('pages with opaque tokens, default page size 20', async () => {
    const client = typedClient(buildTestApp().app);
    const createdIds: string[] = [];
    for (let i = 0; i < 23; i++) createdIds.push((await create(client, { name: `env${i}` })).id);
    const first = dataOf(await client.GET('/environments'), 200);
    expect(first.environments).toHaveLength(20);
    const second = dataOf(await client.GET('/environments', { params: { query: { pageToken: first.nextPageToken } } }), 200);
    expect(second.environments).toHaveLength(3);
    expect(second.nextPageToken).toBeUndefined();
    const seen = [...first.environments, ...second.environments].map((e) => e.id);
    expect(seen).toEqual([...createdIds].reverse());
  });

  it.each([['0'], ['101'], ['abc']])('refuses pageSize=%s with 400', async (size) => {
    const { app } = buildTestApp();
    // Raw, since the typed client takes only numbers; the answer is the same for all three.
    const res = await app.request(`/environments?pageSize=${size}`);
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe('INVALID_ARGUMENT');
    expect(problem.errors?.[0]?.path).toBe('$.query.pageSize');
  });

  it('refuses a page token it did not issue, and a malformed label filter', async () => {
    const client = typedClient(buildTestApp().app);
    const token = await client.GET('/environments', { params: { query: { pageToken: 'garbage' } } });
    expect(token.response.status).toBe(400);
    expect(errorOf(token, 400).errors?.[0]?.path).toBe('$.query.pageToken');
    const label = await client.GET('/environments', { params: { query: { label: 'novalue' } } });
    expect(label.response.status).toBe(400);
  });
});

describe('DELETE /environments/{id}', () => {
  it('409 naming the running operation, unless force=true cancels it first', async () => {
    const client = typedClient(buildTestApp().app);
    const env = await create(client);
    const blocked = await client.DELETE('/environments/{id}', { params: { path: { id: env.id } } });
    expect(blocked.response.status).toBe(409);
    const problem = errorOf(blocked, 409);
    expect(problem.code).toBe('OPERATION_IN_PROGRESS');
    expect(problem.operation).toEqual({ id: env.operation.id, kind: 'create' });
    expect(problem.detail).toContain(env.operation.id);

    const forced = await client.DELETE('/environments/{id}', { params: { path: { id: env.id }, query: { force: true, deleteBootstrap: true } } });
    expect(forced.response.status).toBe(202);
    const deleting = dataOf(forced, 202);
    expect(deleting.state).toBe('DELETING');
    expect(deleting.operation).toMatchObject({ kind: 'delete', state: 'RUNNING', deleteBootstrap: true });
    expect(deleting.operation?.id).not.toBe(env.operation.id);

    const { events } = dataOf(await client.GET('/environments/{id}/events', { params: { path: { id: env.id } } }), 200);
    // Nothing was created yet, so every stage of the environment has nothing to delete: they are
    // DELETED at once. The bootstrap is the project's: whether it goes is decided at the end.
    expect(events.map((e) => e.type)).toEqual([
      'operation.started', 'environment.creating', 'preflight.skipped', 'operation.cancelled', 'environment.failed', 'operation.started', 'environment.deleting',
      'stage.succeeded', 'stage.succeeded', 'stage.succeeded',
    ]);
    expect(events.slice(7).map((e) => e.message)).toEqual(['stage base DELETED', 'stage perf DELETED', 'stage saxml DELETED']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('404 for an unknown environment', async () => {
    const { app } = buildTestApp();
    const res = await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k', { method: 'DELETE' });
    expect(res.status).toBe(404);
  });

  it('409 DELETION_PROTECTED when the spec protects the environment', async () => {
    const client = typedClient(buildTestApp().app);
    const env = await create(client, { deletionProtection: true });
    const res = await client.DELETE('/environments/{id}', { params: { path: { id: env.id }, query: { force: true } } });
    expect(res.response.status).toBe(409);
    expect(errorOf(res, 409).code).toBe('DELETION_PROTECTED');
    // Nothing changed: the create operation still runs.
    expect(dataOf(await client.GET('/environments/{id}', { params: { path: { id: env.id } } }), 200).operation?.state).toBe('RUNNING');
  });

  it('lets exactly one of two concurrent forced deletes start; both answer that delete', async () => {
    const { app } = buildTestApp();
    const env = await create(typedClient(app));
    const results = await Promise.all([1, 2].map(() => app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' })));
    expect(results.map((r) => r.status)).toEqual([202, 202]);
    const [a, b] = await Promise.all(results.map((r) => environmentOf(r)));
    expect(a!.operation).toMatchObject({ kind: 'delete', state: 'RUNNING' });
    expect(b!.operation?.id).toBe(a!.operation?.id);
  });
});

describe('GET /environments/{id}/events', () => {
  it('pages through the history in seq order', async () => {
    const { app } = buildTestApp();
    const client = typedClient(app);
    const env = await create(client);
    await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' });
    const events = async (query: { pageSize: number; pageToken?: string }) =>
      dataOf(await client.GET('/environments/{id}/events', { params: { path: { id: env.id }, query } }), 200);
    const first = await events({ pageSize: 2 });
    expect(first.events.map((e) => e.seq)).toEqual([1, 2]);
    const rest = await events({ pageSize: 10, pageToken: first.nextPageToken });
    // Without deleteBootstrap the bootstrap stage stays as it is: three stage events, not four.
    expect(rest.events.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rest.nextPageToken).toBeUndefined();
  });

  it('404 for an unknown environment', async () => {
    const { app } = buildTestApp();
    expect((await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k/events')).status).toBe(404);
  });
});

describe('service routes', () => {
  it('healthz, openapi.yaml, docs and unknown routes', async () => {
    const { app } = buildTestApp();
    expect(await jsonOf(await app.request('/healthz'))).toEqual({ status: 'ok' });
    const yaml = await app.request('/openapi.yaml');
    expect(yaml.headers.get('content-type')).toContain('yaml');
    expect(await yaml.text()).toContain('operationId: createEnvironment');
    const unknown = await app.request('/nowhere');
    expect(unknown.status).toBe(404);
    expect((await problemOf(unknown)).code).toBe('ROUTE_NOT_FOUND');
    const wrongMethod = await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k', { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH, DELETE');
    expect((await problemOf(wrongMethod)).code).toBe('METHOD_NOT_ALLOWED');
  });
});
