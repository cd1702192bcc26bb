import { describe, expect, it } from 'vitest';
import { buildTestApp, readJson, json } from '../support/app.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

type App = ReturnType<typeof buildTestApp>['app'];
const create = async (app: App, overrides: Record<string, unknown> = {}) =>
  readJson(await app.request('/environments', json({ ...SMALLEST_SPEC, ...overrides })));

describe('GET /environments/{id}', () => {
  it('returns the environment with an ETag that changes when it changes, and 304 when unchanged', async () => {
    const { app } = buildTestApp();
    const created = await create(app);
    const res = await app.request(`/environments/${created.id}`);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag')!;
    expect((await readJson(res)).id).toBe(created.id);
    expect((await app.request(`/environments/${created.id}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    await app.request(`/environments/${created.id}?force=true`, { method: 'DELETE' });
    const after = await app.request(`/environments/${created.id}`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
  });

  it('404 for an unknown id, 400 for a malformed one', async () => {
    const { app } = buildTestApp();
    const missing = await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k');
    expect(missing.status).toBe(404);
    expect((await readJson(missing)).code).toBe('NOT_FOUND');
    const bad = await app.request('/environments/nope');
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).errors[0].path).toBe('$.path.id');
  });
});

describe('GET /environments', () => {
  it('lists newest first with filters on state, project and labels', async () => {
    const { app } = buildTestApp();
    const a = await create(app, { name: 'a1', labels: { team: 'x' } });
    const b = await create(app, { name: 'b1', project: 'other-project-2', labels: { team: 'y' } });
    const c = await create(app, { name: 'c1', labels: { team: 'x', tier: 'prod' } });
    await app.request(`/environments/${c.id}?force=true`, { method: 'DELETE' });
    const ids = async (query: string) => (await readJson(await app.request(`/environments${query}`))).environments.map((e: { id: string }) => e.id);
    expect(await ids('')).toEqual([c.id, b.id, a.id]);
    expect(await ids('?project=my-project-1')).toEqual([c.id, a.id]);
    expect(await ids('?label=team:x')).toEqual([c.id, a.id]);
    expect(await ids('?label=team:x&label=tier:prod')).toEqual([c.id]);
    expect(await ids('?state=DELETING')).toEqual([c.id]);
    expect(await ids('?state=CREATING&project=other-project-2')).toEqual([b.id]);
  });

  it('pages with opaque tokens, default page size 20', async () => {
    const { app } = buildTestApp();
    const created: string[] = [];
    for (let i = 0; i < 23; i++) created.push((await create(app, { name: `env${i}` })).id);
    const first = await readJson(await app.request('/environments'));
    expect(first.environments).toHaveLength(20);
    const second = await readJson(await app.request(`/environments?pageToken=${encodeURIComponent(first.nextPageToken)}`));
    expect(second.environments).toHaveLength(3);
    expect(second.nextPageToken).toBeUndefined();
    const seen = [...first.environments, ...second.environments].map((e: { id: string }) => e.id);
    expect(seen).toEqual([...created].reverse());
  });

  it.each([['0'], ['101'], ['abc']])('refuses pageSize=%s with 400', async (size) => {
    const { app } = buildTestApp();
    const res = await app.request(`/environments?pageSize=${size}`);
    expect(res.status).toBe(400);
    const problem = await readJson(res);
    expect(problem.code).toBe('INVALID_ARGUMENT');
    expect(problem.errors[0].path).toBe('$.query.pageSize');
  });

  it('refuses a page token it did not issue, and a malformed label filter', async () => {
    const { app } = buildTestApp();
    const token = await app.request('/environments?pageToken=garbage');
    expect(token.status).toBe(400);
    expect((await readJson(token)).errors[0].path).toBe('$.query.pageToken');
    const label = await app.request('/environments?label=novalue');
    expect(label.status).toBe(400);
  });
});

describe('DELETE /environments/{id}', () => {
  it('409 naming the running operation, unless force=true cancels it first', async () => {
    const { app } = buildTestApp();
    const env = await create(app);
    const blocked = await app.request(`/environments/${env.id}`, { method: 'DELETE' });
    expect(blocked.status).toBe(409);
    const problem = await readJson(blocked);
    expect(problem.code).toBe('OPERATION_IN_PROGRESS');
    expect(problem.operation).toEqual({ id: env.operation.id, kind: 'create' });
    expect(problem.detail).toContain(env.operation.id);

    const forced = await app.request(`/environments/${env.id}?force=true&deleteBootstrap=true`, { method: 'DELETE' });
    expect(forced.status).toBe(202);
    const deleting = await readJson(forced);
    expect(deleting.state).toBe('DELETING');
    expect(deleting.operation).toMatchObject({ kind: 'delete', state: 'RUNNING', deleteBootstrap: true });
    expect(deleting.operation.id).not.toBe(env.operation.id);

    const events = (await readJson(await app.request(`/environments/${env.id}/events`))).events;
    // Nothing was created yet, so every stage has nothing to delete: they are DELETED at once.
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'operation.started', 'environment.creating', 'operation.cancelled', 'environment.failed', 'operation.started', 'environment.deleting',
      'stage.succeeded', 'stage.succeeded', 'stage.succeeded', 'stage.succeeded',
    ]);
    expect(events.slice(6).map((e: { message: string }) => e.message)).toEqual(['stage bootstrap DELETED', 'stage base DELETED', 'stage perf DELETED', 'stage saxml DELETED']);
    expect(events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('404 for an unknown environment', async () => {
    const { app } = buildTestApp();
    const res = await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k', { method: 'DELETE' });
    expect(res.status).toBe(404);
  });

  it('409 DELETION_PROTECTED when the spec protects the environment', async () => {
    const { app } = buildTestApp();
    const env = await create(app, { deletionProtection: true });
    const res = await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect((await readJson(res)).code).toBe('DELETION_PROTECTED');
    // Nothing changed: the create operation still runs.
    expect((await readJson(await app.request(`/environments/${env.id}`))).operation.state).toBe('RUNNING');
  });

  it('lets exactly one of two concurrent forced deletes start', async () => {
    const { app } = buildTestApp();
    const env = await create(app);
    const results = await Promise.all([1, 2].map(() => app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' })));
    expect(results.map((r) => r.status).sort()).toEqual([202, 409]);
  });
});

describe('GET /environments/{id}/events', () => {
  it('pages through the history in seq order', async () => {
    const { app } = buildTestApp();
    const env = await create(app);
    await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' });
    const first = await readJson(await app.request(`/environments/${env.id}/events?pageSize=2`));
    expect(first.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    const rest = await readJson(await app.request(`/environments/${env.id}/events?pageSize=10&pageToken=${encodeURIComponent(first.nextPageToken)}`));
    // Without deleteBootstrap the bootstrap stage stays as it is: three stage events, not four.
    expect(rest.events.map((e: { seq: number }) => e.seq)).toEqual([3, 4, 5, 6, 7, 8, 9]);
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
    expect(await readJson(await app.request('/healthz'))).toEqual({ status: 'ok' });
    const yaml = await app.request('/openapi.yaml');
    expect(yaml.headers.get('content-type')).toContain('yaml');
    expect(await yaml.text()).toContain('operationId: createEnvironment');
    const docs = await (await app.request('/docs')).text();
    expect(docs).toContain('POST /environments');
    const unknown = await app.request('/nowhere');
    expect(unknown.status).toBe(404);
    expect((await readJson(unknown)).code).toBe('ROUTE_NOT_FOUND');
    const wrongMethod = await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k', { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, DELETE');
    expect((await readJson(wrongMethod)).code).toBe('METHOD_NOT_ALLOWED');
  });
});
