import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WORKFLOW_SERVICE_ACCOUNT } from '../../api/compose/local.js';
import type { EnvironmentRecord } from '../../api/domain/environment.js';
import { buildPlan } from '../../api/domain/plan/index.js';
import type { Ownership, ResourceStep } from '../../api/domain/plan/types.js';
import type { NormalisedSpec } from '../../api/domain/spec.js';
import { buildTestApp, json } from '../support/app.js';
import { jsonOf, problemOf } from '../support/bodies.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { worldPerTest, type LocalWorld } from '../support/local-world.js';

/**
 * An environment touches only what it owns (review findings 2 and 3): every resource it creates
 * carries its mark; an existing resource without the mark is never adopted (the step fails
 * ALREADY_EXISTS) nor deleted (left alone, and the event log says so); no two live environments
 * name the same resource; bootstrap resources are spec.project's only.
 */

const SPEC = { ...SMALLEST_SPEC, saxml: { enabled: false } };
const startWorld = worldPerTest();
/** Whoever calls Google below as `google()` does: an owner of the projects the tests use (the sandbox checks every caller's roles). */
const OUTSIDER = 'owner@example.com';

async function world(): Promise<LocalWorld> {
  const w = await startWorld();
  for (const project of ['my-project-1', 'team-a-proj', 'team-b-proj']) w.sandbox.identities.grantProjectRole(project, 'roles/owner', `user:${OUTSIDER}`);
  return w;
}

async function create(w: LocalWorld, spec: Record<string, unknown>): Promise<EnvironmentRecord> {
  const res = await w.request('/environments', json(spec));
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = await jsonOf<{ id: string }>(res);
  return w.settle(id);
}

async function remove(w: LocalWorld, id: string, query = ''): Promise<EnvironmentRecord> {
  expect((await w.request(`/environments/${id}${query}`, { method: 'DELETE' })).status).toBe(202);
  return w.settle(id);
}

/** A call to the simulated Google APIs as someone outside the service (not through any environment). */
const google = (w: LocalWorld, method: string, path: string, body?: unknown, as = OUTSIDER) =>
  w.request(`/_sandbox${path}`, {
    method,
    headers: { authorization: w.sandbox.identities.authorization(as), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const events = async (w: LocalWorld, id: string) =>
  (await jsonOf<{ events: { type: string; step?: string; message: string }[] }>(await w.request(`/environments/${id}/events?pageSize=100`))).events;

/** What the workflow's `owned` subworkflow decides, on a resource as its GET returns it. */
function owned(owner: Ownership, resource: unknown, captured: Record<string, string>): boolean {
  return owner.checks.every((check) => {
    const value = check.path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), resource);
    if (check.equals !== undefined) return value === check.equals.replace('{{projectNumber}}', captured.projectNumber ?? '');
    return JSON.stringify(value ?? null).includes(check.contains!);
  });
}

describe('marks', () => {
  it('every resource a create makes carries the environment’s (or the bootstrap’s) mark where the workflow reads it', async () => {
    const w = await world();
    const env = await create(w, { ...SPEC, network: { nat: true } });
    expect(env.state).toBe('ACTIVE');
    const plan = buildPlan(env.spec as NormalisedSpec, {
      kind: 'create', apis: w.runtime.deps.google.apis(), apiBase: w.runtime.deps.apiBase(), environmentId: env.id,
      workflowServiceAccount: LOCAL_WORKFLOW_SERVICE_ACCOUNT, serviceAccount: w.runtime.deps.google.serviceAccount, includeBootstrap: true, purgeData: false,
    });
    const project = await jsonOf<{ projectNumber: string }>(await google(w, 'GET', `/cloudresourcemanager/v1/projects/${env.project}`));
    const marked = plan.steps.filter((s): s is ResourceStep & { owner: Ownership } => s.kind === 'resource' && !!s.owner);
    // Every resource the plan creates at a URL has an owner check.
    expect(plan.steps.filter((s) => s.kind === 'resource' && s.create && s.get && !s.owner).map((s) => s.id)).toEqual([]);
    // network, subnet, router, 2 accounts, 2 buckets, registry, cluster, TPU pool, 5 perf resources,
    // and the bootstrap's account and bucket.
    expect(marked).toHaveLength(17);
    for (const step of marked) {
      // Read as the step's own identity, as the workflow reads it.
      const as = step.as === 'workflow' ? LOCAL_WORKFLOW_SERVICE_ACCOUNT : plan.automation.serviceAccount;
      const res = await fetch(step.get!.url.replace("{{projectNumber}}", project.projectNumber), { headers: { authorization: w.sandbox.identities.authorization(as) } });
      expect(res.status, step.id).toBe(200);
      expect(owned(step.owner, await res.json(), { projectNumber: project.projectNumber }), step.id).toBe(true);
    }
    // And a mark is specific: another environment's id does not pass.
    const other = buildPlan(env.spec as NormalisedSpec, {
      kind: 'create', apis: w.runtime.deps.google.apis(), apiBase: w.runtime.deps.apiBase(), environmentId: 'env-01jzzzzzzzzzzzzzzzzzzzzzzz',
      workflowServiceAccount: LOCAL_WORKFLOW_SERVICE_ACCOUNT, serviceAccount: w.runtime.deps.google.serviceAccount, includeBootstrap: true, purgeData: false,
    });
    const cluster = other.steps.find((s) => s.id === 'base.cluster') as ResourceStep & { owner: Ownership };
    const body = await (await fetch(cluster.get!.url, { headers: { authorization: w.sandbox.identities.authorization(plan.automation.serviceAccount) } })).json();
    expect(owned(cluster.owner, body, {})).toBe(false);
  });
});

describe('an existing resource without the mark', () => {
  it('fails the create with ALREADY_EXISTS naming it and how to proceed; the delete leaves it alone and says so', async () => {
    const w = await world();
    // Someone's own bucket, with the name the environment would derive.
    expect((await google(w, 'POST', '/storage/storage/v1/b?project=my-project-1', { name: 'my-project-1-demo-saxml-admin', location: 'US' })).status).toBe(200);
    const env = await create(w, SPEC);
    expect(env.state).toBe('FAILED');
    expect(env.operation?.error).toMatchObject({ code: 'ALREADY_EXISTS', step: 'base.bucket.admin' });
    expect(env.operation?.error?.message).toContain('bucket gs://my-project-1-demo-saxml-admin already exists and was not made by environment');
    expect(env.operation?.error?.hint).toContain('buckets.admin');
    // Nothing was granted on it.
    const policy = await jsonOf<{ bindings: { members: string[] }[] }>(await google(w, 'GET', '/storage/storage/v1/b/my-project-1-demo-saxml-admin/iam'));
    expect(JSON.stringify(policy.bindings)).not.toContain('demo-');

    const deleted = await remove(w, env.id, '?deleteBootstrap=true');
    expect(deleted.state).toBe('DELETED');
    expect((await google(w, 'GET', '/storage/storage/v1/b/my-project-1-demo-saxml-admin')).status).toBe(200);
    const leftAlone = (await events(w, env.id)).find((e) => e.step === 'base.bucket.admin' && e.message.includes('left alone'));
    expect(leftAlone?.message).toContain('does not carry the [saxml-environment=');
  });

  it('a service account someone else made under the automation account’s id is never given the automation roles', async () => {
    const w = await world();
    await google(w, 'POST', '/iam/v1/projects/my-project-1/serviceAccounts', { accountId: 'prod-deployer', serviceAccount: { displayName: 'Production' } });
    const env = await create(w, { ...SPEC, bootstrap: { automationServiceAccount: 'prod-deployer' } });
    expect(env.operation?.error).toMatchObject({ code: 'ALREADY_EXISTS', step: 'bootstrap.automation-sa' });
    const policy = await jsonOf<{ bindings?: { members: string[] }[] }>(
      await google(w, 'POST', '/cloudresourcemanager/v1/projects/my-project-1:getIamPolicy', {}));
    expect(JSON.stringify(policy.bindings ?? [])).not.toContain('prod-deployer@');
    await remove(w, env.id, '?deleteBootstrap=true');
    expect((await google(w, 'GET', '/iam/v1/projects/my-project-1/serviceAccounts/prod-deployer@my-project-1.iam.gserviceaccount.com')).status).toBe(200);
  });
});

describe('on the cluster, Kubernetes objects without the environment’s labels', () => {
  const CLUSTER = 'kubernetes/my-project-1/us-west1/demo-saxml-gke-cluster';
  const testApi = (w: LocalWorld, rest: string, body: unknown) =>
    w.request(`/_sandbox/_test/${rest}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('are not adopted (the cell fails NOT_ADOPTED naming them) and survive the delete', async () => {
    const w = await world();
    // The create stops before the cell with the cluster made (reading its create operation is refused)…
    w.sandbox.faults.set({ permissionDenied: [{ method: 'container.operations.get' }] });
    const failed = await create(w, SMALLEST_SPEC);
    expect(failed.operation?.error).toMatchObject({ step: 'base.cluster', code: 'PERMISSION_DENIED' });
    // …where someone else's parameters already sit in the namespace the cell would use.
    const theirs = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'saxml-parameters', namespace: 'saxml', labels: { team: 'other' } }, data: { owner: 'other' } };
    const ns = await testApi(w, `${CLUSTER}/objects`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'saxml' } });
    expect(ns.status, await ns.clone().text()).toBe(201);
    expect((await testApi(w, `${CLUSTER}/objects`, theirs)).status).toBe(201);

    w.sandbox.faults.clear();
    expect((await w.request(`/environments/${failed.id}/retry`, { method: 'POST' })).status).toBe(202);
    const refused = await w.settle(failed.id);
    expect(refused.state).toBe('FAILED');
    expect(refused.operation?.error).toMatchObject({ code: 'NOT_ADOPTED', stage: 'saxml', step: 'saxml.cell' });
    expect(refused.operation?.error?.message).toContain('Namespace saxml, ConfigMap saxml/saxml-parameters already exist on the cluster without this environment');
    const onCluster = async () => (await jsonOf<{ resources: { type: string; name: string }[] }>(await w.request('/_sandbox/inventory'))).resources
      .filter((r) => r.type.startsWith('kubernetes.')).map((r) => `${r.type} ${r.name}`);
    // Nothing of the cell was applied beside them.
    expect((await onCluster()).sort()).toEqual(['kubernetes.ConfigMap demo-saxml-gke-cluster/saxml/saxml-parameters', 'kubernetes.Namespace demo-saxml-gke-cluster/saxml']);

    // The teardown deletes only what carries the environment's labels: nothing here.
    const deleted = await remove(w, failed.id);
    expect(deleted.state).toBe('DELETED');
    const newest = await jsonOf<{ events: { type: string; message: string }[] }>(await w.request(`/environments/${failed.id}/events?pageSize=100&order=desc`));
    const teardown = newest.events.filter((e) => e.type === 'saxml.changed').map((e) => e.message);
    expect(teardown).toContainEqual(expect.stringContaining('no object of this environment is left in namespace saxml (not ours: kept)'));
  });
});

describe('bootstrap resources live in spec.project only', () => {
  it('a spec for project A can neither grant on nor delete the automation bucket of project B', async () => {
    const w = await world();
    const b = await create(w, { ...SPEC, name: 'bee', project: 'team-b-proj' });
    expect(b.state).toBe('ACTIVE');
    const bucket = '/storage/storage/v1/b/team-b-proj-saxml-automation';
    const before = await jsonOf(await google(w, 'GET', `${bucket}/iam`));

    const a = await create(w, { ...SPEC, name: 'aye', project: 'team-a-proj', bootstrap: { automationBucket: 'team-b-proj-saxml-automation' } });
    expect(a.operation?.error).toMatchObject({ code: 'ALREADY_EXISTS', step: 'bootstrap.automation-bucket' });
    expect(a.operation?.error?.hint).toContain('bootstrap.automationBucket');
    expect(await jsonOf(await google(w, 'GET', `${bucket}/iam`))).toEqual(before);

    expect((await remove(w, a.id, '?deleteBootstrap=true')).state).toBe('DELETED');
    expect((await google(w, 'GET', bucket)).status).toBe(200);
  });

  it('a bucket of another project is refused even when it carries a copied bootstrap label (its projectNumber decides)', async () => {
    const w = await world();
    await google(w, 'POST', '/storage/storage/v1/b?project=team-b-proj', { name: 'copied-label-bucket', location: 'US', labels: { 'saxml-bootstrap': 'team-a-proj' } });
    const a = await create(w, { ...SPEC, name: 'aye', project: 'team-a-proj', bootstrap: { automationBucket: 'copied-label-bucket' } });
    expect(a.operation?.error).toMatchObject({ code: 'ALREADY_EXISTS', step: 'bootstrap.automation-bucket' });
  });
});

describe('names another live environment uses', () => {
  const { app } = buildTestApp();
  beforeAll(async () => {
    expect((await app.request('/environments', json({ ...SPEC, name: 'victim' }))).status).toBe(202);
  });

  it.each([
    ['$.cluster.name', { cluster: { ...SPEC.cluster, name: 'victim-saxml-gke-cluster' } }],
    ['$.network.name', { network: { name: 'victim-saxml-gke-cluster-network' } }],
    ['$.network.subnetName', { network: { subnetName: 'victim-saxml-gke-cluster-subnet' } }],
    ['$.network.existing.network', { network: { existing: { network: 'victim-saxml-gke-cluster-network', subnet: 's', podsRangeName: 'p', servicesRangeName: 'q' } } }],
    ['$.buckets.admin', { buckets: { admin: 'my-project-1-victim-saxml-model-repository' } }],
    ['$.serviceAccounts.nodePool.accountId', { serviceAccounts: { nodePool: { accountId: 'victim-saxml-wid-sa' } } }],
    ['$.artifactRegistry.name', { artifactRegistry: { name: 'victim-serving-images' } }],
  ])('%s → 422', async (path, override) => {
    for (const query of ['?validateOnly=true', '']) {
      const res = await app.request(`/environments${query}`, json({ ...SPEC, name: 'attacker', ...override }));
      expect(res.status).toBe(422);
      const problem = await problemOf(res);
      expect(problem.errors?.find((e) => e.path === path)?.message).toMatch(/is already used by environment victim \(env-/);
    }
  });

  it('a name a DELETED environment used is free again, and environments sharing an existing network do not collide', async () => {
    const { app: fresh, store } = buildTestApp();
    const shared = { existing: { network: 'shared-vpc', subnet: 'shared', podsRangeName: 'pods', servicesRangeName: 'services' } };
    expect((await fresh.request('/environments', json({ ...SPEC, name: 'one', network: shared }))).status).toBe(202);
    expect((await fresh.request('/environments', json({ ...SPEC, name: 'two', network: shared }))).status).toBe(202);
    const [two] = (await store.list({ pageSize: 1 })).items;
    await store.update(two!.id, (c) => ({ record: { ...c, state: 'DELETED' } }));
    expect((await fresh.request('/environments', json({ ...SPEC, name: 'three', cluster: { ...SPEC.cluster, name: 'two-saxml-gke-cluster' } }))).status).toBe(202);
  });
});
