import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../api/domain/environment.js';
import { EngineUnavailableError, type StartExecutionInput } from '../../api/engine/port.js';
import { ClusterAccessError, type ClusterTarget } from '../../api/kubernetes/port.js';
import { createLogger } from '../../api/logger.js';
import { systemContext } from '../../api/services/context.js';
import { reconcileAll } from '../../api/services/internal/reconcile.js';
import { buildTestApp, INTERNAL_SECRET, json } from '../support/app.js';
import { environmentOf } from '../support/bodies.js';
import { body } from '../support/fixtures.js';
import { PendingEngine } from '../support/pending-engine.js';

/**
 * Executions never run twice for one environment (review findings 5 and 8). The engine double
 * behaves as Cloud Workflows does: an execution exists (and could fetch its plan) as soon as it is
 * created, whether or not the answer to createExecution reaches the service.
 */

class ScriptedStarts extends PendingEngine {
  /** What start does after the execution exists: answer, wait for a gate, or lose the answer. */
  mode: 'answer' | 'gate' | 'lose' = 'answer';
  private release?: () => void;
  started?: Promise<void>;
  private startedResolve?: () => void;
  constructor() {
    super();
    this.started = new Promise((r) => (this.startedResolve = r));
  }
  override async start(input: StartExecutionInput): Promise<{ name: string }> {
    const execution = await super.start(input);
    this.startedResolve?.();
    if (this.mode === 'gate') await new Promise<void>((r) => (this.release = r));
    if (this.mode === 'lose') throw new EngineUnavailableError('deadline exceeded waiting for createExecution', true);
    return execution;
  }
  open(): void {
    this.release?.();
  }
}

const ctx = () => systemContext(createLogger({ level: 'error' }), 'reconcile');
const report = (app: ReturnType<typeof buildTestApp>['app'], id: string, operationId: string) =>
  app.request(`/internal/environments/${id}/reports`, {
    ...json({ operationId, reports: [{ step: 'bootstrap.project', state: 'RUNNING' }] }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INTERNAL_SECRET}` },
  });

describe('a superseded execution is cancelled, and its reports are refused', () => {
  it('a forced delete while the create’s execution is being started', async () => {
    const engine = new ScriptedStarts();
    engine.mode = 'gate';
    const { app, store } = buildTestApp({ engine });
    const creating = app.request('/environments', json(body()));
    await engine.started;
    const [env] = (await store.list({ pageSize: 1 })).items as [EnvironmentRecord];
    const createOp = env.operation!.id;
    engine.mode = 'answer';
    const deleted = await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    engine.open();
    expect((await creating).status).toBe(202);
    // The create's execution started after the delete superseded its operation: it was cancelled.
    const [createExecution, deleteExecution] = (await Promise.all([1, 2].map((n) => engine.get(`pending/executions/${n}`))));
    expect(createExecution!.state).toBe('CANCELLED');
    expect(deleteExecution!.state).toBe('ACTIVE');
    expect((await report(app, env.id, createOp)).status).toBe(409);
    expect((await store.get(env.id))!.operation).toMatchObject({ kind: 'delete', state: 'RUNNING', executionName: 'pending/executions/2' });
  });

  it('a start whose answer was lost (but which started): its reports are refused and the reconciler cancels it', async () => {
    const engine = new ScriptedStarts();
    engine.mode = 'lose';
    const { app, store, deps } = buildTestApp({ engine });
    const res = await app.request('/environments', json(body()));
    expect(res.status).toBe(503);
    const [env] = (await store.list({ pageSize: 1 })).items as [EnvironmentRecord];
    expect(env.operation).toMatchObject({ state: 'FAILED', error: { code: 'ENGINE_UNAVAILABLE' } });
    expect((await engine.listActive()).map((e) => e.labels.operation)).toEqual([env.operation!.id]);
    expect((await report(app, env.id, env.operation!.id)).status).toBe(409);
    await reconcileAll(deps, ctx(), undefined);
    expect(await engine.listActive()).toEqual([]);
  });

  it('a failed write of the execution’s name: the execution is cancelled, not left running unrecorded', async () => {
    const engine = new ScriptedStarts();
    const { app, store } = buildTestApp({ engine });
    const update = store.update.bind(store);
    store.update = async (id, mutate, options) => update(id, (current) => {
      const result = mutate(current);
      if (result.record?.operation?.executionName) throw new Error('store unavailable');
      return result;
    }, options);
    const res = await app.request('/environments', json(body()));
    expect(res.status).toBe(500);
    expect((await engine.get('pending/executions/1')).state).toBe('CANCELLED');
    expect(await engine.listActive()).toEqual([]);
  });

  it('a crash between starting the execution and recording it: the reconciler finds the execution and records it', async () => {
    let time = Date.parse('2026-12-01T00:00:00Z');
    const engine = new ScriptedStarts();
    const { app, store, deps } = buildTestApp({ engine, now: () => new Date(time) });
    const update = store.update.bind(store);
    let crash = true;
    // The process "dies" right after the execution started: its name is never written.
    store.update = async (id, mutate, options) => (crash ? new Promise(() => undefined) : update(id, mutate, options));
    void app.request('/environments', json(body()));
    await engine.started;
    await new Promise((resolve) => setImmediate(resolve));
    crash = false;
    const [env] = (await store.list({ pageSize: 1 })).items as [EnvironmentRecord];
    expect(env.operation?.executionName).toBeUndefined();
    time += 121_000;
    await reconcileAll(deps, ctx(), undefined);
    const after = await store.get(env.id);
    // Not declared lost (which would invite a retry and a second execution): the running one is the operation's.
    expect(after!.operation).toMatchObject({ state: 'RUNNING', executionName: 'pending/executions/1' });
  });

  it('after a retry, an execution of the operation it replaced is cancelled by the reconciler', async () => {
    let time = Date.parse('2026-12-01T00:00:00Z');
    const engine = new ScriptedStarts();
    const { app, store, deps } = buildTestApp({ engine, now: () => new Date(time) });
    const created = await environmentOf(await app.request('/environments', json(body())));
    // The first execution is lost to the service (the engine still runs it, unknown to get()).
    const original = created.operation!;
    await store.update(created.id, (current) => ({ record: { ...current, operation: { ...current.operation!, executionName: 'pending/executions/unknown' } } }));
    time += 61_000;
    await app.request(`/environments/${created.id}`); // settles the lost operation as INTERRUPTED
    expect((await store.get(created.id))!.operation).toMatchObject({ id: original.id, state: 'FAILED', error: { code: 'INTERRUPTED' } });
    expect((await app.request(`/environments/${created.id}/retry`, { method: 'POST' })).status).toBe(202);
    expect((await engine.listActive()).map((e) => e.labels.operation)).toHaveLength(2);
    await reconcileAll(deps, ctx(), undefined);
    const active = await engine.listActive();
    expect(active.map((e) => e.labels.operation)).toEqual([(await store.get(created.id))!.operation!.id]);
    expect((await report(app, created.id, original.id)).status).toBe(409);
  });
});

describe('DELETE ?force=true while a forced delete runs', () => {
  it('answers that delete (202) and does not cancel it', async () => {
    const engine = new ScriptedStarts();
    const { app, store } = buildTestApp({ engine });
    const env = await environmentOf(await app.request('/environments', json(body())));
    const first = await environmentOf(await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' }));
    const again = await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' });
    expect(again.status).toBe(202);
    expect((await environmentOf(again)).operation).toMatchObject({ id: first.operation!.id, state: 'RUNNING' });
    expect((await engine.get(first.operation!.executionName!)).state).toBe('ACTIVE');
    expect((await store.get(env.id))!.state).toBe('DELETING');
  });
});

describe('the Saxml deployer acts only for the running operation', () => {
  const deployer = (app: ReturnType<typeof buildTestApp>['app'], id: string, verb: 'apply' | 'delete', operationId: string) =>
    app.request(`/internal/environments/${id}/saxml/${verb}?operationId=${operationId}`, { method: 'POST', headers: { authorization: `Bearer ${INTERNAL_SECRET}` } });

  it('a superseded create’s apply is refused (409) without opening the cluster, and so is a teardown call while a create runs', async () => {
    const opened: ClusterTarget[] = [];
    const clusters = { open: async (target: ClusterTarget) => { opened.push(target); throw new ClusterAccessError('NOT_FOUND', 'no cluster'); } };
    const { app } = buildTestApp({ engine: new ScriptedStarts(), clusters });
    const env = await environmentOf(await app.request('/environments', json(body())));
    const create = env.operation!.id;
    // While the create runs, its execution may apply the cell; a teardown call is not its.
    expect((await deployer(app, env.id, 'apply', create)).status).toBe(200);
    expect(opened).toHaveLength(1);
    expect((await deployer(app, env.id, 'delete', create)).status).toBe(409);
    expect(opened).toHaveLength(1);
    // A forced delete supersedes the create: the create's execution, until cancelled, applies nothing.
    const deleting = await environmentOf(await app.request(`/environments/${env.id}?force=true`, { method: 'DELETE' }));
    const refused = await deployer(app, env.id, 'apply', create);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain(`operation ${create} is not the running create or update operation`);
    expect(opened).toHaveLength(1);
    // The teardown is the delete's execution's, and only its.
    expect((await deployer(app, env.id, 'delete', create)).status).toBe(409);
    expect(opened).toHaveLength(1);
    expect((await deployer(app, env.id, 'delete', deleting.operation!.id)).status).toBe(200);
    expect(opened).toHaveLength(2);
  });

  it('a retried create’s new execution may apply; the first execution’s calls (same kind, older operation) are refused', async () => {
    const opened: ClusterTarget[] = [];
    const clusters = { open: async (target: ClusterTarget) => { opened.push(target); throw new ClusterAccessError('NOT_FOUND', 'no cluster'); } };
    const engine = new ScriptedStarts();
    const { app } = buildTestApp({ engine, clusters });
    const env = await environmentOf(await app.request('/environments', json(body())));
    const first = env.operation!.id;
    expect((await app.request(`/environments/${env.id}/cancel`, { method: 'POST' })).status).toBe(200);
    const retried = await environmentOf(await app.request(`/environments/${env.id}/retry`, { method: 'POST' }));
    expect(retried.operation).toMatchObject({ target: 'create', state: 'RUNNING' });
    expect(retried.operation!.id).not.toBe(first);
    expect((await deployer(app, env.id, 'apply', first)).status).toBe(409);
    expect(opened).toHaveLength(0);
    expect((await deployer(app, env.id, 'apply', retried.operation!.id)).status).toBe(200);
    expect(opened).toHaveLength(1);
  });
});
