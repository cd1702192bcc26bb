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

  it('runs cluster-level operations alone; node pool operations beside one another, one per pool', async () => {
    const h = harness();
    await networkStack(h);
    const create = await h.call('POST', gke('clusters'), clusterBody());
    // While the cluster is created nothing else may start: GKE's two messages for it.
    const busy = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool());
    expect(busy.status).toBe(400);
    expect(busy.body.error).toMatchObject({ status: 'FAILED_PRECONDITION', message: `Cluster is running incompatible operation ${create.body.name}.` });
    const early = await h.call('DELETE', gke('clusters/saxml'));
    expect(early.body.error).toMatchObject({
      status: 'FAILED_PRECONDITION',
      message: `Operation ${create.body.name} is currently creating cluster saxml. Please wait and try again once it is done.`,
    });
    h.advance(420);
    // Three node pools at once, on one cluster.
    const pools = await Promise.all(['tpu-a', 'tpu-b', 'tpu-c'].map((n) => h.call('POST', gke('clusters/saxml/nodePools'), tpuPool(n))));
    expect(pools.map((p) => p.status)).toEqual([200, 200, 200]);
    // …but not two operations on one pool, and no cluster-level operation meanwhile.
    const again = await h.call('DELETE', gke('clusters/saxml/nodePools/tpu-a'));
    expect(again.body.error.message).toBe(`Operation ${pools[0]!.body.name} is currently operating on node pool tpu-a. Please wait and try again once it is done.`);
    expect((await h.call('DELETE', gke('clusters/saxml'))).body.error.message).toMatch(/^Cluster is running incompatible operation operation-/);
    expect((await h.call('GET', gke('clusters/saxml/nodePools/tpu-b'))).body.status).toBe('PROVISIONING');
    h.advance(300); // TPU node pools ≈ 5 min, together
    for (const p of pools) expect((await h.call('GET', opPath(p.body))).body).toMatchObject({ status: 'DONE' });
    expect((await h.call('GET', gke('clusters/saxml/nodePools/tpu-c'))).body.status).toBe('RUNNING');
    const cpu = await h.call('POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'cpu', initialNodeCount: 1, config: { machineType: 'n1-standard-8' } } });
    h.advance(179);
    expect((await h.call('GET', opPath(cpu.body))).body.status).toBe('RUNNING');
    h.advance(1); // CPU node pool ≈ 3 min
    expect((await h.call('GET', opPath(cpu.body))).body.status).toBe('DONE');
    expect((await h.call('DELETE', gke('clusters/saxml'))).status).toBe(200);
  });

  it('leaves a TPU node pool that hit a stockout in ERROR; it can be deleted and created again', async () => {
    const h = harness({ faults: { tpuStockoutZones: ['us-west1-c'] } });
    await runningCluster(h);
    const op = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool());
    expect(op.status).toBe(200);
    h.advance(300);
    const done = (await h.call('GET', opPath(op.body))).body;
    expect(done.status).toBe('DONE');
    expect(done.error.code).toBe(8);
    expect(done.error.message).toMatch(/\[GCE_STOCKOUT\]: .*The zone 'projects\/proj-1\/zones\/us-west1-c' does not have enough resources available to fulfill the request\. Try a different zone, or try again later\.$/);
    expect(done.statusMessage).toBe(done.error.message);
    const failed = (await h.call('GET', gke('clusters/saxml/nodePools/tpu-pool'))).body;
    expect(failed).toMatchObject({ status: 'ERROR', statusMessage: done.error.message });
    // A second create finds it there (409); deleting it is the caller's business.
    expect((await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool())).status).toBe(409);
    h.sandbox.faults.clear();
    const del = await h.call('DELETE', gke('clusters/saxml/nodePools/tpu-pool'));
    expect(del.body.operationType).toBe('DELETE_NODE_POOL');
    h.advance(300);
    const again = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool());
    h.advance(300);
    expect((await h.call('GET', opPath(again.body))).body.error).toBeUndefined();
    expect((await h.call('GET', gke('clusters/saxml/nodePools/tpu-pool'))).body.status).toBe('RUNNING');
  });

  it('leaves a cluster whose CPU zones are stocked out in ERROR (deletable), and can end a creation DEGRADED', async () => {
    const h = harness({ faults: { cpuStockoutZones: [`${REGION}-a`] } });
    await networkStack(h);
    const op = await h.call('POST', gke('clusters'), clusterBody());
    h.advance(420);
    expect((await h.call('GET', opPath(op.body))).body.error.message).toMatch(/GCE_STOCKOUT/);
    const cluster = (await h.call('GET', gke('clusters/saxml'))).body;
    expect(cluster).toMatchObject({ status: 'ERROR', statusMessage: expect.stringMatching(/does not have enough resources/) });
    expect(cluster.nodePools[0].status).toBe('ERROR');
    expect((await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool())).body.error.message).toMatch(/is in ERROR state/);
    expect((await h.call('DELETE', gke('clusters/saxml'))).status).toBe(200);
    h.advance(420);
    h.sandbox.faults.set({ cpuStockoutZones: [], degradedClusters: true });
    await h.call('POST', gke('clusters'), clusterBody());
    h.advance(420);
    expect((await h.call('GET', gke('clusters/saxml'))).body).toMatchObject({ status: 'DEGRADED', statusMessage: expect.any(String) });
  });

  it('refuses unknown locations, a TPU machine where its generation is not offered, and a disk type the machine series refuses', async () => {
    const h = harness();
    await networkStack(h);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['zone', { locations: [`${REGION}-z`] }, /Location "us-west1-z" does not exist/],
      ['n4 pd-standard', { nodePools: [{ name: 'n4', initialNodeCount: 1, config: { machineType: 'n4-standard-8', diskType: 'pd-standard' } }] }, /does not support disk type pd-standard/],
      ['c3 pd-standard', { nodePools: [{ name: 'c3', initialNodeCount: 1, config: { machineType: 'c3-standard-8', diskType: 'pd-standard' } }] }, /does not support disk type pd-standard/],
    ];
    for (const [, over, message] of cases) {
      const r = await h.call('POST', gke('clusters'), clusterBody(over));
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await h.call('POST', `/container/v1/projects/${PROJECT}/locations/us-west9/clusters`, clusterBody())).body.error.message).toBe('Location "us-west9" does not exist.');
    h.advance(0);
    expect((await h.call('POST', gke('clusters'), clusterBody())).status).toBe(200);
    h.advance(420);
    const v4 = await h.call('POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'v4', initialNodeCount: 1, locations: [`${REGION}-c`], config: { machineType: 'ct4p-hightpu-4t' } } });
    expect(v4.body.error.message).toBe("Machine type with name 'ct4p-hightpu-4t' does not exist in zone 'us-west1-c'.");
    const v5e = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool('v5e', [`${REGION}-a`]));
    expect(v5e.body.error.message).toBe("Machine type with name 'ct5lp-hightpu-4t' does not exist in zone 'us-west1-a'.");
  });

  it('refuses a cluster whose features need a disabled API: image streaming, Cloud DNS', async () => {
    const h = harness();
    await networkStack(h);
    const streaming = clusterBody({ nodePools: [{ name: 'p', initialNodeCount: 1, config: { machineType: 'n2-standard-8', gcfsConfig: { enabled: true } } }] });
    const refused = await h.call('POST', gke('clusters'), streaming);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ status: 'FAILED_PRECONDITION', message: expect.stringMatching(/^Image streaming \(gcfsConfig\) requires the Container File System API \(containerfilesystem\.googleapis\.com\)/) });
    const dns = clusterBody({ networkConfig: { dnsConfig: { clusterDns: 'CLOUD_DNS', clusterDnsScope: 'CLUSTER_SCOPE' } } });
    expect((await h.call('POST', gke('clusters'), dns)).body.error.message).toMatch(/requires the Cloud DNS API \(dns\.googleapis\.com\)/);
    await h.enable(PROJECT, 'containerfilesystem.googleapis.com', 'dns.googleapis.com');
    expect((await h.call('POST', gke('clusters'), clusterBody({ nodePools: streaming.cluster.nodePools, networkConfig: { dnsConfig: { clusterDns: 'CLOUD_DNS' } } }))).status).toBe(200);
  });

  it('needs actAs on the nodes\' service account: 403 until a Service Account User grant has propagated', async () => {
    const h = harness();
    await networkStack(h);
    const nodeSa = `nodes-sa@${PROJECT}.iam.gserviceaccount.com`;
    const AUTOMATION = `automation@${PROJECT}.iam.gserviceaccount.com`;
    const body = clusterBody({ nodePools: [{ name: 'p', initialNodeCount: 1, config: { machineType: 'n1-standard-8', serviceAccount: nodeSa } }] });
    expect((await h.call('POST', gke('clusters'), body)).body.error.message).toBe(`Service account "${nodeSa}" does not exist.`);
    await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'nodes-sa' });
    await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation' });
    h.advance(5);
    const crm = `/cloudresourcemanager/v1/projects/${PROJECT}`;
    await h.call('POST', `${crm}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/container.admin', members: [`serviceAccount:${AUTOMATION}`] }] } });
    h.advance(120);
    const denied = await h.call('POST', gke('clusters'), body, { as: AUTOMATION });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(`The user does not have access to service account "${nodeSa}". Ask a project owner to grant you the iam.serviceAccountUser role on the service account.`);
    await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts/${nodeSa}:setIamPolicy`, {
      policy: { bindings: [{ role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:${AUTOMATION}`] }] },
    });
    h.advance(119);
    expect((await h.call('POST', gke('clusters'), body, { as: AUTOMATION })).status).toBe(403);
    h.advance(1);
    expect((await h.call('POST', gke('clusters'), body, { as: AUTOMATION })).status).toBe(200);
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
