import { ClusterManagerClient } from '@google-cloud/container';
import { IAMCredentialsClient } from '@google-cloud/iam-credentials';
import { OAuth2Client } from 'google-auth-library';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gkeClusters, googleCredentials } from '../../../api/kubernetes/gke.js';
import { kubeClusters } from '../../../api/kubernetes/kube.js';
import { ClusterAccessError, KubernetesApiError, type ClusterClient, type ClusterTarget } from '../../../api/kubernetes/port.js';
import { IAM_PROPAGATION_SECONDS } from '../../../api/sandbox/index.js';
import { sandboxCredentials } from '../../../api/sandbox/kubernetes/credentials.js';
import { LB_FINALIZER } from '../../../api/sandbox/kubernetes/cluster.js';
import { PROJECT, REGION, clusterBody, gke, harness, networkStack, type Harness } from '../../unit/sandbox/helpers.js';

/**
 * The cluster-client port on its real libraries: the GKE adapter's Container and IAM Credentials
 * clients (REST transport, explicit credentials, no metadata server) against the sandbox's APIs,
 * and @kubernetes/client-node against the sandbox cluster's fake Kubernetes API over HTTPS with
 * the cluster's own CA. The sandbox's clock is a fake one, moved in simulated seconds.
 */

const SERVICE = 'saxml-api@svc-project.iam.gserviceaccount.com';
const AUTOMATION = `saxml-automation@${PROJECT}.iam.gserviceaccount.com`;
const TARGET: ClusterTarget = { project: PROJECT, location: REGION, cluster: 'saxml', serviceAccount: AUTOMATION };
const OWNED = { 'app.kubernetes.io/managed-by': 'saxml-environments', 'saxml-environments.io/environment': 'env-1' };

let h: Harness;
let google: Server;
let port: number;

beforeAll(async () => {
  h = harness({ timeScale: 0.001 });
  await networkStack(h);
  const pools = [
    { name: 'admin', initialNodeCount: 1, locations: [`${REGION}-c`], config: { machineType: 'n1-standard-8', labels: { role: 'admin' }, taints: [{ key: 'admin', value: 'true', effect: 'NO_SCHEDULE' }] } },
  ];
  expect((await h.call('POST', gke('clusters'), clusterBody({ nodePools: pools, locations: [`${REGION}-c`] }))).status).toBe(200);
  h.advance(420);
  expect((await h.call('POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'tpu', initialNodeCount: 1, locations: [`${REGION}-c`], config: { machineType: 'ct5lp-hightpu-4t' } } })).status).toBe(200);
  for (const [project, accountId] of [['svc-project', 'saxml-api'], [PROJECT, 'saxml-automation']] as const) {
    expect((await h.call('POST', `/iam/v1/projects/${project}/serviceAccounts`, { accountId })).status).toBe(200);
  }
  h.sandbox.identities.grantProjectRole(PROJECT, 'roles/container.admin', `serviceAccount:${AUTOMATION}`);
  // As infra/iam.tf grants this service's identity in every target project, long before any create.
  h.sandbox.identities.grantProjectRole(PROJECT, 'roles/container.clusterViewer', `serviceAccount:${SERVICE}`);
  h.advance(10);
  // Google's REST endpoints for the real clients: one local server in front of the sandbox.
  google = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const service = req.url!.includes('/serviceAccounts/') ? 'iamcredentials' : 'container';
    const answer = await h.sandbox.app.request(`/${service}${req.url}`, {
      method: req.method, headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
      ...(chunks.length && { body: Buffer.concat(chunks).toString() }),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  });
  await new Promise<void>((resolve) => google.listen(0, '127.0.0.1', resolve));
  port = (google.address() as AddressInfo).port;
});

afterAll(async () => {
  h.sandbox.close();
  await new Promise<void>((resolve) => google.close(() => resolve()));
});

/** Google's clients aimed at the local server, as `identity` (this service's by default). */
function clients(identity = SERVICE) {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: h.sandbox.identities.bearer(identity) });
  // google-gax types its own copy of google-auth-library's client; the instance is the same kind.
  const options = { fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port, authClient: authClient as never } as const;
  return { container: new ClusterManagerClient(options), iamCredentials: new IAMCredentialsClient(options), now: h.now };
}

/** The GKE adapter as this service's identity. */
const adapter = () => gkeClusters(clients());

/** Grants this service token-creator on the automation account, and waits until IAM has propagated it. */
async function grantTokenCreator() {
  const res = await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts/${AUTOMATION}:setIamPolicy`, {
    policy: { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${SERVICE}`] }] },
  });
  h.advance(IAM_PROPAGATION_SECONDS);
  return res;
}

describe('the GKE adapter (container getCluster, iam-credentials generateAccessToken, client-node)', () => {
  it('is refused the cluster without container.clusterViewer in its project', async () => {
    await expect(googleCredentials(clients('someone@example.com')).endpoint(TARGET))
      .rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('roles/container.clusterViewer') });
  });

  it('is refused a token for the automation account until this service holds token-creator on it, then applies server-side', async () => {
    await expect(adapter().open(TARGET)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('serviceAccountTokenCreator') });
    expect((await grantTokenCreator()).status).toBe(200);
    const client = await adapter().open(TARGET);
    const ns = await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'saxml', labels: OWNED } });
    expect(ns.metadata).toMatchObject({ name: 'saxml', labels: OWNED, uid: expect.any(String) });
    expect(ns.metadata!.managedFields).toEqual([expect.objectContaining({ manager: 'saxml-environments', operation: 'Apply' })]);
    expect(h.sandbox.calls().filter((c) => c.path.includes(':generateAccessToken')).at(-1)).toMatchObject({ status: 200, principal: SERVICE });
  });

  it('refuses a target whose parts are not Google names before any call (they become resource names and URL paths)', async () => {
    const before = h.sandbox.calls().length;
    for (const bad of [{ cluster: '../saxml' }, { project: 'my-project/../other' }, { location: 'us-west1?x=1' }, { serviceAccount: 'someone@example.com' }]) {
      const part = Object.keys(bad)[0]!;
      await expect(adapter().open({ ...TARGET, ...bad })).rejects.toThrow(`cluster target: ${part} `);
    }
    expect(h.sandbox.calls().length).toBe(before);
  });

  it('cannot open a cluster that does not exist', async () => {
    await expect(adapter().open({ ...TARGET, cluster: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the fake Kubernetes API, through client-node', () => {
  let client: ClusterClient;
  beforeAll(async () => {
    await grantTokenCreator();
    client = await kubeClusters(sandboxCredentials(async () => h.sandbox, SERVICE, h.now)).open(TARGET);
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'saxml', labels: OWNED } });
  });

  it('verifies TLS against the cluster’s own CA: another CA is refused', async () => {
    const other = h.sandbox.kubernetes.cluster(PROJECT, REGION, 'saxml')!;
    const wrongCa = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    const credentials = { endpoint: async () => ({ endpoint: other.rec.endpoint, caBase64: wrongCa }), token: async () => h.sandbox.identities.bearer(AUTOMATION) };
    const untrusted = await kubeClusters(credentials).open(TARGET);
    await expect(untrusted.get({ apiVersion: 'v1', kind: 'Namespace', name: 'saxml' })).rejects.toBeInstanceOf(ClusterAccessError);
  });

  it('refuses callers without a Kubernetes Engine role on the project (403) and unknown tokens (401)', async () => {
    const as = (token: string) => kubeClusters({ endpoint: sandboxCredentials(async () => h.sandbox, SERVICE, h.now).endpoint, token: async () => token }).open(TARGET);
    await expect((await as(h.sandbox.identities.bearer('nobody@example.com'))).get({ apiVersion: 'v1', kind: 'Namespace', name: 'saxml' }))
      .rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('403') });
    await expect((await as('ya29.not-a-token')).get({ apiVersion: 'v1', kind: 'Namespace', name: 'saxml' }))
      .rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('401') });
  });

  it('server-side apply: create, update (a field left out is removed), a conflict with another manager, an immutable Job template', async () => {
    const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p', namespace: 'saxml', labels: OWNED }, data });
    await client.apply(cm({ A: '1', B: '2' }));
    const updated = await client.apply(cm({ A: '3' }));
    expect(updated.data).toEqual({ A: '3' });
    // Another manager (the test API) took the field over; this service's forced apply takes it back.
    h.sandbox.kubernetes.createObject(PROJECT, REGION, 'saxml', cm({ A: 'theirs' }) as never);
    expect((await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'p', namespace: 'saxml' }))!.data).toEqual({ A: 'theirs' });
    const taken = await client.apply(cm({ A: 'mine' }));
    expect(taken.data).toEqual({ A: 'mine' });
    expect((taken.metadata!.managedFields as { manager: string }[]).map((f) => f.manager).sort()).toEqual(['sandbox-test', 'saxml-environments']);
    const job = (image: string) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'saxml', labels: OWNED },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image }] } } } });
    await client.apply(job('a:1'));
    await expect(client.apply(job('a:2'))).rejects.toMatchObject({ code: 422, reason: 'Invalid', message: expect.stringContaining('field is immutable') });
    expect((await client.list('v1', 'ConfigMap', { namespace: 'saxml', labelSelector: 'saxml-environments.io/environment=env-1' })).map((o) => o.metadata!.name)).toEqual(['p']);
    expect(await client.list('v1', 'ConfigMap', { namespace: 'saxml', labelSelector: 'saxml-environments.io/environment=env-2' })).toEqual([]);
    expect(await client.delete({ apiVersion: 'batch/v1', kind: 'Job', name: 'j', namespace: 'saxml' })).toBe('deleted');
    expect(await client.delete({ apiVersion: 'batch/v1', kind: 'Job', name: 'j', namespace: 'saxml' })).toBe('absent');
    await expect(client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'missing' } })).rejects.toBeInstanceOf(KubernetesApiError);
  });

  it('schedules only where selectors, taints and capacity allow, with Kubernetes’ text; pulls the image, then the pod is ready', async () => {
    const deploy = (name: string, spec: Record<string, unknown>) => client.apply({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'saxml', labels: OWNED },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } },
    });
    const container = { name: 'c', image: 'us-docker.pkg.dev/cloud-tpu-images/inference/sax-admin-server:v1.1.0', resources: { requests: { cpu: '1', memory: '1Gi' } } };
    await deploy('admin', { nodeSelector: { role: 'admin' }, tolerations: [{ key: 'admin', operator: 'Equal', value: 'true', effect: 'NoSchedule' }], containers: [container] });
    await deploy('untolerated', { nodeSelector: { role: 'admin' }, containers: [container] });
    await deploy('tpu', { nodeSelector: { 'cloud.google.com/gke-tpu-topology': '2x2', 'cloud.google.com/gke-tpu-accelerator': 'tpu-v5-lite-podslice' },
      containers: [{ ...container, resources: { requests: { cpu: '1', memory: '1Gi', 'google.com/tpu': '4' } } }] });
    const podsOf = async (app: string) => (await client.list('v1', 'Pod', { namespace: 'saxml', labelSelector: `app=${app}` }))[0] as never as { status: { phase: string; conditions: { type: string; status: string; message?: string }[] } };

    expect((await podsOf('admin')).status.conditions[0]).toMatchObject({ type: 'PodScheduled', status: 'True' });
    expect((await podsOf('untolerated')).status.conditions[0]).toMatchObject({
      type: 'PodScheduled', status: 'False',
      message: '0/1 nodes are available: 1 node(s) had untolerated taint {admin: true}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    });
    // The TPU pool is still being created: nothing fits yet; once its node is up, the pod goes there.
    expect((await podsOf('tpu')).status.conditions[0]!.status).toBe('False');
    h.advance(300);
    expect((await podsOf('tpu')).status.conditions[0]!.status).toBe('True');
    const admin = await client.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'admin', namespace: 'saxml' });
    expect((admin!.status as { availableReplicas: number }).availableReplicas).toBe(1);
  });

  it('gives a LoadBalancer Service an address and a forwarding rule, and removes both (and the cleanup finalizer) on delete', async () => {
    await client.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb', namespace: 'saxml', labels: OWNED }, spec: { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 8080 }] } });
    const rules = () => h.sandbox.inventory().filter((i) => i.type === 'compute.forwardingRule');
    expect(rules()).toEqual([]);
    h.advance(60);
    const lb = await client.get({ apiVersion: 'v1', kind: 'Service', name: 'lb', namespace: 'saxml' });
    expect((lb!.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0]!.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(lb!.metadata!.finalizers).toEqual([LB_FINALIZER]);
    expect(rules()).toHaveLength(1);
    await client.delete({ apiVersion: 'v1', kind: 'Service', name: 'lb', namespace: 'saxml' });
    expect((await client.get({ apiVersion: 'v1', kind: 'Service', name: 'lb', namespace: 'saxml' }))!.metadata!.deletionTimestamp).toBeTruthy();
    h.advance(45);
    expect(await client.get({ apiVersion: 'v1', kind: 'Service', name: 'lb', namespace: 'saxml' })).toBeUndefined();
    expect(rules()).toEqual([]);
  });

  it('terminates a namespace: content deleted, held by a finalizer until it is removed, then gone', async () => {
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held', labels: OWNED } });
    await client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'held', labels: OWNED, finalizers: ['example.com/hold'] } });
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'held' });
    await expect(client.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new', namespace: 'held' } }))
      .rejects.toMatchObject({ code: 403, reason: 'Forbidden', message: 'unable to create new content in namespace held because it is being terminated' });
    h.advance(60);
    const ns = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'held' });
    expect((ns!.status as { phase: string }).phase).toBe('Terminating');
    expect((ns!.status as { conditions: { type: string; message: string }[] }).conditions.find((c) => c.type === 'NamespaceFinalizersRemaining')!.message)
      .toBe('Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    expect(await client.clearFinalizers({ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'held' })).toBe('cleared');
    h.advance(10);
    expect(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'held' })).toBeUndefined();
  });
});

describe('IAM on the fake Kubernetes API', () => {
  // A sandbox of its own: waiting out propagation moves its clock, which the tests above share.
  let own: Harness;
  beforeAll(async () => {
    own = harness({ timeScale: 0.001 });
    await networkStack(own);
    expect((await own.call('POST', gke('clusters'), clusterBody({ locations: [`${REGION}-c`] }))).status).toBe(200);
    own.advance(420);
    own.sandbox.identities.grantProjectRole(PROJECT, 'roles/container.clusterViewer', `serviceAccount:${SERVICE}`);
  });
  afterAll(() => own.sandbox.close());

  it('lets a Kubernetes Engine role in only once its grant has propagated (403 meanwhile)', async () => {
    const developer = 'developer@example.com';
    const crm = `/cloudresourcemanager/v1/projects/${PROJECT}`;
    const policy = (await own.call('POST', `${crm}:getIamPolicy`, {})).body as { bindings?: unknown[]; etag: string };
    const granted = await own.call('POST', `${crm}:setIamPolicy`, {
      policy: { ...policy, bindings: [...(policy.bindings ?? []), { role: 'roles/container.developer', members: [`user:${developer}`] }] },
    });
    expect(granted.status).toBe(200);
    const asDeveloper = await kubeClusters({
      endpoint: sandboxCredentials(async () => own.sandbox, SERVICE, own.now).endpoint,
      token: async () => own.sandbox.identities.bearer(developer),
    }).open({ ...TARGET, cluster: 'saxml' });
    await expect(asDeveloper.list('v1', 'Node')).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('403') });
    own.advance(IAM_PROPAGATION_SECONDS);
    expect((await asDeveloper.list('v1', 'Node')).length).toBeGreaterThan(0);
  });
});
