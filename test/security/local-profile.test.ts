import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WORKFLOW_SERVICE_ACCOUNT } from '../../api/compose/local.js';
import { createSandbox } from '../../api/sandbox/index.js';
import { startLocalWorld, type LocalWorld } from '../support/local-world.js';

/** The local profile (review finding 9): the sandbox's own endpoints, its identities and its call log. */

const API_TOKEN = 'local-api-token-0123456789abcdef';
const WORKFLOW_SA_URL = `/iam/v1/projects/local-sandbox/serviceAccounts/${LOCAL_WORKFLOW_SERVICE_ACCOUNT}`;

describe('with API_TOKEN set', () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await startLocalWorld({ env: { API_TOKEN } });
  });
  afterAll(async () => world.stop());
  const withToken = { headers: { authorization: `Bearer ${API_TOKEN}` } };

  it.each([
    ['GET', '/_sandbox/inventory?include=settings'],
    ['GET', '/_sandbox/_calls'],
    ['GET', '/_sandbox/_faults'],
    ['PUT', '/_sandbox/_faults'],
    ['DELETE', '/_sandbox/_faults'],
    ['POST', '/_sandbox/_reset'],
    ['POST', '/_sandbox/_test/kubernetes/my-project-1/us-west1/demo-saxml-gke-cluster/objects'],
    ['POST', '/_sandbox/_test/buckets/demo-saxml-admin/objects'],
    ['GET', '/_sandbox/compute/../inventory'],
  ])('%s %s needs the token', async (method, path) => {
    const res = await world.request(path, { method, headers: { 'content-type': 'application/json' }, body: method === 'PUT' ? '{}' : undefined });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers with the token', async () => {
    expect((await world.request('/_sandbox/inventory', withToken)).status).toBe(200);
    expect((await world.request('/_sandbox/_calls', withToken)).status).toBe(200);
  });

  it('the simulated Google APIs keep their own bearer tokens (API_TOKEN is not one of them)', async () => {
    const sandboxBearer = world.sandbox.identities.authorization(LOCAL_WORKFLOW_SERVICE_ACCOUNT);
    expect((await world.request(`/_sandbox${WORKFLOW_SA_URL}`, { headers: { authorization: sandboxBearer } })).status).toBe(200);
    expect((await world.request(`/_sandbox${WORKFLOW_SA_URL}`, withToken)).status).toBe(401);
  });
});

describe('the sandbox’s identities', () => {
  it('refuses a bearer written by hand for the workflow identity', async () => {
    const sandbox = createSandbox({ timeScale: 0 });
    const forged = await sandbox.app.request(WORKFLOW_SA_URL, { headers: { authorization: `Bearer sandbox:${LOCAL_WORKFLOW_SERVICE_ACCOUNT}` } });
    expect(forged.status).toBe(401);
    const wrongSignature = sandbox.identities.authorization('someone@example.com').replace('someone', 'saxml-workflow');
    expect((await sandbox.app.request(WORKFLOW_SA_URL, { headers: { authorization: wrongSignature } })).status).toBe(401);
    const issued = await sandbox.app.request(WORKFLOW_SA_URL, { headers: { authorization: sandbox.identities.authorization(LOCAL_WORKFLOW_SERVICE_ACCOUNT) } });
    // Authenticated (not 401); IAM then refuses a caller without a role, whether or not the account exists.
    expect(issued.status).toBe(403);
  });

  it('a bearer of one sandbox is worthless in another', async () => {
    const [a, b] = [createSandbox({ timeScale: 0 }), createSandbox({ timeScale: 0 })];
    const res = await b.app.request(WORKFLOW_SA_URL, { headers: { authorization: a.identities.authorization(LOCAL_WORKFLOW_SERVICE_ACCOUNT) } });
    expect(res.status).toBe(401);
  });
});

describe('the call log', () => {
  it('is a bounded ring: the newest calls, numbered on', async () => {
    const sandbox = createSandbox({ timeScale: 0, callLogCapacity: 3 });
    const auth = { headers: { authorization: sandbox.identities.authorization('ci@example.com') } };
    for (let i = 0; i < 5; i++) await sandbox.app.request(`/storage/storage/v1/b/bucket-${i}`, auth);
    expect(sandbox.calls().map((c) => [c.seq, c.path])).toEqual([
      [3, '/storage/storage/v1/b/bucket-2'], [4, '/storage/storage/v1/b/bucket-3'], [5, '/storage/storage/v1/b/bucket-4'],
    ]);
  });
});
