import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../api/domain/environment.js';
import { buildTestApp, INTERNAL_SECRET, json } from '../support/app.js';
import { environmentOf, jsonOf, problemOf } from '../support/bodies.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { worldPerTest, type LocalWorld } from '../support/local-world.js';

/**
 * The project's bootstrap is decided at the end (review finding 6): in the transaction that sees
 * the project's last environment leave, not when a delete starts.
 */

const SPEC = { ...SMALLEST_SPEC, saxml: { enabled: false } };

describe('on the embedded world (the real workflow)', () => {
  const world = worldPerTest();
  const create = async (w: LocalWorld, spec: object) => (await jsonOf<{ id: string }>(await w.request('/environments', json(spec)))).id;
  const bootstrapLeft = async (w: LocalWorld) => (await jsonOf<{ resources: { type: string; name: string; project: string }[] }>(await w.request('/_sandbox/inventory')))
    .resources.filter((r) => r.project === 'my-project-1' && (r.name.startsWith('saxml-automation') || r.name === 'my-project-1-saxml-automation'));

  it('two concurrent deletes asking for it: exactly one removes the bootstrap, the other says why it kept it; nothing is left', async () => {
    const w = await world();
    const [a, b] = [await create(w, { ...SPEC, name: 'alpha' }), await create(w, { ...SPEC, name: 'beta', perf: { enabled: false } })];
    await Promise.all([w.settle(a), w.settle(b)]);
    await Promise.all([a, b].map((id) => w.request(`/environments/${id}?deleteBootstrap=true`, { method: 'DELETE' })));
    const [ra, rb] = await Promise.all([a, b].map((id) => w.settle(id)));
    const ops = [ra!, rb!].map((r) => r.operation!);
    expect([ra!.state, rb!.state]).toEqual(['DELETED', 'DELETED']);
    expect(ops.map((o) => o.bootstrap?.decision).sort()).toEqual(['KEEP', 'REMOVE']);
    const kept = ops.find((o) => o.bootstrap?.decision === 'KEEP')!;
    expect(kept.bootstrap?.reason).toMatch(/^still used by (alpha|beta) \(env-/);
    expect(await bootstrapLeft(w)).toEqual([]);
  });

  it('a create that starts while a delete runs keeps the bootstrap it needs, and can itself be deleted', async () => {
    const w = await world();
    const a = await create(w, { ...SPEC, name: 'alpha' });
    await w.settle(a);
    expect((await w.request(`/environments/${a}?deleteBootstrap=true`, { method: 'DELETE' })).status).toBe(202);
    const b = await create(w, { ...SPEC, name: 'beta', perf: { enabled: false } });
    const [ra, rb] = [await w.settle(a), await w.settle(b)];
    expect(ra.operation?.bootstrap).toEqual({ decision: 'KEEP', reason: expect.stringMatching(/^still used by beta \(env-/) });
    expect(rb.state).toBe('ACTIVE');
    expect((await bootstrapLeft(w)).length).toBeGreaterThan(0);
    // Not undeletable: its automation account is still there.
    await w.request(`/environments/${b}?deleteBootstrap=true`, { method: 'DELETE' });
    const deleted = await w.settle(b);
    expect(deleted.state).toBe('DELETED');
    expect(deleted.operation?.bootstrap?.decision).toBe('REMOVE');
    expect(await bootstrapLeft(w)).toEqual([]);
  });
  it('an automation bucket that holds objects is kept (never emptied: not ours), named with what to do; once emptied, DELETE /projects/{project}/bootstrap removes it', async () => {
    const w = await world();
    const a = await create(w, { ...SPEC, name: 'alpha' });
    await w.settle(a);
    const objects = (count: number) => w.request('/_sandbox/_test/buckets/my-project-1-saxml-automation/objects', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count }) });
    expect((await objects(2)).status).toBe(200);
    await w.request(`/environments/${a}?deleteBootstrap=true`, { method: 'DELETE' });
    const deleted = await w.settle(a);
    expect(deleted.state).toBe('DELETED');
    expect(deleted.operation).toMatchObject({ state: 'SUCCEEDED', bootstrap: { decision: 'REMOVE' } });
    expect(deleted.operation?.kept).toEqual([{ resource: 'gs://my-project-1-saxml-automation', reason: expect.stringContaining('DELETE /projects/my-project-1/bootstrap') }]);
    expect((await bootstrapLeft(w)).map((r) => r.name)).toEqual(['my-project-1-saxml-automation']);

    expect((await objects(0)).status).toBe(200);
    const removal = await w.request('/projects/my-project-1/bootstrap', { method: 'DELETE' });
    expect(removal.status).toBe(202);
    const removed = await w.settle(a);
    expect(removed.operation).toMatchObject({ state: 'SUCCEEDED', bootstrap: { decision: 'REMOVE' } });
    expect(removed.operation?.kept).toBeUndefined();
    expect(await bootstrapLeft(w)).toEqual([]);
    expect((await w.request('/projects/my-project-1/bootstrap', { method: 'DELETE' })).status).toBe(200);
  });
});

describe('the decision, step by step (the workflow played by the test)', () => {
  const internal = { authorization: `Bearer ${INTERNAL_SECRET}`, 'content-type': 'application/json' };
  /** Reports every step of the operation's current plan SUCCEEDED, then the operation; returns the answer. */
  async function finish(app: ReturnType<typeof buildTestApp>['app'], record: EnvironmentRecord) {
    const op = record.operation!;
    const plan = await jsonOf<{ steps: { id: string }[] }>(await app.request(`/internal/environments/${record.id}/operations/${op.id}/plan`, { headers: internal }));
    const reports = [...plan.steps.map((s) => ({ step: s.id, state: 'SUCCEEDED' })), { operation: 'SUCCEEDED' }];
    const res = await app.request(`/internal/environments/${record.id}/reports`, { method: 'POST', headers: internal, body: JSON.stringify({ operationId: op.id, reports }) });
    expect(res.status).toBe(200);
    return jsonOf<{ applied: boolean; continue?: true }>(res);
  }

  it('the last one out removes it: the operation goes on, creates in the project wait, then it is gone', async () => {
    const { app, store } = buildTestApp();
    const a = await environmentOf(await app.request('/environments', json(SPEC)));
    expect(await finish(app, (await store.get(a.id))!)).toEqual({ applied: true });
    await app.request(`/environments/${a.id}?deleteBootstrap=true`, { method: 'DELETE' });
    expect(await finish(app, (await store.get(a.id))!)).toEqual({ applied: true, continue: true });
    const deciding = (await store.get(a.id))!;
    expect(deciding.state).toBe('DELETING');
    expect(deciding.operation).toMatchObject({ state: 'RUNNING', includeBootstrap: true, bootstrap: { decision: 'REMOVE' } });

    const refused = await app.request('/environments', json({ ...SPEC, name: 'latecomer' }));
    expect(refused.status).toBe(409);
    expect((await problemOf(refused)).detail).toContain(`the bootstrap of project my-project-1 is being removed (operation ${deciding.operation!.id}`);
    // The plan fetched again holds the removal of the bootstrap.
    const plan = await jsonOf<{ steps: { id: string }[] }>(await app.request(`/internal/environments/${a.id}/operations/${deciding.operation!.id}/plan`, { headers: internal }));
    expect(plan.steps.map((s) => s.id)).toContain('bootstrap.automation-sa');
    expect(await finish(app, deciding)).toEqual({ applied: true });
    const done = (await store.get(a.id))!;
    expect(done.state).toBe('DELETED');
    const events = await jsonOf<{ events: { type: string; message: string }[] }>(await app.request(`/environments/${a.id}/events?pageSize=100`));
    expect(events.events.map((e) => e.type)).toEqual(expect.arrayContaining(['bootstrap.removing', 'bootstrap.removed']));
    expect((await app.request('/environments', json({ ...SPEC, name: 'latecomer' }))).status).toBe(202);
  });

  it('a repeated DELETE asking for the removal adds it to the running delete', async () => {
    const { app, store } = buildTestApp();
    const a = await environmentOf(await app.request('/environments', json(SPEC)));
    await finish(app, (await store.get(a.id))!);
    await app.request(`/environments/${a.id}`, { method: 'DELETE' });
    const again = await app.request(`/environments/${a.id}?deleteBootstrap=true`, { method: 'DELETE' });
    expect(again.status).toBe(202);
    expect((await environmentOf(again)).operation).toMatchObject({ kind: 'delete', deleteBootstrap: true });
    expect(await finish(app, (await store.get(a.id))!)).toEqual({ applied: true, continue: true });
  });

  it('DELETE /projects/{project}/bootstrap: 409 naming who still uses it; then it removes it, once', async () => {
    const { app, store } = buildTestApp();
    const a = await environmentOf(await app.request('/environments', json(SPEC)));
    await finish(app, (await store.get(a.id))!);
    const busy = await app.request('/projects/my-project-1/bootstrap', { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect((await problemOf(busy)).detail).toContain(`still used by demo (${a.id})`);
    expect((await app.request('/projects/never-used-1/bootstrap', { method: 'DELETE' })).status).toBe(404);

    await app.request(`/environments/${a.id}`, { method: 'DELETE' });
    await finish(app, (await store.get(a.id))!);
    const kept = (await store.get(a.id))!;
    expect(kept.operation?.bootstrap?.decision).toBe('KEEP');

    const removal = await app.request('/projects/my-project-1/bootstrap', { method: 'DELETE' });
    expect(removal.status).toBe(202);
    expect(removal.headers.get('location')).toBe(`/environments/${a.id}`);
    const running = await environmentOf(removal);
    expect(running.state).toBe('DELETED');
    expect(running.operation).toMatchObject({ state: 'RUNNING', bootstrap: { decision: 'REMOVE' } });
    expect((await app.request('/projects/my-project-1/bootstrap', { method: 'DELETE' })).status).toBe(202); // the same removal
    expect((await app.request('/environments', json(SPEC))).status).toBe(409);
    const plan = await jsonOf<{ steps: { id: string }[] }>(await app.request(`/internal/environments/${a.id}/operations/${running.operation!.id}/plan`, { headers: internal }));
    // The environment's own resources went with its delete: the removal runs only the project's.
    expect(plan.steps.map((s) => s.id)).toContain('bootstrap.automation-sa');
    expect(plan.steps.filter((s) => !s.id.startsWith('bootstrap.') && s.id !== 'perf.pubsub-agent.roles')).toEqual([]);
    await finish(app, (await store.get(a.id))!);
    expect((await store.get(a.id))!.operation).toMatchObject({ state: 'SUCCEEDED', bootstrap: { decision: 'REMOVE' } });
    expect((await app.request('/projects/my-project-1/bootstrap', { method: 'DELETE' })).status).toBe(200);
    expect((await app.request('/environments', json(SPEC))).status).toBe(202);
  });
});
