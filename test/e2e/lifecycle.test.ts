import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DURATIONS } from '../../api/sandbox/index.js';
import { jsonOf } from '../support/bodies.js';
import { created, dataOf, serverClient, type ApiClient, type CreatedEnvironment, type EnvironmentSpec } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { sandboxWithWorkflowIdentity } from '../../api/compose/local.js';
import { E2E_TIME_SCALE, environmentResources, startLocalWorld, worldPerTest, type LocalWorld } from '../support/local-world.js';

/**
 * The full lifecycle on the embedded world: the real workflow YAML on the in-process engine,
 * against the sandbox cloud, driven through the public HTTP API.
 */

const SPEC = { ...SMALLEST_SPEC, saxml: { enabled: false } };
const world = worldPerTest();

/** The typed client over the world's HTTP server. */
const api = (w: LocalWorld): ApiClient => serverClient(w.baseUrl);
const create = (w: LocalWorld, spec: EnvironmentSpec = SPEC): Promise<CreatedEnvironment> => created(api(w), spec);
const path = (id: string) => ({ path: { id } });

/** The environment project's resources (the workflow's own account lives in the service's project). */
const inventory = environmentResources;

/** What a default environment "demo" without saxml creates, bootstrap included. */
const EXPECTED = [
  'artifactregistry.repository demo-serving-images',
  'bigquery.dataset demo_metrics_dataset',
  'bigquery.table demo_metrics_dataset.performance_metrics',
  'container.cluster demo-saxml-gke-cluster',
  'container.nodePool demo-saxml-gke-cluster/default-node-pool',
  'container.nodePool demo-saxml-gke-cluster/large-workloads-node-pool',
  'container.nodePool demo-saxml-gke-cluster/saxml-admin-node-pool',
  'container.nodePool demo-saxml-gke-cluster/saxml-proxy-node-pool',
  'container.nodePool demo-saxml-gke-cluster/tpu-v5e-4',
  'compute.network demo-saxml-gke-cluster-network',
  'compute.subnetwork demo-saxml-gke-cluster-subnet',
  'iam.serviceAccount demo-gke-node-pool-sa',
  'iam.serviceAccount demo-saxml-wid-sa',
  'iam.serviceAccount saxml-automation',
  'pubsub.schema demo_metrics_schema',
  'pubsub.subscription demo_metrics_pubsub_bq_sub',
  'pubsub.topic demo_metrics_pubsub_sink',
  'storage.bucket my-project-1-demo-saxml-admin',
  'storage.bucket my-project-1-demo-saxml-model-repository',
  'storage.bucket my-project-1-saxml-automation',
];
const normalise = (items: string[]) => items.map((i) => i.replace(/@.*$/, '')).sort();

describe('e2e: create and delete on the local profile', () => {
  it('(1) create → ACTIVE with exactly the expected resources; delete with deleteBootstrap → DELETED, nothing left', async () => {
    const w = await world();
    const env = await create(w);
    const active = await w.settle(env.id);
    expect(active.state).toBe('ACTIVE');
    expect(active.stages.map((s) => `${s.name}:${s.state}`)).toEqual(['bootstrap:SUCCEEDED', 'base:SUCCEEDED', 'perf:SUCCEEDED', 'saxml:SKIPPED']);
    expect(active.outputs).toMatchObject({
      clusterName: 'demo-saxml-gke-cluster',
      adminBucket: 'gs://my-project-1-demo-saxml-admin',
      metricsTable: 'my-project-1.demo_metrics_dataset.performance_metrics',
    });
    expect(active.outputs.clusterEndpoint).toBeTruthy();
    expect(normalise(await inventory(w))).toEqual(normalise(EXPECTED));
    // Realistic sizes (a project policy of a few hundred bindings, tens-of-KB cluster objects) make
    // the executor's 512 KB variable limit bite: the execution kept only what it needed under it.
    const automation = w.sandbox.identities.authorization('saxml-automation@my-project-1.iam.gserviceaccount.com');
    const cluster = await w.sandbox.app.request('/container/v1/projects/my-project-1/locations/us-west1/clusters/demo-saxml-gke-cluster', { headers: { authorization: automation } });
    expect((await cluster.text()).length).toBeGreaterThan(15_000);
    const createMemory = (await w.engine.get(active.operation!.executionName!)).peakMemoryBytes!;
    expect(createMemory).toBeGreaterThan(128 * 1024);
    expect(createMemory).toBeLessThan(512 * 1024);

    const { events } = dataOf(await api(w).GET('/environments/{id}/events', { params: { ...path(env.id), query: { pageSize: 100 } } }), 200);
    expect(events.at(-1)!.type).toBe('environment.active');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

    const del = await api(w).DELETE('/environments/{id}', { params: { ...path(env.id), query: { deleteBootstrap: true } } });
    expect(del.response.status).toBe(202);
    const deleted = await w.settle(env.id);
    expect(deleted.state).toBe('DELETED');
    expect(deleted.outputs).toEqual({});
    expect(await inventory(w)).toEqual([]);

    // The console tells a story: one line per operation and stage transition; the workflow's
    // hundreds of calls to the sandbox and the internal routes stay at debug level.
    const messages = w.logs.map((line) => JSON.parse(line) as { message: string; severity: string });
    const story = messages.map((m) => m.message).filter((m) => m.startsWith('env demo:'));
    expect(story).toContain('env demo: create operation started');
    expect(story).toEqual(expect.arrayContaining([expect.stringMatching(/^env demo: base SUCCEEDED \(\d+\/\d+ steps, \d+(m\d\d)?s\)$/)]));
    expect(story).toContain('env demo: environment is ACTIVE');
    expect(story).toContain('env demo: environment is DELETED');
    expect(messages.filter((m) => / \/(_sandbox|internal)\//.test(m.message))).toEqual([]);
  });
});

/** Resource-creating calls in the environment's project (not IAM policy reads and writes, token mints, service enabling or identities). */
const isCreate = (call: { method: string; path: string }) =>
  (call.method === 'POST' || call.method === 'PUT') && !call.path.includes('/local-sandbox/')
  && !/[:/](getIamPolicy|setIamPolicy|testIamPermissions|generateAccessToken|generateServiceIdentity|batchEnable|wait)\b|\/iam$/.test(call.path);

/** Successful creates, and creates Google refused because the resource already existed. */
function creates(w: LocalWorld): { succeeded: string[]; conflicts: string[] } {
  const calls = w.sandbox.calls().filter(isCreate);
  return {
    succeeded: calls.filter((c) => c.status === 200 || c.status === 201).map((c) => c.path),
    conflicts: calls.filter((c) => c.status === 409).map((c) => c.path),
  };
}

describe('e2e: faults, retries and restarts', () => {
  it('(2) 20 % transient faults → still ACTIVE, with no resource created twice', async () => {
    // A seeded generator keeps the run reproducible: the same calls fail every time.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const w = await world({ sandbox: await sandboxWithWorkflowIdentity({ timeScale: E2E_TIME_SCALE, random, faults: { transientErrorRate: 0.2 } }) });
    const env = await create(w);
    const active = await w.settle(env.id);
    expect(active.state).toBe('ACTIVE');
    const faulted = w.sandbox.calls().filter((c) => c.status === 429 || c.status === 503).length;
    expect(faulted).toBeGreaterThan(10);
    expect(normalise(await inventory(w))).toEqual(normalise(EXPECTED));
    // Every resource was created by exactly one successful call: the inventory's size, no conflicts.
    const { succeeded, conflicts } = creates(w);
    expect(conflicts).toEqual([]);
    expect(succeeded).toHaveLength(EXPECTED.length - 4 /* the four CPU node pools come with the cluster */);
  });

  it('(3) TPU stockout → FAILED, the pool left in ERROR as GKE leaves it; retry deletes it, creates it again → ACTIVE', async () => {
    const w = await world();
    w.sandbox.faults.set({ tpuStockoutZones: ['us-west1-c'] });
    const env = await create(w);
    const failed = await w.settle(env.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.operation!.error).toMatchObject({ code: 'GCE_STOCKOUT', stage: 'base', step: 'base.tpu-pool.tpu-v5e-4' });
    // What to do now, within what Google allows: no zone of another region.
    const hint = failed.operation!.error!.hint!;
    expect(hint).toContain('no other zone of us-west1 offers it');
    expect(hint).toContain(`POST /environments/${env.id}/retry deletes what the stockout left in ERROR`);
    expect(hint).not.toMatch(/zones set to/);
    expect(failed.stages.find((s) => s.name === 'base')).toMatchObject({ state: 'FAILED', error: { code: 'GCE_STOCKOUT' } });
    expect(failed.stages.find((s) => s.name === 'perf')!.state).toBe('SUCCEEDED');
    const view = dataOf(await api(w).GET('/environments/{id}', { params: path(env.id) }), 200);
    expect(view.actions).toEqual({ canDelete: true, canRetry: true, canCancel: false, canUpdate: true });
    const pool = `/container/v1/projects/my-project-1/locations/us-west1/clusters/demo-saxml-gke-cluster/nodePools/tpu-v5e-4`;
    const automation = w.sandbox.identities.authorization('saxml-automation@my-project-1.iam.gserviceaccount.com');
    const status = async () => jsonOf<{ status: string }>(await w.sandbox.app.request(pool, { headers: { authorization: automation } }));
    expect((await status()).status).toBe('ERROR');

    w.sandbox.faults.clear();
    const before = creates(w).succeeded.length;
    const retry = await api(w).POST('/environments/{id}/retry', { params: path(env.id) });
    expect(retry.response.status).toBe(202);
    const active = await w.settle(env.id);
    expect(active.state).toBe('ACTIVE');
    expect(active.operation).toMatchObject({ kind: 'retry', state: 'SUCCEEDED' });
    expect((await status()).status).toBe('RUNNING');
    // The retry deleted the pool GKE left in ERROR, then created it; everything else was done already.
    const after = creates(w);
    expect(after.succeeded.slice(before)).toEqual([expect.stringContaining('/nodePools')]);
    expect(after.conflicts).toEqual([]);
    expect(w.sandbox.calls().filter((c) => c.method === 'DELETE' && c.path.endsWith('/nodePools/tpu-v5e-4') && c.status === 200)).toHaveLength(1);
  });

  it('(3b) three TPU pools are created together: their node pool operations overlap on the one cluster', async () => {
    const w = await world();
    const pools = ['tpu-a', 'tpu-b', 'tpu-c'].map((name) => ({ name, tpuType: 'v5litepod-4', zones: ['us-west1-c'] }));
    const env = await create(w, { ...SPEC, cluster: { tpuNodePools: pools } });
    const active = await w.settle(env.id);
    expect(active.state).toBe('ACTIVE');
    const posts = w.sandbox.calls().filter((c) => c.method === 'POST' && c.path.endsWith('/nodePools') && c.status === 200);
    expect(posts).toHaveLength(3);
    // All three started before the first could have finished (a TPU pool takes 5 simulated minutes).
    const times = posts.map((c) => Date.parse(c.time));
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(DURATIONS.tpuNodePool * 1000 * E2E_TIME_SCALE);
    // No create was refused as busy: GKE runs node pool operations side by side.
    expect(w.sandbox.calls().filter((c) => c.path.endsWith('/nodePools') && c.status === 400)).toEqual([]);
    expect(normalise(await inventory(w)).filter((r) => r.startsWith('container.nodePool demo-saxml-gke-cluster/tpu'))).toEqual(
      pools.map((p) => `container.nodePool demo-saxml-gke-cluster/${p.name}`),
    );
  });

  it('(4) cancel during cluster creation, then delete → DELETED and nothing left', async () => {
    const w = await world();
    const env = await create(w);
    await w.waitFor(env.id, (r) => r.progress.create['base.cluster']?.state === 'RUNNING');
    const cancelled = await api(w).POST('/environments/{id}/cancel', { params: path(env.id) });
    expect(cancelled.response.status).toBe(200);
    const view = dataOf(cancelled, 200);
    expect(view.state).toBe('FAILED');
    expect(view.operation?.state).toBe('CANCELLED');
    // Nothing is left RUNNING when an operation ends: the stage the cancel interrupted failed with it.
    expect(view.stages.find((s) => s.name === 'base')!.state).toBe('FAILED');
    expect(view.stages.filter((s) => s.state === 'RUNNING')).toEqual([]);
    await w.engine.waitFor(view.operation!.executionName!);

    const del = await api(w).DELETE('/environments/{id}', { params: { ...path(env.id), query: { deleteBootstrap: true } } });
    expect(del.response.status).toBe(202);
    const deleted = await w.settle(env.id);
    expect(deleted.state).toBe('DELETED');
    expect(deleted.stages.map((s) => `${s.name} ${s.state}`)).toEqual(['bootstrap DELETED', 'base DELETED', 'perf DELETED', 'saxml SKIPPED']);
    expect(Object.values(deleted.progress.create).filter((p) => p.state === 'RUNNING')).toEqual([]);
    expect(await inventory(w)).toEqual([]);
  });

  it('(4c) forced delete while the cluster is being created → DELETED: the cluster delete waits out GKE\'s busy answer', async () => {
    // Told the moment GKE accepted the cluster's creation (no polling).
    let clusterCreating!: () => void;
    const accepted = new Promise<void>((resolve) => (clusterCreating = resolve));
    const sandbox = await sandboxWithWorkflowIdentity({
      timeScale: E2E_TIME_SCALE,
      onCall: (c) => c.method === 'POST' && c.path.endsWith('/clusters') && c.status === 200 && clusterCreating(),
    });
    const w = await world({ sandbox });
    const env = await create(w);
    await accepted;
    const del = await api(w).DELETE('/environments/{id}', { params: { ...path(env.id), query: { force: true, deleteBootstrap: true } } });
    expect(del.response.status).toBe(202);
    const deleted = await w.settle(env.id);
    expect(deleted.state).toBe('DELETED');
    expect(await inventory(w)).toEqual([]);
    // GKE refused the delete while it created the cluster ("Operation … is currently creating cluster …");
    // the step waited the whole creation out (its budget is an hour), then GKE accepted it.
    const calls = w.sandbox.calls();
    const createdAt = Date.parse(calls.find((c) => c.method === 'POST' && c.path.endsWith('/clusters') && c.status === 200)!.time);
    const deletes = calls.filter((c) => c.method === 'DELETE' && c.path.endsWith('/clusters/demo-saxml-gke-cluster'));
    expect(deletes.filter((c) => c.status === 400).length).toBeGreaterThan(0);
    const accept = deletes.find((c) => c.status === 200)!;
    expect(Date.parse(accept.time) - createdAt).toBeGreaterThanOrEqual(DURATIONS.cluster * 1000 * E2E_TIME_SCALE);
  });

  it('(4b) cancel before anything of the base stage exists, then delete → DELETED (policies of missing resources count as done)', async () => {
    const w = await world();
    const env = await create(w);
    await w.waitFor(env.id, (r) => r.progress.create['bootstrap.automation-sa']?.state === 'SUCCEEDED');
    const cancelled = dataOf(await api(w).POST('/environments/{id}/cancel', { params: path(env.id) }), 200);
    await w.engine.waitFor(cancelled.operation!.executionName!);
    expect(await inventory(w)).not.toContain('storage.bucket my-project-1-demo-saxml-admin');

    await api(w).DELETE('/environments/{id}', { params: { ...path(env.id), query: { deleteBootstrap: true } } });
    const deleted = await w.settle(env.id);
    expect(deleted.state, JSON.stringify(deleted.operation)).toBe('DELETED');
    expect(await inventory(w)).toEqual([]);
  });

  it('(5) two environments share the project bootstrap, which survives the first deletion', async () => {
    const w = await world();
    const first = await create(w, { ...SPEC, name: 'alpha' });
    const second = await create(w, { ...SPEC, name: 'beta', perf: { enabled: false } });
    expect((await w.settle(first.id)).state).toBe('ACTIVE');
    expect((await w.settle(second.id)).state).toBe('ACTIVE');

    await api(w).DELETE('/environments/{id}', { params: { ...path(first.id), query: { deleteBootstrap: true } } });
    expect((await w.settle(first.id)).state).toBe('DELETED');
    const left = await inventory(w);
    expect(left).toContain('iam.serviceAccount saxml-automation@my-project-1.iam.gserviceaccount.com');
    expect(left).toContain('storage.bucket my-project-1-saxml-automation');
    expect(left.some((r) => r.includes('alpha'))).toBe(false);
    expect(left.some((r) => r.includes('beta'))).toBe(true);

    await api(w).DELETE('/environments/{id}', { params: { ...path(second.id), query: { deleteBootstrap: true } } });
    expect((await w.settle(second.id)).state).toBe('DELETED');
    expect(await inventory(w)).toEqual([]);
  });

  it('(6) the local runtime restarts mid-create → INTERRUPTED → retry → ACTIVE: the sandbox cloud is restored from DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'saxml-restart-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startLocalWorld({ dataDir });
    const env = await create(first);
    await first.waitFor(env.id, (r) => r.progress.create['base.network']?.state === 'SUCCEEDED');
    await first.stop();

    // A new runtime on the same DATA_DIR: store and sandbox cloud both come back from it.
    const second = await world({ dataDir });
    expect(await inventory(second)).toContain('compute.network demo-saxml-gke-cluster-network');
    // The start-up reconcile of the new process settles what the old one left running.
    await second.waitFor(env.id, (r) => r.operation?.state !== 'RUNNING');
    const interrupted = dataOf(await api(second).GET('/environments/{id}', { params: path(env.id) }), 200);
    expect(interrupted.state).toBe('FAILED');
    expect(interrupted.operation?.error?.code).toBe('INTERRUPTED');

    expect((await api(second).POST('/environments/{id}/retry', { params: path(env.id) })).response.status).toBe(202);
    const active = await second.settle(env.id);
    expect(active.state).toBe('ACTIVE');
    expect(normalise(await inventory(second))).toEqual(normalise(EXPECTED));
  });
});
