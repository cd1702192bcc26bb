import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clusterBody, compute, gke, harness, networkStack, PROJECT, REGION, runningCluster } from './helpers.js';

const tpuPool = (name = 'tpu-pool', zones = ['us-west1-c']) => ({
  nodePool: { name, initialNodeCount: 1, locations: zones, config: { machineType: 'ct5lp-hightpu-4t', spot: true } },
});
const opPath = (op: { selfLink: string }) => new URL(op.selfLink).pathname;

describe('container clusters', () => {
  it('creates a cluster: PROVISIONING while the ≈7 min operation runs, then RUNNING with an endpoint and CA', async () => {
    const h = harness({ timeScale: 0.001 });
    await networkStack(h);
    const op = await h.call('POST', gke('clusters'), clusterBody());
    expect(op.status).toBe(200);
    expect(op.body).toMatchObject({ operationType: 'CREATE_CLUSTER', status: 'RUNNING', location: REGION });
    expect(op.body.targetLink).toBe(`http://localhost/container/v1/projects/${PROJECT}/locations/${REGION}/clusters/saxml`);

    const provisioning = await h.call('GET', gke('clusters/saxml'));
    expect(provisioning.body).toMatchObject({ status: 'PROVISIONING', network: 'net', subnetwork: 'subnet' });
    expect(provisioning.body.nodePools[0]).toMatchObject({ name: 'default-node-pool', status: 'PROVISIONING' });

    h.advance(419);
    expect((await h.call('GET', opPath(op.body))).body.status).toBe('RUNNING');
    h.advance(1); // 420 simulated seconds = 0.42 s of the fake clock at timeScale 0.001
    const done = await h.call('GET', opPath(op.body));
    expect(done.body).toMatchObject({ status: 'DONE' });
    expect(done.body.error).toBeUndefined();
    const running = (await h.call('GET', gke('clusters/saxml'))).body;
    expect(running).toMatchObject({ status: 'RUNNING', workloadIdentityConfig: { workloadPool: `${PROJECT}.svc.id.goog` } });
    // The fake Kubernetes API server of the cluster (GKE gives a bare IP on 443; FIDELITY.md) and its own CA.
    expect(running.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    const ca = new X509Certificate(Buffer.from(running.masterAuth.clusterCaCertificate, 'base64'));
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('saxml sandbox cluster CA');
    expect(running.controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint).toMatch(/\.gke\.goog$/);
    expect(running.nodePools[0].status).toBe('RUNNING');
  });

  it.each([
    ['a missing network', { network: 'nope' }, /Network "nope" does not exist/],
    ['a missing subnetwork', { subnetwork: 'nope' }, /Subnetwork "nope" does not exist/],
    ['an unknown secondary range', { ipAllocationPolicy: { useIpAliases: true, clusterSecondaryRangeName: 'pods-x' } }, /Secondary range "pods-x"/],
    ['no node pools and no initialNodeCount', { nodePools: [] }, /initial_node_count must be greater than zero/],
    ['a wrong workload pool', { workloadIdentityConfig: { workloadPool: 'other.svc.id.goog' } }, /Workload Identity Pool "other.svc.id.goog" is invalid/],
    ['an invalid name', { name: 'Saxml_Cluster' }, /Invalid value for field "cluster.name"/],
  ])('rejects a cluster with %s (400 INVALID_ARGUMENT)', async (_what, over, message) => {
    const h = harness();
    await networkStack(h);
    const r = await h.call('POST', gke('clusters'), clusterBody(over));
    expect(r.status).toBe(400);
    expect(r.body.error.status).toBe('INVALID_ARGUMENT');
    expect(r.body.error.message).toMatch(message);
  });

  it('accepts initialNodeCount instead of node pools, and answers 409 for a second create', async () => {
    const h = harness();
    await networkStack(h);
    expect((await h.call('POST', gke('clusters'), clusterBody({ nodePools: undefined, initialNodeCount: 1 }))).status).toBe(200);
    const again = await h.call('POST', gke('clusters'), clusterBody());
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(`Already exists: projects/${PROJECT}/locations/${REGION}/clusters/saxml.`);
  });

  it('runs one operation at a time per cluster (400 FAILED_PRECONDITION otherwise)', async () => {
    const h = harness();
    await networkStack(h);
    const create = await h.call('POST', gke('clusters'), clusterBody());
    const busy = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool());
    expect(busy.status).toBe(400);
    expect(busy.body.error).toMatchObject({ status: 'FAILED_PRECONDITION', message: `Cluster is running incompatible operation ${create.body.name}.` });
    h.advance(420);
    const np = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool());
    expect(np.body.operationType).toBe('CREATE_NODE_POOL');
    expect((await h.call('POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'cpu', initialNodeCount: 1, config: { machineType: 'n1-standard-8' } } })).status).toBe(400);
    expect((await h.call('DELETE', gke('clusters/saxml'))).status).toBe(400);
    expect((await h.call('GET', gke('clusters/saxml/nodePools/tpu-pool'))).body.status).toBe('PROVISIONING');
    h.advance(300); // TPU node pool ≈ 5 min
    expect((await h.call('GET', gke('clusters/saxml/nodePools/tpu-pool'))).body.status).toBe('RUNNING');
    const cpu = await h.call('POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'cpu', initialNodeCount: 1, config: { machineType: 'n1-standard-8' } } });
    h.advance(179);
    expect((await h.call('GET', opPath(cpu.body))).body.status).toBe('RUNNING');
    h.advance(1); // CPU node pool ≈ 3 min
    expect((await h.call('GET', opPath(cpu.body))).body.status).toBe('DONE');
  });

  it('fails a TPU node pool in a stocked-out zone: op DONE with error code 8 GCE_STOCKOUT naming other zones; pool removed', async () => {
    const h = harness({ faults: { tpuStockoutZones: ['us-west1-c'] } });
    await runningCluster(h);
    const op = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool());
    expect(op.status).toBe(200);
    h.advance(300);
    const done = (await h.call('GET', opPath(op.body))).body;
    expect(done.status).toBe('DONE');
    expect(done.error.code).toBe(8);
    expect(done.error.message).toMatch(/GCE_STOCKOUT/);
    expect(done.error.message).toMatch(/Try a different zone: us-central1-a, .*us-west4-a/);
    expect(done.error.message).not.toMatch(/zone: [^.]*us-west1-c/);
    expect(done.statusMessage).toBe(done.error.message);
    expect((await h.call('GET', gke('clusters/saxml/nodePools/tpu-pool'))).status).toBe(404);
    // another zone still works
    h.sandbox.faults.set({ tpuStockoutZones: ['us-west1-c'] });
    const ok = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool('tpu-pool', ['us-west1-a']));
    h.advance(300);
    expect((await h.call('GET', opPath(ok.body))).body.error).toBeUndefined();
  });

  it('answers 403 QUOTA_EXCEEDED naming the metric and region', async () => {
    const h = harness({ faults: { quotaExceeded: [{ metric: 'TPUS_PER_TPU_FAMILY', region: REGION }] } });
    await runningCluster(h);
    const r = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool());
    expect(r.status).toBe(403);
    expect(r.body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(r.body.error.message).toMatch(/"TPUS_PER_TPU_FAMILY" in region us-west1/);
    expect(r.body.error.details[0]).toMatchObject({ reason: 'QUOTA_EXCEEDED', metadata: { quota_metric: 'TPUS_PER_TPU_FAMILY', region: REGION } });
    const cpu = await h.call('POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'cpu', initialNodeCount: 1, config: { machineType: 'n1-standard-8' } } });
    expect(cpu.status).toBe(200);
  });

  it('deletes node pools and the cluster (STOPPING, then 404)', async () => {
    const h = harness();
    await runningCluster(h);
    const delPool = await h.call('DELETE', gke('clusters/saxml/nodePools/default-node-pool'));
    expect(delPool.body.operationType).toBe('DELETE_NODE_POOL');
    expect((await h.call('GET', gke('clusters/saxml/nodePools/default-node-pool'))).body.status).toBe('STOPPING');
    h.advance(180);
    expect((await h.call('GET', gke('clusters/saxml/nodePools/default-node-pool'))).status).toBe(404);
    const del = await h.call('DELETE', gke('clusters/saxml'));
    expect(del.body.operationType).toBe('DELETE_CLUSTER');
    expect((await h.call('GET', gke('clusters/saxml'))).body.status).toBe('STOPPING');
    h.advance(420);
    const gone = await h.call('GET', gke('clusters/saxml'));
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toBe(`Not found: projects/${PROJECT}/locations/${REGION}/clusters/saxml.`);
  });

  it('leaves a LoadBalancer forwarding rule behind on cluster deletion, which then blocks deleting the network', async () => {
    const h = harness();
    await runningCluster(h);
    const lb = await h.sandbox.app.request('/_test/forwardingRules', {
      method: 'POST',
      body: JSON.stringify({ project: PROJECT, region: REGION, cluster: 'saxml', service: 'saxml/saxml-proxy' }),
    });
    expect(lb.status).toBe(201);
    const rule = (await lb.json()) as { name: string };
    const got = (await h.call('GET', compute(`regions/${REGION}/forwardingRules/${rule.name}`))).body;
    expect(JSON.parse(got.description)).toEqual({ 'kubernetes.io/service-name': 'saxml/saxml-proxy' });

    const delSubnetEarly = await h.call('DELETE', compute(`regions/${REGION}/subnetworks/subnet`));
    expect(delSubnetEarly.body.error.message).toMatch(/clusters\/saxml/);
    await h.call('DELETE', gke('clusters/saxml'));
    h.advance(420);
    await h.call('DELETE', compute(`regions/${REGION}/subnetworks/subnet`));
    h.advance(20);
    const blocked = await h.call('DELETE', compute('global/networks/net'));
    expect(blocked.status).toBe(400);
    expect(blocked.body.error.message).toMatch(new RegExp(`forwardingRules/${rule.name}`));
    expect((await h.call('DELETE', compute(`regions/${REGION}/forwardingRules/${rule.name}`))).status).toBe(200);
    h.advance(1);
    expect((await h.call('DELETE', compute('global/networks/net'))).status).toBe(200);
  });

  it('rejects unknown fields deep in a cluster body', async () => {
    const h = harness();
    await networkStack(h);
    const body = clusterBody({ nodePools: [{ name: 'p', initialNodeCount: 1, config: { machineType: 'n1-standard-8', managment: {} } }] });
    const r = await h.call('POST', gke('clusters'), body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(`Invalid JSON payload received. Unknown name "managment" at 'cluster.node_pools[0].config': Cannot find field.`);
  });
});
