import { describe, expect, it } from 'vitest';
import { harness, PROJECT, type Harness } from './helpers.js';

const SA = `automation@${PROJECT}.iam.gserviceaccount.com`;
const WORKFLOW = `workflow@${PROJECT}.iam.gserviceaccount.com`;
const mint = (h: Harness, as = WORKFLOW, body: Record<string, unknown> = { scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' }) =>
  h.call('POST', `/iamcredentials/v1/projects/-/serviceAccounts/${encodeURIComponent(SA)}:generateAccessToken`, body, { as });

const TOKEN_CREATOR = 'roles/iam.serviceAccountTokenCreator';

async function withAutomationAccount(h: Harness, grantOn: 'sa' | 'project' | 'none') {
  await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation' });
  // Setup shortcut (no member validation), as the local composition root does for the workflow identity.
  if (grantOn === 'project') h.sandbox.identities.grantProjectRole(PROJECT, TOKEN_CREATOR, `serviceAccount:${WORKFLOW}`);
  if (grantOn === 'sa') {
    // Through the API: the workflow account must exist (and be propagated) to be bound.
    await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'workflow' });
    h.advance(5);
    const r = await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts/${SA}:setIamPolicy`, {
      policy: { bindings: [{ role: TOKEN_CREATOR, members: [`serviceAccount:${WORKFLOW}`] }] },
    });
    expect(r.status).toBe(200);
  }
}

describe('iamcredentials generateAccessToken (impersonation)', () => {
  it('mints a token for a caller holding Token Creator on the service account, once the grant has propagated', async () => {
    const h = harness();
    await withAutomationAccount(h, 'sa');
    // IAM: "Changes to allow or deny policies typically propagate in 2 minutes" — until then, 403.
    expect((await mint(h)).status).toBe(403);
    h.advance(119);
    expect((await mint(h)).status).toBe(403);
    h.advance(1);
    const r = await mint(h);
    expect(r.status).toBe(200);
    expect(r.body.accessToken).toMatch(/^ya29\./);
    expect(r.body.expireTime).toBe(new Date(h.now() + 3600_000).toISOString());
    expect(h.sandbox.identities.principalOf(r.body.accessToken)).toBe(SA);
  });

  it('mints a token for a caller holding Token Creator on the project', async () => {
    const h = harness();
    await withAutomationAccount(h, 'project');
    expect((await mint(h)).status).toBe(200);
  });

  it('denies a caller without the role, and hides whether the account exists', async () => {
    const h = harness();
    await withAutomationAccount(h, 'none');
    const denied = await mint(h);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({
      status: 'PERMISSION_DENIED',
      message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
    });
    expect(denied.body.error.details[0]).toMatchObject({ reason: 'IAM_PERMISSION_DENIED', metadata: { permission: 'iam.serviceAccounts.getAccessToken' } });
    const noSuch = await h.call('POST', `/iamcredentials/v1/projects/-/serviceAccounts/nobody@${PROJECT}.iam.gserviceaccount.com:generateAccessToken`, { scope: ['x'] }, { as: WORKFLOW });
    expect(noSuch.status).toBe(403);
  });

  it('acts as the service account until expireTime (simulated, scaled), then 401', async () => {
    const h = harness({ timeScale: 0.001 });
    await withAutomationAccount(h, 'project');
    const { accessToken } = (await mint(h, WORKFLOW, { scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '600s' })).body;
    // The account may do only what it is granted.
    expect((await h.call('POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'bucket-as-sa' }, { token: accessToken })).status).toBe(403);
    h.sandbox.identities.grantProjectRole(PROJECT, 'roles/storage.admin', `serviceAccount:${SA}`);
    const created = await h.call('POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'bucket-as-sa' }, { token: accessToken });
    expect(created.status).toBe(200);
    expect(h.sandbox.calls().at(-1)?.principal).toBe(SA);
    h.advance(600);
    const expired = await h.call('GET', '/storage/storage/v1/b/bucket-as-sa', undefined, { token: accessToken });
    expect(expired.status).toBe(401);
    expect(expired.body.error.status).toBe('UNAUTHENTICATED');
  });

  it('rejects a lifetime over an hour and an empty scope', async () => {
    const h = harness();
    await withAutomationAccount(h, 'project');
    expect((await mint(h, WORKFLOW, { scope: ['x'], lifetime: '7200s' })).status).toBe(400);
    expect((await mint(h, WORKFLOW, { scope: [] })).status).toBe(400);
  });
});

describe('sandbox identities', () => {
  it('answers 401 UNAUTHENTICATED without a token or with an unknown one', async () => {
    const h = harness();
    for (const token of [null, 'garbage', 'sandbox:not-an-email']) {
      const r = await h.call('GET', `/cloudresourcemanager/v1/projects/${PROJECT}`, undefined, { token });
      expect(r.status).toBe(401);
      expect(r.body.error.status).toBe('UNAUTHENTICATED');
    }
  });
});
