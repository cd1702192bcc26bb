import { describe, expect, it } from 'vitest';
import { harness, PROJECT } from './helpers.js';

const SA = `automation@${PROJECT}.iam.gserviceaccount.com`;
const create = (accountId = 'automation', extra: Record<string, unknown> = {}) =>
  ['POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId, serviceAccount: { displayName: 'Automation', description: 'd' }, ...extra }] as const;

describe('iam service accounts', () => {
  it('creates, gets (also through projects/- and a %40-encoded email), conflicts and deletes', async () => {
    const h = harness();
    const created = await h.call(...create());
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: `projects/${PROJECT}/serviceAccounts/${SA}`,
      projectId: PROJECT,
      email: SA,
      displayName: 'Automation',
      description: 'd',
    });
    expect(created.body.uniqueId).toMatch(/^\d{21}$/);
    expect((await h.call('GET', `/iam/v1/projects/-/serviceAccounts/${encodeURIComponent(SA)}`)).body.email).toBe(SA);
    expect((await h.call('GET', `/iam/v1/projects/${PROJECT}/serviceAccounts/${created.body.uniqueId}`)).body.email).toBe(SA);

    const again = await h.call(...create());
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ status: 'ALREADY_EXISTS', message: `Service account automation already exists within project projects/${PROJECT}.` });

    expect((await h.call('DELETE', `/iam/v1/projects/${PROJECT}/serviceAccounts/${SA}`)).body).toEqual({});
    const gone = await h.call('GET', `/iam/v1/projects/${PROJECT}/serviceAccounts/${SA}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ status: 'NOT_FOUND', message: 'Unknown service account' });
    expect((await h.call('DELETE', `/iam/v1/projects/${PROJECT}/serviceAccounts/${SA}`)).status).toBe(404);
  });

  it('refuses a JSON body that is not an object (a POST sends `{}` at least)', async () => {
    const h = harness();
    await h.call(...create());
    const policy = `/iam/v1/projects/${PROJECT}/serviceAccounts/${SA}:getIamPolicy`;
    for (const raw of ['null', '[]']) {
      const r = await h.call('POST', policy, undefined, { raw });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: 'Invalid JSON payload received. Expected an object.' });
    }
    expect((await h.call('POST', policy, {})).status).toBe(200);
  });

  it.each(['short', 'Upper-case', '1starts-digit', 'ends-with-', 'x'.repeat(31)])('rejects account id %s', async (id) => {
    const h = harness();
    const r = await h.call(...create(id));
    expect(r.status).toBe(400);
    expect(r.body.error.status).toBe('INVALID_ARGUMENT');
  });

  it('rejects unknown fields, also nested in serviceAccount', async () => {
    const h = harness();
    const nested = await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation', serviceAccount: { displayname: 'x' } });
    expect(nested.body.error.message).toBe(`Invalid JSON payload received. Unknown name "displayname" at 'service_account': Cannot find field.`);
  });

  it('keeps a service account policy with etags: a stale etag is 409 ABORTED', async () => {
    const h = harness();
    await h.call(...create());
    const base = `/iam/v1/projects/${PROJECT}/serviceAccounts/${SA}`;
    const p0 = (await h.call('POST', `${base}:getIamPolicy`)).body;
    expect(p0.bindings).toBeUndefined();
    const binding = { role: 'roles/iam.serviceAccountTokenCreator', members: ['user:dev@example.com'] };
    const p1 = await h.call('POST', `${base}:setIamPolicy`, { policy: { bindings: [binding], etag: p0.etag } });
    expect(p1.status).toBe(200);
    expect(p1.body.bindings).toEqual([binding]);
    expect(p1.body.etag).not.toBe(p0.etag);
    const stale = await h.call('POST', `${base}:setIamPolicy`, { policy: { bindings: [], etag: p0.etag } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ status: 'ABORTED', message: expect.stringMatching(/^There were concurrent policy changes/) });
  });

  it('shows bindings of a deleted account as deleted:serviceAccount:…?uid=…', async () => {
    const h = harness();
    const { uniqueId } = (await h.call(...create())).body;
    h.advance(5);
    const crm = `/cloudresourcemanager/v1/projects/${PROJECT}`;
    await h.call('POST', `${crm}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/editor', members: [`serviceAccount:${SA}`] }] } });
    await h.call('DELETE', `/iam/v1/projects/${PROJECT}/serviceAccounts/${SA}`);
    const policy = (await h.call('POST', `${crm}:getIamPolicy`, {})).body;
    expect(policy.bindings).toEqual([{ role: 'roles/editor', members: [`deleted:serviceAccount:${SA}?uid=${uniqueId}`] }]);
  });
});
