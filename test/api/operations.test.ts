import { describe, expect, it } from 'vitest';
import { PendingEngine } from '../support/pending-engine.js';
import type { ExecutionStatus, WorkflowEngine } from '../../api/engine/port.js';
import { createLogger } from '../../api/logger.js';
import { systemContext } from '../../api/services/context.js';
import { QUIET_PERIOD_MS } from '../../api/services/environments/get.js';
import { reconcileAll } from '../../api/services/internal/reconcile.js';
import { buildTestApp, INTERNAL_SECRET, json } from '../support/app.js';
import { jsonOf, problemOf, type Schemas } from '../support/bodies.js';
import { created, dataOf, errorOf, typedClient, validatedOf, type ApiClient } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

/** An engine whose executions end however the test says. */
class ScriptedEngine extends PendingEngine implements WorkflowEngine {
  outcome = new Map<string, Partial<ExecutionStatus>>();
  gets = 0;
  override async get(name: string): Promise<ExecutionStatus> {
    this.gets++;
    return { ...(await super.get(name)), ...this.outcome.get(name) };
  }
}

/** A clock the test moves. */
function testClock() {
  let at = Date.now();
  return { now: () => new Date(at), advance: (ms: number) => { at += ms; } };
}

const internal = (body: unknown) => json(body, { authorization: `Bearer ${INTERNAL_SECRET}` });
const get = async (client: ApiClient, id: string) => dataOf(await client.GET('/environments/{id}', { params: { path: { id } } }), 200);

describe('reconciliation with the engine', () => {
  it('settles on read an operation whose execution failed without sending its final report, once the operation has been quiet', async () => {
    const engine = new ScriptedEngine();
    const clock = testClock();
    const client = typedClient(buildTestApp({ engine, now: clock.now }).app);
    const env = await created(client);
    engine.outcome.set(env.operation.executionName!, { state: 'FAILED', error: { message: 'boom: step crashed' } });
    // Within the quiet period a read does not ask the engine: polling clients cost no Workflows calls.
    const gets = engine.gets;
    for (let i = 0; i < 5; i++) expect((await get(client, env.id)).state).toBe('CREATING');
    expect(engine.gets).toBe(gets);

    clock.advance(QUIET_PERIOD_MS + 1);
    const after = await get(client, env.id);
    expect(after.state).toBe('FAILED');
    expect(after.operation).toMatchObject({ state: 'FAILED', error: { message: expect.stringContaining('boom') } });
    expect(after.actions.canRetry).toBe(true);
  });

  it('asks the engine about a quiet running operation at most once per quiet period', async () => {
    const engine = new ScriptedEngine();
    const clock = testClock();
    const { app } = buildTestApp({ engine, now: clock.now });
    const env = await created(typedClient(app));
    clock.advance(QUIET_PERIOD_MS + 1);
    const gets = engine.gets;
    for (let i = 0; i < 5; i++) expect((await app.request(`/environments/${env.id}`)).status).toBe(200);
    expect(engine.gets).toBe(gets + 1);
    clock.advance(QUIET_PERIOD_MS + 1);
    await app.request(`/environments/${env.id}`);
    expect(engine.gets).toBe(gets + 2);
  });

  it('marks an execution cancelled outside the API as CANCELLED, and a lost one as INTERRUPTED (periodic trigger)', async () => {
    const engine = new ScriptedEngine();
    const { app, deps } = buildTestApp({ engine });
    const client = typedClient(app);
    const a = await created(client, { ...SMALLEST_SPEC, name: 'aa' });
    const b = await created(client, { ...SMALLEST_SPEC, name: 'bb' });
    engine.outcome.set(a.operation.executionName!, { state: 'CANCELLED' });
    // The engine no longer knows b's execution (as after a restart of the local process).
    const lost = new ScriptedEngine();
    const withLost = { ...deps, engine: { start: engine.start.bind(engine), cancel: engine.cancel.bind(engine), listActive: engine.listActive.bind(engine), get: (n: string) => (n === b.operation.executionName ? lost.get(n) : engine.get(n)) } };
    expect(await reconcileAll(withLost, systemContext(createLogger({ level: 'error' }), 'reconcile'), undefined)).toBe(2);
    const [ra, rb] = await Promise.all([get(client, a.id), get(client, b.id)]);
    expect(ra.operation?.state).toBe('CANCELLED');
    expect(rb.operation).toMatchObject({ state: 'FAILED', error: { code: 'INTERRUPTED' } });
    expect([ra.state, rb.state]).toEqual(['FAILED', 'FAILED']);
  });

  it('leaves a running execution alone', async () => {
    const { app, deps } = buildTestApp();
    const client = typedClient(app);
    const env = await created(client);
    expect(await reconcileAll(deps, systemContext(deps.logger, 'reconcile'), undefined)).toBe(0);
    expect((await get(client, env.id)).operation?.state).toBe('RUNNING');
  });
});

describe('POST /environments/{id}/cancel and /retry', () => {
  it('cancel → FAILED (resumable), a second cancel → 409; retry starts a retry operation of the create', async () => {
    const client = typedClient(buildTestApp().app);
    const env = await created(client);
    const path = { id: env.id };
    expect((await client.POST('/environments/{id}/retry', { params: { path } })).response.status).toBe(409);
    const cancelled = await client.POST('/environments/{id}/cancel', { params: { path } });
    expect(cancelled.response.status).toBe(200);
    expect(dataOf(cancelled, 200)).toMatchObject({ state: 'FAILED', operation: { state: 'CANCELLED' }, actions: { canRetry: true, canDelete: true, canCancel: false } });
    const again = await client.POST('/environments/{id}/cancel', { params: { path } });
    expect(again.response.status).toBe(409);
    expect(errorOf(again, 409).code).toBe('FAILED_PRECONDITION');
    const retried = dataOf(await client.POST('/environments/{id}/retry', { params: { path } }), 202);
    expect(retried).toMatchObject({ state: 'CREATING', operation: { kind: 'retry', target: 'create', state: 'RUNNING' } });
    const events = dataOf(await client.GET('/environments/{id}/events', { params: { path } }), 200).events.map((e) => e.type);
    // The in-process app reads no project: each create and retry records that its preflight was skipped.
    expect(events).toEqual(['operation.started', 'environment.creating', 'preflight.skipped', 'operation.cancelled', 'environment.failed', 'operation.started', 'environment.creating', 'preflight.skipped']);
  });

  it('retry and cancel of unknown ids are 404', async () => {
    const { app } = buildTestApp();
    expect((await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k/retry', { method: 'POST' })).status).toBe(404);
    expect((await app.request('/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k/cancel', { method: 'POST' })).status).toBe(404);
  });
});

describe('plans', () => {
  it('validateOnly returns the plan a create would run', async () => {
    const client = typedClient(buildTestApp().app);
    const { plan } = validatedOf(await client.POST('/environments', { body: SMALLEST_SPEC, params: { query: { validateOnly: true } } }));
    expect(plan.kind).toBe('create');
    const ids = plan.steps.map((s) => s.id);
    expect(ids).toContain('base.cluster');
    expect(ids).toContain('saxml.cell');
    expect(plan.schedule.flat(3).sort()).toEqual([...ids].sort());
  });

  it('GET /environments/{id}/plan shows each step with its state, and the workflow gets only what is left', async () => {
    const { app } = buildTestApp();
    const client = typedClient(app);
    const env = await created(client, { ...SMALLEST_SPEC, saxml: { enabled: false } });
    const report = await app.request(`/internal/environments/${env.id}/reports`, internal({
      operationId: env.operation.id,
      reports: [{ step: 'bootstrap.services.1', state: 'SUCCEEDED' }, { step: 'bootstrap.automation-sa', state: 'RUNNING' }],
    }));
    expect(report.status).toBe(200);
    const view = dataOf(await client.GET('/environments/{id}/plan', { params: { path: { id: env.id } } }), 200);
    const state = (id: string) => view.steps.find((s) => s.id === id)?.state;
    expect([state('bootstrap.services.1'), state('bootstrap.automation-sa'), state('base.cluster')]).toEqual(['SUCCEEDED', 'RUNNING', 'PENDING']);
    expect(view.operationId).toBe(env.operation.id);

    // The internal route answers the published Plan schema (routes/internal/plan.ts).
    const remaining = await jsonOf<Schemas['Plan']>(await app.request(`/internal/environments/${env.id}/operations/${env.operation.id}/plan`, { headers: { authorization: `Bearer ${INTERNAL_SECRET}` } }));
    const ids = remaining.steps.map((s) => s.id);
    expect(ids).not.toContain('bootstrap.services.1');
    expect(ids).toContain('bootstrap.automation-sa');
    for (const s of remaining.steps) expect(s.after).not.toContain('bootstrap.services.1');

    const stale = await app.request(`/internal/environments/${env.id}/operations/op-01jd8m3q4b5c6d7e8f9g0h1j2k/plan`, { headers: { authorization: `Bearer ${INTERNAL_SECRET}` } });
    expect(stale.status).toBe(409);
  });

  it('refuses malformed reports with 422, and reports of another operation with 409 (the execution must stop; logged)', async () => {
    const { app, logs } = buildTestApp();
    const env = await created(typedClient(app));
    const bad = await app.request(`/internal/environments/${env.id}/reports`, internal({ operationId: env.operation.id, reports: [{ step: 'x', state: 'DONE' }] }));
    expect(bad.status).toBe(422);
    const other = await app.request(`/internal/environments/${env.id}/reports`, internal({ operationId: 'op-stale', reports: [{ step: 'base.cluster', state: 'SUCCEEDED' }] }));
    expect(other.status).toBe(409);
    expect(logs.some((l) => l.includes('superseded execution refused') && l.includes('op-stale'))).toBe(true);
    const unknownStep = await app.request(`/internal/environments/${env.id}/reports`, internal({ operationId: env.operation.id, reports: [{ step: 'no.such-step', state: 'SUCCEEDED' }] }));
    expect(await jsonOf(unknownStep)).toEqual({ applied: false });
    expect(logs.some((l) => l.includes('workflow reports ignored') && l.includes('no.such-step'))).toBe(true);
  });

  it('saxml routes answer the deployer status: waiting while the cluster does not exist yet, DELETED when there is none to tear down', async () => {
    const { app, store } = buildTestApp();
    const env = await created(typedClient(app));
    const base = `/internal/environments/${env.id}/saxml`;
    const op = `?operationId=${env.operation.id}`;
    const applied = await app.request(`${base}/apply${op}`, internal({}));
    expect(applied.status).toBe(200);
    expect(await jsonOf(applied)).toMatchObject({ state: 'DEPLOYING', message: expect.stringContaining('waiting for the cluster'), cell: { state: 'WAITING' } });
    const status = await app.request(`${base}/status${op}`, { headers: { authorization: `Bearer ${INTERNAL_SECRET}` } });
    expect(await jsonOf(status)).toMatchObject({ state: 'DEPLOYING' });
    // The status is recorded with an event, and the user's outputs say how the cell will be reached.
    const record = (await store.get(env.id))!;
    expect(record.saxml?.state).toBe('DEPLOYING');
    expect(record.outputs.saxml).toMatchObject({ namespace: 'saxml', cell: '/sax/test', getCredentials: expect.stringContaining('gcloud container clusters get-credentials demo-saxml-gke-cluster') });
    expect((await store.listEvents(env.id, { pageSize: 100 })).items.filter((e) => e.type === 'saxml.changed')).not.toHaveLength(0);
    // The teardown is the delete operation's (security/executions.test.ts: any other caller gets 409).
    const deleting = await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' });
    expect(deleting.status).toBe(202);
    const removed = await app.request(`${base}/delete?operationId=${(await jsonOf<{ operation: { id: string } }>(deleting)).operation.id}`, internal({}));
    expect(await jsonOf(removed)).toMatchObject({ state: 'DELETED', message: expect.stringContaining('the cluster does not exist') });
    expect((await app.request('/internal/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k/saxml/apply?operationId=op-01jd8m3q4b5c6d7e8f9g0h1j2k', internal({}))).status).toBe(404);
    // The calling execution names its operation, in the form operation ids have.
    expect((await app.request(`${base}/apply`, internal({}))).status).toBe(400);
  });
});

describe('reports for an unknown environment', () => {
  it('answer 404', async () => {
    const { app } = buildTestApp();
    const res = await app.request('/internal/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k/reports', internal({ operationId: 'op-1', reports: [{ operation: 'SUCCEEDED' }] }));
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe('NOT_FOUND');
  });
});
