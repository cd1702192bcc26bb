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

  it('always accepts Google-managed service agents', async () => {
    const h = harness();
    const number = (await h.call('GET', CRM)).body.projectNumber;
    for (const m of [`service-${number}@gcp-sa-pubsub.iam.gserviceaccount.com`, `${number}@cloudbuild.gserviceaccount.com`, `${number}-compute@developer.gserviceaccount.com`]) {
      expect((await addMember(h, 'roles/bigquery.dataEditor', `serviceAccount:${m}`)).status).toBe(200);
    }
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
