import { describe, expect, it } from 'vitest';
import { jsonOf } from '../support/bodies.js';
import { created, dataOf, serverClient, type ApiClient, type EnvironmentSpec } from '../support/client.js';
import { LLAMA_7B as MODEL, SMALLEST_SPEC } from '../support/fixtures.js';
import { allEvents, environmentResources as inventory, worldPerTest, type LocalWorld } from '../support/local-world.js';

/**
 * Saxml end to end on the local profile: the real workflow YAML on the in-process engine, the
 * sandbox cloud, and each sandbox cluster's fake Kubernetes API (HTTPS, its own CA) reached by
 * the deployer through @kubernetes/client-node with a token minted for the automation account.
 */

const PROXY_IMAGE = 'us-docker.pkg.dev/my-project-1/demo-serving-images/saxml-proxy:1.0';
/** The default spec with saxml enabled (the default), the proxy image and one LLaMA 7B on the v5litepod-4 pool. */
const SPEC = { ...SMALLEST_SPEC, saxml: { proxy: { image: PROXY_IMAGE }, models: [MODEL] } } as EnvironmentSpec;

const world = worldPerTest();
const api = (w: LocalWorld): ApiClient => serverClient(w.baseUrl);
const path = (id: string) => ({ path: { id } });
const testApi = (w: LocalWorld, rest: string, body: unknown, method = 'POST') =>
  w.request(`/_sandbox/_test/${rest}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const CLUSTER = 'kubernetes/my-project-1/us-west1/demo-saxml-gke-cluster';

describe('e2e: Saxml on the cluster', () => {
  it('default spec with one llama7b model → ACTIVE with the proxy address and the published model; delete → nothing left, the model repository with data kept', async () => {
    const w = await world();
    const env = await created(api(w), SPEC);
    const active = await w.settle(env.id);
    expect(active.operation?.error).toBeUndefined();
    expect(active.state).toBe('ACTIVE');
    expect(active.stages.map((s) => `${s.name}:${s.state}`)).toEqual(['bootstrap:SUCCEEDED', 'base:SUCCEEDED', 'perf:SUCCEEDED', 'saxml:SUCCEEDED']);

    const view = dataOf(await api(w).GET('/environments/{id}', { params: path(env.id) }), 200);
    const saxml = view.outputs.saxml!;
    expect(saxml).toMatchObject({
      namespace: 'saxml', cell: '/sax/test', state: 'READY',
      getCredentials: 'gcloud container clusters get-credentials demo-saxml-gke-cluster --region us-west1 --project my-project-1',
      proxy: { serviceType: 'LoadBalancer', url: expect.stringMatching(/^http:\/\/\d+\.\d+\.\d+\.\d+:8080$/) },
      models: [{
        id: 'llama7b', modelId: '/sax/test/llama7b', tpuPool: 'tpu-v5e-4', state: 'READY', replicas: { requested: 1, ready: 1 },
        modelPath: MODEL.modelPath,
      }],
    });
    expect(saxml.models[0]!.exampleRequest).toBe(
      `curl -s -X POST ${saxml.proxy!.url}/generate -H 'content-type: application/json' -d '{"prompt":"Who is Harry Potter'"'"'s mother?","model_id":"/sax/test/llama7b"}'`,
    );

    // On the cluster: the cell's objects, the load balancer's forwarding rule, sax-root in the admin bucket.
    const items = await inventory(w);
    for (const object of ['Namespace demo-saxml-gke-cluster/saxml', 'Deployment demo-saxml-gke-cluster/saxml/sax-admin-server',
      'Deployment demo-saxml-gke-cluster/saxml/sax-model-server-tpu-v5e-4', 'Deployment demo-saxml-gke-cluster/saxml/saxml-proxy',
      'Service demo-saxml-gke-cluster/saxml/saxml-proxy', 'Job demo-saxml-gke-cluster/saxml/sax-publish-llama7b',
      'ConfigMap demo-saxml-gke-cluster/saxml/saxml-parameters', 'ServiceAccount demo-saxml-gke-cluster/saxml/saxml-ksa']) {
      expect(items).toContain(`kubernetes.${object}`);
    }
    expect(items.filter((i) => i.startsWith('compute.forwardingRule'))).toHaveLength(1);
    const adminObjects = await jsonOf<{ items?: { name: string }[] }>(await w.request('/_sandbox/storage/storage/v1/b/my-project-1-demo-saxml-admin/o',
      // As the automation account (storage.admin in the project): the sandbox checks every caller's roles.
      { headers: { authorization: w.sandbox.identities.authorization('saxml-automation@my-project-1.iam.gserviceaccount.com') } }));
    expect(adminObjects.items?.map((o) => o.name)).toContain('sax-root/sax/test/METADATA');

    // Overlapped with the TPU pool: the cell's step runs beside the pool's, and the model server waited for the pool's nodes.
    const history = await allEvents(w, env.id);
    const first = (predicate: (e: (typeof history)[number]) => boolean) => history.findIndex(predicate);
    expect(first((e) => e.type === 'step.started' && e.step === 'saxml.cell'))
      .toBeLessThan(first((e) => e.type === 'step.succeeded' && e.step === 'base.tpu-pool.tpu-v5e-4'));
    expect(first((e) => e.type === 'step.started' && e.step === 'saxml.model-server.tpu-v5e-4'))
      .toBeGreaterThan(first((e) => e.type === 'step.succeeded' && e.step === 'base.tpu-pool.tpu-v5e-4'));

    // The user's checkpoints land in the model repository.
    expect((await testApi(w, 'buckets/my-project-1-demo-saxml-model-repository/objects', { count: 3 }, 'PUT')).status).toBe(200);
    const del = await api(w).DELETE('/environments/{id}', { params: { ...path(env.id), query: { deleteBootstrap: true } } });
    expect(del.response.status).toBe(202);
    const deleted = await w.settle(env.id);
    expect(deleted.operation?.error).toBeUndefined();
    expect(deleted.state).toBe('DELETED');
    expect(deleted.operation?.kept).toEqual([{ resource: 'gs://my-project-1-demo-saxml-model-repository', reason: expect.stringContaining('purgeData=true') }]);
    expect(await inventory(w)).toEqual(['storage.bucket my-project-1-demo-saxml-model-repository']);
    const log = await allEvents(w, env.id);
    expect(log.filter((e) => e.type === 'resource.kept').map((e) => e.message)).toEqual([expect.stringContaining('kept gs://my-project-1-demo-saxml-model-repository')]);
  });

  it('a model on a pool whose selector matches nothing → FAILED naming the pool; retry after the fault clears → ACTIVE', async () => {
    const w = await world();
    // The pool's nodes come up with another topology than the v5litepod-4 model server asks for.
    w.sandbox.faults.set({ nodeLabels: [{ pool: 'tpu-v5e-4', labels: { 'cloud.google.com/gke-tpu-topology': '2x4' } }] });
    const env = await created(api(w), SPEC);
    const failed = await w.settle(env.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.operation!.error).toMatchObject({
      code: 'UNSCHEDULABLE', stage: 'saxml', step: 'saxml.model-server.tpu-v5e-4',
      message: expect.stringMatching(/cannot be scheduled on node pool tpu-v5e-4: 0\/\d+ nodes are available: .*didn't match Pod's node affinity\/selector/),
    });
    expect(failed.operation!.error!.hint).toContain('node pool');
    expect(failed.stages.find((s) => s.name === 'saxml')).toMatchObject({ state: 'FAILED', error: { code: 'UNSCHEDULABLE' } });

    w.sandbox.faults.clear();
    expect((await api(w).POST('/environments/{id}/retry', { params: path(env.id) })).response.status).toBe(202);
    const active = await w.settle(env.id);
    expect(active.operation?.error).toBeUndefined();
    expect(active.state).toBe('ACTIVE');
    expect(active.outputs.saxml?.models[0]).toMatchObject({ state: 'READY', replicas: { requested: 1, ready: 1 } });
  });

  it('a stuck foreign finalizer → the delete completes; the event log names what was forced and what was left (and purgeData drops the checkpoints)', async () => {
    const w = await world();
    const env = await created(api(w), { ...SMALLEST_SPEC } as EnvironmentSpec);
    expect((await w.settle(env.id)).state).toBe('ACTIVE');
    // Another controller's object in the namespace, holding it with a finalizer nobody will remove…
    const foreign = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leftover', namespace: 'saxml', finalizers: ['example.com/hold'] }, data: {} };
    expect((await testApi(w, `${CLUSTER}/objects`, foreign)).status).toBe(201);
    // …and one of ours held by a finalizer whose controller is gone.
    const ours = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'saxml', name: 'saxml-parameters', finalizer: 'example.com/stale' };
    expect((await testApi(w, `${CLUSTER}/finalizers`, ours)).status).toBe(204);

    // Checkpoints in the model repository: gone with it, as the delete asks.
    expect((await testApi(w, 'buckets/my-project-1-demo-saxml-model-repository/objects', { count: 2 }, 'PUT')).status).toBe(200);
    await api(w).DELETE('/environments/{id}', { params: { ...path(env.id), query: { deleteBootstrap: true, purgeData: true } } });
    const deleted = await w.settle(env.id);
    expect(deleted.operation?.error).toBeUndefined();
    expect(deleted.state).toBe('DELETED');
    expect(deleted.operation?.kept).toBeUndefined();
    const messages = (await allEvents(w, env.id)).filter((e) => e.type === 'saxml.changed').map((e) => e.message);
    expect(messages).toContainEqual(expect.stringContaining('removed the finalizers of ConfigMap saxml/saxml-parameters (example.com/stale)'));
    expect(messages).toContainEqual(expect.stringContaining('left in place (not ours, never touched): ConfigMap saxml/leftover holds finalizer example.com/hold'));
    // The namespace went with the cluster: nothing of the environment is left.
    expect(await inventory(w)).toEqual([]);
  });
});
