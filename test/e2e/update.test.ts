import { describe, expect, it } from 'vitest';
import { kindOf } from '../../api/sandbox/kubernetes/kinds.js';
import { jsonOf, problemOf } from '../support/bodies.js';
import { created, serverClient, type ApiClient, type EnvironmentSpec } from '../support/client.js';
import { LLAMA_7B as MODEL, SMALLEST_SPEC, tpuPool } from '../support/fixtures.js';
import { allEvents as events, environmentResources as inventory, worldPerTest, type LocalWorld } from '../support/local-world.js';

/**
 * PATCH end to end on the embedded default (`npm start`'s world): the real workflow YAML runs the
 * update plans against the sandbox cloud and the fake Kubernetes API of its cluster.
 */

const CHAT = { ...MODEL, id: 'llama7b_chat', checkpoint: 'gs://demo-checkpoints/llama-7b-chat/checkpoint_00000000' };
const GEMMA = { ...MODEL, id: 'gemma', tpuPool: 'tpu-b', checkpoint: 'gs://demo-checkpoints/gemma/checkpoint_00000000' };
const SPEC = { ...SMALLEST_SPEC, saxml: { models: [MODEL] } } as EnvironmentSpec;

const world = worldPerTest();
const api = (w: LocalWorld): ApiClient => serverClient(w.baseUrl);
const path = (id: string) => ({ path: { id } });
const CLUSTER = 'demo-saxml-gke-cluster';
const onCluster = async (w: LocalWorld) => (await inventory(w)).filter((i) => i.startsWith('kubernetes.')).map((i) => i.replace(`kubernetes.`, '').replace(`${CLUSTER}/saxml/`, ''));
const nodePools = async (w: LocalWorld) => (await inventory(w)).filter((i) => i.startsWith('container.nodePool')).map((i) => i.split('/').at(-1));

function patch(w: LocalWorld, id: string, body: unknown, headers: Record<string, string> = {}) {
  return w.request(`/environments/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', ...headers }, body: JSON.stringify(body) });
}
/** PATCH that must start an update; resolves with the environment once it has ended. */
async function updated(w: LocalWorld, id: string, body: unknown) {
  const res = await patch(w, id, body);
  expect(res.status, await res.clone().text()).toBe(202);
  expect((await jsonOf<{ state: string }>(res)).state).toBe('UPDATING');
  const done = await w.settle(id);
  expect(done.operation?.error).toBeUndefined();
  expect(done).toMatchObject({ state: 'ACTIVE', operation: { kind: 'update', state: 'SUCCEEDED' } });
  return done;
}

describe('e2e: changing a living environment', () => {
  it('add a model → both in outputs; add a TPU pool and a model on it; remove them → their servers and pool are gone', async () => {
    const w = await world();
    const env = await created(api(w), SPEC);
    expect((await w.settle(env.id)).state).toBe('ACTIVE');

    const two = await updated(w, env.id, { saxml: { models: [MODEL, CHAT] } });
    expect(two.outputs.saxml?.models.map((m) => [m.id, m.state])).toEqual([['llama7b', 'READY'], ['llama7b_chat', 'READY']]);
    expect(await onCluster(w)).toContain('Job sax-publish-llama7b-chat');
    // Only what changed ran: the Saxml apply and the model server's wait.
    expect(Object.keys(two.progress.update).sort()).toEqual(['saxml.cell', 'saxml.model-server.tpu-v5e-4']);

    const three = await updated(w, env.id, {
      cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-b' })] },
      saxml: { models: [MODEL, CHAT, GEMMA] },
    });
    expect(three.outputs.saxml?.models.map((m) => `${m.id}@${m.tpuPool}:${m.state}`)).toEqual(['llama7b@tpu-v5e-4:READY', 'llama7b_chat@tpu-v5e-4:READY', 'gemma@tpu-b:READY']);
    expect(await nodePools(w)).toContain('tpu-b');
    expect(await onCluster(w)).toEqual(expect.arrayContaining(['Deployment sax-model-server-tpu-b', 'Job sax-publish-gemma']));

    // A new checkpoint: the publish Job (its template is immutable) is replaced, and the model loads it.
    const NEW_CHECKPOINT = 'gs://demo-checkpoints/llama-7b/checkpoint_00000001';
    const moved = await updated(w, env.id, { saxml: { models: [{ ...MODEL, checkpoint: NEW_CHECKPOINT }, CHAT, GEMMA] } });
    expect(moved.outputs.saxml?.models.map((m) => m.state)).toEqual(['READY', 'READY', 'READY']);
    const publishStates = (await events(w, env.id)).filter((e) => e.operationId === moved.operation!.id && e.type === 'saxml.changed' && e.details?.object === 'Job saxml/sax-publish-llama7b')
      .map((e) => e.details?.state);
    expect(publishStates).toEqual(['DEPLOYING', 'READY']);

    const back = await updated(w, env.id, { cluster: { tpuNodePools: [tpuPool()] }, saxml: { models: [{ ...MODEL, checkpoint: NEW_CHECKPOINT }] } });
    expect(back.outputs.saxml?.models.map((m) => m.id)).toEqual(['llama7b']);
    const objects = await onCluster(w);
    expect(objects).not.toContain('Deployment sax-model-server-tpu-b');
    expect(objects).not.toContain('Job sax-publish-gemma');
    expect(objects).not.toContain('Job sax-publish-llama7b-chat');
    // The removed models were unpublished first (an unpublish Job each, pruned once done).
    expect(objects.filter((o) => o.startsWith('Job sax-unpublish-'))).toEqual([]);
    const unpublished = (await events(w, env.id)).filter((e) => e.operationId === back.operation!.id && e.type === 'saxml.changed' && e.details?.unpublishing)
      .map((e) => e.details?.unpublishing);
    expect(unpublished).toEqual(['gemma', 'llama7b_chat']);
    expect(objects).toContain('Deployment sax-model-server-tpu-v5e-4');
    expect(await nodePools(w)).not.toContain('tpu-b');
    // The pool went after the Saxml apply stopped using it.
    const history = await events(w, env.id);
    const at = (type: string, step: string) => history.findIndex((e) => e.type === type && e.step === step && e.operationId === back.operation!.id);
    expect(at('step.started', 'base.tpu-pool.tpu-b')).toBeGreaterThan(at('step.succeeded', 'saxml.cell'));
    const spec = history.filter((e) => e.type === 'spec.updated').map((e) => e.details?.changed);
    expect(spec).toEqual([
      ['saxml.models[1]'], ['cluster.tpuNodePools[1]', 'saxml.models[2]'], ['saxml.models[0].checkpoint'],
      ['cluster.tpuNodePools[1]', 'saxml.models[1]', 'saxml.models[2]'],
    ]);
  });

  it('a stockout fails the create; the hint is the PATCH that fixes it; sending it (with capacity held in a reservation) converges → ACTIVE', async () => {
    const w = await world();
    w.sandbox.faults.set({ tpuStockoutZones: ['us-west1-c'] });
    const env = await created(api(w), SPEC);
    const failed = await w.settle(env.id);
    expect(failed.operation?.error).toMatchObject({ code: 'GCE_STOCKOUT', step: 'base.tpu-pool.tpu-v5e-4' });
    // us-west1-c is the one zone of us-west1 that offers v5e: the pool cannot move within the
    // region (which cannot change), but capacity reserved there is not taken by a stockout.
    const hint = failed.operation!.error!.hint!;
    expect(hint).toMatch(new RegExp(`; to use a reservation you hold for TPU pool tpu-v5e-4, send PATCH /environments/${env.id} with Content-Type application/merge-patch\\+json and the body \\{"cluster":\\{"tpuNodePools":\\[\\{"name":"tpu-v5e-4"`));

    // The user reserves the capacity, and sends the hint's body naming the reservation.
    const reserved = await w.request('/_sandbox/_test/reservations', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'my-project-1', zone: 'us-west1-c', name: 'tpu-capacity', machineType: 'ct5lp-hightpu-4t', count: 1 }),
    });
    expect(reserved.status).toBe(201);
    const body = JSON.parse(hint.slice(hint.indexOf(' the body ') + ' the body '.length).replace('<your reservation in us-west1-c>', 'tpu-capacity'));
    expect(body.cluster.tpuNodePools[0].reservation).toEqual({ consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['tpu-capacity'] });
    const active = await updated(w, env.id, body);
    expect(active.spec.cluster.tpuNodePools[0]).toMatchObject({ name: 'tpu-v5e-4', reservation: { values: ['tpu-capacity'] } });
    expect(active.outputs.saxml?.models.map((m) => m.state)).toEqual(['READY']);
    expect(active.stages.map((s) => `${s.name}:${s.state}`)).toEqual(['bootstrap:SUCCEEDED', 'base:SUCCEEDED', 'perf:SUCCEEDED', 'saxml:SUCCEEDED']);
    // The pool (a new GKE node pool beside the stocked-out one, which is gone) serves the model.
    const pool = active.spec.cluster.tpuNodePools[0]!.nodePoolName ?? 'tpu-v5e-4';
    expect(await nodePools(w)).toEqual(expect.arrayContaining([pool]));
    expect(await nodePools(w)).toHaveLength(active.spec.cluster.cpuNodePools.length + 1);
  });

  it('labels and a CPU pool’s node counts change in place (setResourceLabels with its fingerprint, the PATCH of each labelled resource, setAutoscaling)', async () => {
    const w = await world();
    const env = await created(api(w), { ...SMALLEST_SPEC, saxml: { enabled: false }, labels: { team: 'ml' } } as EnvironmentSpec);
    const active = await w.settle(env.id);
    const pools = active.spec.cluster.cpuNodePools.map((p) => (p.name === 'default-node-pool' ? { ...p, maxNodeCount: 5 } : p));
    const done = await updated(w, env.id, { labels: { team: null, cost: 'research' }, cluster: { tpuNodePools: active.spec.cluster.tpuNodePools, cpuNodePools: pools } });
    expect(Object.keys(done.progress.update).sort()).toEqual([
      'base.artifact-registry:labels', 'base.bucket.admin:labels', 'base.bucket.models:labels', 'base.cluster:label-fingerprint', 'base.cluster:labels',
      'base.cluster:pool.default-node-pool.autoscaling', 'perf.dataset:labels', 'perf.subscription:labels', 'perf.table:labels', 'perf.topic:labels',
    ]);
    // Read as the automation account (the sandbox enforces IAM: it holds the roles to read them).
    const owner = { headers: { authorization: w.sandbox.identities.authorization('saxml-automation@my-project-1.iam.gserviceaccount.com') } };
    const cluster = await jsonOf<{ resourceLabels: Record<string, string>; nodePools: { name: string; autoscaling?: unknown }[] }>(
      await w.request(`/_sandbox/container/v1/projects/my-project-1/locations/us-west1/clusters/${CLUSTER}`, owner));
    expect(cluster.resourceLabels).toEqual({ cost: 'research', 'saxml-environment': env.id });
    expect(cluster.nodePools.find((p) => p.name === 'default-node-pool')!.autoscaling).toEqual({ enabled: true, minNodeCount: 1, maxNodeCount: 5 });
    const bucket = await jsonOf<{ labels: Record<string, string> }>(await w.request('/_sandbox/storage/storage/v1/b/my-project-1-demo-saxml-admin', owner));
    expect(bucket.labels).toEqual({ cost: 'research', 'saxml-environment': env.id });
    expect(done.labels).toEqual({ cost: 'research' });
    // Every other labelled resource too, each through its own API's PATCH.
    const labelled = {
      topic: '/_sandbox/pubsub/v1/projects/my-project-1/topics/demo_metrics_pubsub_sink',
      subscription: '/_sandbox/pubsub/v1/projects/my-project-1/subscriptions/demo_metrics_pubsub_bq_sub',
      dataset: '/_sandbox/bigquery/bigquery/v2/projects/my-project-1/datasets/demo_metrics_dataset',
      table: '/_sandbox/bigquery/bigquery/v2/projects/my-project-1/datasets/demo_metrics_dataset/tables/performance_metrics',
      repository: '/_sandbox/artifactregistry/v1/projects/my-project-1/locations/us/repositories/demo-serving-images',
    };
    for (const [what, url] of Object.entries(labelled)) {
      expect((await jsonOf<{ labels?: Record<string, string> }>(await w.request(url, owner))).labels, what).toEqual({ cost: 'research', 'saxml-environment': env.id });
    }
  });

  it('perf off and on again, Cloud NAT on, a new model-server image (two replicas on one single-host pool: 422): each change creates, changes or removes exactly its resources', async () => {
    const w = await world();
    const env = await created(api(w), SPEC);
    expect((await w.settle(env.id)).state).toBe('ACTIVE');
    const perf = async () => (await inventory(w)).filter((i) => /^(pubsub|bigquery)\./.test(i));
    const perfResources = await perf();
    expect(perfResources).toEqual(expect.arrayContaining(['pubsub.topic demo_metrics_pubsub_sink', 'bigquery.dataset demo_metrics_dataset']));

    const noPerf = await updated(w, env.id, { perf: { enabled: false } });
    expect(await perf()).toEqual([]);
    expect(noPerf.stages.map((s) => `${s.name}:${s.state}`)).toEqual(['bootstrap:SUCCEEDED', 'base:SUCCEEDED', 'perf:SKIPPED', 'saxml:SUCCEEDED']);

    const before = await inventory(w);
    await updated(w, env.id, { network: { nat: true } });
    const added = (await inventory(w)).filter((i) => !before.includes(i));
    expect(added).toEqual([expect.stringMatching(/^compute\.router /)]);

    const IMAGE = 'us-docker.pkg.dev/my-project-1/demo-serving-images/sax-model-server:2.0';
    // A single-host slice runs one model server: more replicas need more pools, and the PATCH says so.
    const replicas = await patch(w, env.id, { saxml: { models: [{ ...MODEL, replicas: 2 }] } });
    expect(replicas.status).toBe(422);
    expect((await problemOf(replicas)).errors).toEqual([expect.objectContaining({ path: '$.saxml.models[0].replicas', message: expect.stringContaining('1 replica per pool') })]);
    const imaged = await updated(w, env.id, { saxml: { images: { modelServer: IMAGE } } });
    expect(imaged.outputs.saxml?.models[0]).toMatchObject({ state: 'READY', replicas: { requested: 1, ready: 1 } });
    const cluster = w.sandbox.kubernetes.cluster('my-project-1', 'us-west1', CLUSTER)!;
    const deployment = cluster.render(cluster.get(kindOf('apps/v1', 'Deployment')!, 'sax-model-server-tpu-v5e-4', 'saxml'));
    expect(deployment).toMatchObject({ spec: { template: { spec: { containers: [{ image: IMAGE }] } } } });

    const withPerf = await updated(w, env.id, { perf: { enabled: true } });
    expect(await perf()).toEqual(perfResources);
    expect(withPerf.stages.map((s) => `${s.name}:${s.state}`)).toEqual(['bootstrap:SUCCEEDED', 'base:SUCCEEDED', 'perf:SUCCEEDED', 'saxml:SUCCEEDED']);
    const changed = (await events(w, env.id)).filter((e) => e.type === 'spec.updated').map((e) => e.details?.changed);
    expect(changed).toEqual([['perf.enabled'], ['network.nat'], ['saxml.images.modelServer'], ['perf.enabled']]);
  });

  it('deletionProtection: a protected environment refuses delete until a PATCH lifts it; immutable changes are 422; one If-Match wins; a PATCH during an operation is 409', async () => {
    const w = await world();
    const env = await created(api(w), { ...SMALLEST_SPEC, saxml: { enabled: false }, deletionProtection: true } as EnvironmentSpec);
    const during = await patch(w, env.id, { labels: { team: 'ml' } });
    expect(during.status).toBe(409);
    expect(await problemOf(during)).toMatchObject({ code: 'OPERATION_IN_PROGRESS' });
    const active = await w.settle(env.id);
    expect(active.state).toBe('ACTIVE');

    const immutable = await patch(w, env.id, { name: 'other', cluster: { name: 'other-cluster' } });
    expect(immutable.status).toBe(422);
    expect((await problemOf(immutable)).errors?.map((e) => e.path)).toEqual(['$.name', '$.cluster.name']);

    const refused = await api(w).DELETE('/environments/{id}', { params: path(env.id) });
    expect(refused.response.status).toBe(409);

    const etag = (await w.request(`/environments/${env.id}`)).headers.get('etag')!;
    const [a, b] = [await patch(w, env.id, { deletionProtection: false }, { 'if-match': etag }), await patch(w, env.id, { labels: { team: 'ml' } }, { 'if-match': etag })];
    expect([a.status, b.status]).toEqual([200, 412]);

    const del = await api(w).DELETE('/environments/{id}', { params: { ...path(env.id), query: { deleteBootstrap: true } } });
    expect(del.response.status).toBe(202);
    expect((await w.settle(env.id)).state).toBe('DELETED');
  });
});
