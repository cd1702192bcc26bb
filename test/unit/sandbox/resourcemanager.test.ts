import { describe, expect, it } from 'vitest';
import { clusterBody, gke, harness, networkStack, PROJECT, type Harness } from './helpers.js';

const CRM = `/cloudresourcemanager/v1/projects/${PROJECT}`;
const getPolicy = async (h: Harness) => (await h.call('POST', `${CRM}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } })).body;
const addMember = async (h: Harness, role: string, member: string) => {
  const p = await getPolicy(h);
  const bindings = [...(p.bindings ?? []), { role, members: [member] }];
  return h.call('POST', `${CRM}:setIamPolicy`, { policy: { ...p, bindings } });
};

describe('cloudresourcemanager', () => {
  it('gets a project with a stable derived number, or the configured one', async () => {
    const h = harness();
    const a = (await h.call('GET', CRM)).body;
    expect(a).toMatchObject({ projectId: PROJECT, lifecycleState: 'ACTIVE' });
    expect(a.projectNumber).toMatch(/^\d{12}$/);
    expect((await harness().call('GET', CRM)).body.projectNumber).toBe(a.projectNumber);
    const fixed = harness({ projects: { [PROJECT]: { projectNumber: '123456789012' } } });
    expect((await fixed.call('GET', CRM)).body.projectNumber).toBe('123456789012');
    expect((await fixed.call('GET', '/cloudresourcemanager/v1/projects/other-project')).status).toBe(403);
  });

  it('read-modify-writes the project policy; a stale etag is 409 ABORTED', async () => {
    const h = harness();
    const p0 = await getPolicy(h);
    expect((await addMember(h, 'roles/viewer', 'user:a@example.com')).status).toBe(200);
    const stale = await h.call('POST', `${CRM}:setIamPolicy`, { policy: { ...p0, bindings: [{ role: 'roles/viewer', members: ['user:b@example.com'] }] } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toBe('There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
    expect((await getPolicy(h)).bindings).toEqual([{ role: 'roles/viewer', members: ['user:a@example.com'] }]);
  });

  it('does not know a new service account for ≈5 simulated seconds (eventual consistency)', async () => {
    const h = harness({ timeScale: 0.5 });
    await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation' });
    const member = `serviceAccount:automation@${PROJECT}.iam.gserviceaccount.com`;
    const early = await addMember(h, 'roles/storage.admin', member);
    expect(early.status).toBe(400);
    expect(early.body.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: `Service account automation@${PROJECT}.iam.gserviceaccount.com does not exist.` });
    h.advance(5);
    expect((await addMember(h, 'roles/storage.admin', member)).status).toBe(200);
    expect((await addMember(h, 'roles/viewer', `serviceAccount:never@${PROJECT}.iam.gserviceaccount.com`)).status).toBe(400);
  });

  it('accepts the default accounts Google keeps in a project, and a service agent once generated', async () => {
    const h = harness();
    const number = (await h.call('GET', CRM)).body.projectNumber;
    for (const m of [`${number}@cloudbuild.gserviceaccount.com`, `${number}-compute@developer.gserviceaccount.com`]) {
      expect((await addMember(h, 'roles/bigquery.dataEditor', `serviceAccount:${m}`)).status).toBe(200);
    }
    const agent = `serviceAccount:service-${number}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    expect((await addMember(h, 'roles/bigquery.dataEditor', agent)).status).toBe(400);
    await h.enable(PROJECT, 'pubsub.googleapis.com');
    expect((await h.call('POST', `/serviceusage/v1beta1/projects/${PROJECT}/services/pubsub.googleapis.com:generateServiceIdentity`, {})).status).toBe(200);
    h.advance(5);
    expect((await addMember(h, 'roles/bigquery.dataEditor', agent)).status).toBe(200);
  });

  it('testIamPermissions answers the permissions the caller holds now: a grant counts once propagated', async () => {
    const h = harness({ timeScale: 0.5 });
    await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation' });
    h.advance(5);
    const sa = `automation@${PROJECT}.iam.gserviceaccount.com`;
    const test = async () => (await h.call('POST', `${CRM}:testIamPermissions`, { permissions: ['compute.networks.create', 'storage.buckets.create', 'resourcemanager.projects.setIamPolicy'] }, { as: sa })).body;
    expect(await test()).toEqual({});
    expect((await addMember(h, 'roles/compute.networkAdmin', `serviceAccount:${sa}`)).status).toBe(200);
    expect((await addMember(h, 'roles/storage.admin', `serviceAccount:${sa}`)).status).toBe(200);
    h.advance(119);
    expect(await test()).toEqual({});
    h.advance(1);
    expect(await test()).toEqual({ permissions: ['compute.networks.create', 'storage.buckets.create'] });
    // The owner (an organisation-level grant) holds everything at once; wildcards are refused.
    expect((await h.call('POST', `${CRM}:testIamPermissions`, { permissions: ['resourcemanager.projects.setIamPolicy'] })).body).toEqual({ permissions: ['resourcemanager.projects.setIamPolicy'] });
    expect((await h.call('POST', `${CRM}:testIamPermissions`, { permissions: ['storage.*'] })).status).toBe(400);
    // A revocation takes effect at once.
    const policy = await getPolicy(h);
    await h.call('POST', `${CRM}:setIamPolicy`, { policy: { ...policy, bindings: policy.bindings.filter((b: { role: string }) => b.role !== 'roles/storage.admin') } });
    expect(await test()).toEqual({ permissions: ['compute.networks.create'] });
  });

  it('starts a project policy at a realistic size (a few hundred bindings, conditional ones at version 3)', async () => {
    const h = harness({ seedBindings: undefined });
    const policy = await getPolicy(h);
    expect(policy.version).toBe(3);
    expect(policy.bindings.length).toBeGreaterThanOrEqual(200);
    expect(policy.bindings.some((b: { condition?: unknown }) => b.condition)).toBe(true);
    expect(JSON.stringify(policy).length).toBeGreaterThan(30_000);
  });

  it('accepts a workload identity member only once a cluster with workload identity exists', async () => {
    const h = harness();
    const member = `serviceAccount:${PROJECT}.svc.id.goog[saxml/saxml-ksa]`;
    const before = await addMember(h, 'roles/iam.workloadIdentityUser', member);
    expect(before.status).toBe(400);
    expect(before.body.error.message).toMatch(/^Identity Pool does not exist \(proj-1\.svc\.id\.goog\)/);
    await networkStack(h);
    expect((await h.call('POST', gke('clusters'), clusterBody())).status).toBe(200);
    expect((await addMember(h, 'roles/iam.workloadIdentityUser', member)).status).toBe(200);
  });

  it('rejects malformed members and unknown policy fields', async () => {
    const h = harness();
    expect((await addMember(h, 'roles/viewer', 'bob@example.com')).status).toBe(400);
    const r = await h.call('POST', `${CRM}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/viewer', members: ['user:a@x.com'], member: 'x' }] } });
    expect(r.body.error.message).toBe(`Invalid JSON payload received. Unknown name "member" at 'policy.bindings[0]': Cannot find field.`);
  });
});
