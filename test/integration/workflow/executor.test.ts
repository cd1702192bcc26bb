/**
 * The plan executor (workflows/environment.workflows.yaml) run end to end on the local engine
 * against a fake world (fake-world.ts): the API's internal routes, Google APIs with long-running
 * operations, 409/404/503, IAM etags, IAM propagation and a token endpoint — all on 127.0.0.1 with
 * virtual time, so every run is deterministic and instant.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiStep, IamBindingStep, Plan, PlanStep, ResourceStep, Schedule } from '../../../api/domain/plan/types.js';
import { AUTOMATION_SA, FakePolicy, FakeWorld, OAUTH2_TOKEN, computeOp, containerOp, googleError } from './fake-world.js';

let w: FakeWorld;
beforeEach(async () => {
  w = await new FakeWorld().start();
});
afterEach(async () => {
  await w.stop();
});

const WF_MEMBER = 'serviceAccount:workflow@p.iam.gserviceaccount.com';

function plan(schedule: Schedule, steps: PlanStep[], kind: Plan['kind'] = 'create'): Plan {
  return { kind, automation: { serviceAccount: AUTOMATION_SA, tokenUrl: w.tokenUrl }, steps, schedule };
}

function resource(id: string, as: 'workflow' | 'automation', rest: Partial<ResourceStep>): ResourceStep {
  return { id, stage: id.startsWith('bootstrap') ? 'bootstrap' : 'base', title: `Step ${id}`, after: [], as, kind: 'resource', ...rest };
}

/** Neither the minted token nor the workflow's OAuth2 token appears in logs, results, errors or reports. */
function expectNoTokenLeak(status: unknown): void {
  const secrets = [...w.minted, OAUTH2_TOKEN];
  const places = { logs: w.logs, status, reports: w.reports, invalid: w.invalidReports };
  const text = JSON.stringify(places);
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('plan executor: a create plan', () => {
  it('runs phases, lanes and waves, reports every step and the operation, with the right identity for each call', async () => {
    const sa = `/iam/v1/projects/p/serviceAccounts/${AUTOMATION_SA}`;
    const clusterPath = '/container/v1/projects/p/locations/r/clusters/c';

    // ── bootstrap (the workflow's own identity) ──
    w.on('POST', '/google/serviceusage/v1/projects/p/services:batchEnable', { status: 200, body: { name: 'operations/acf.enable-1' } });
    w.sequence('GET', '/google/serviceusage/v1/operations/acf.enable-1', [
      { status: 200, body: { name: 'operations/acf.enable-1' } },
      { status: 200, body: { name: 'operations/acf.enable-1', done: true, response: {} } },
    ]);
    w.on('GET', '/google/cloudresourcemanager/v1/projects/p', { status: 200, body: { projectId: 'p', projectNumber: '123456' } });
    w.on('GET', `/google${sa}`, googleError(404, 'NOT_FOUND', `Unknown service account ${AUTOMATION_SA}`));
    w.on('POST', '/google/iam/v1/projects/p/serviceAccounts', { status: 200, body: { email: AUTOMATION_SA, uniqueId: '1042' } });
    const saPolicy = new FakePolicy(w, { read: ['POST', `${sa}:getIamPolicy`], write: ['POST', `${sa}:setIamPolicy`], wrap: true, concurrentChanges: 1 });

    // ── base and perf (the automation account) ──
    w.on('GET', '/google/compute/v1/projects/p/global/networks/net', googleError(404, 'NOT_FOUND', "The resource 'projects/p/global/networks/net' was not found", 'notFound'));
    w.on('POST', '/google/compute/v1/projects/p/global/networks', () => ({ status: 200, body: computeOp(w, 'op-net', 3) }));
    w.on('GET', '/google/storage/v1/b/bkt', { status: 200, body: { name: 'bkt', location: 'US' } });
    w.on('GET', '/google/compute/v1/projects/p/regions/r/subnetworks/sub', googleError(404, 'NOT_FOUND', 'not found', 'notFound'));
    w.on('POST', '/google/compute/v1/projects/p/regions/r/subnetworks', googleError(409, 'ALREADY_EXISTS', "The resource 'projects/p/regions/r/subnetworks/sub' already exists", 'alreadyExists'));
    w.sequence('GET', `/google${clusterPath}`, [
      googleError(404, 'NOT_FOUND', 'Not found: projects/p/locations/r/clusters/c.'),
      { status: 200, body: { name: 'c', status: 'PROVISIONING' } },
      { status: 200, body: { name: 'c', status: 'RUNNING', endpoint: '10.0.0.1' } },
    ]);
    w.on('POST', '/google/container/v1/projects/p/locations/r/clusters', () => ({ status: 200, body: containerOp(w, 'op-cluster', 2) }));
    const agent = 'service-123456@gcp-sa-pubsub.iam.gserviceaccount.com';
    const projectPolicy = new FakePolicy(w, {
      read: ['POST', '/cloudresourcemanager/v1/projects/p:getIamPolicy'],
      write: ['POST', '/cloudresourcemanager/v1/projects/p:setIamPolicy'],
      wrap: true,
      bindings: [{ role: 'roles/owner', members: ['user:admin@example.com'] }],
      // IAM does not know the service agent yet: an eventual-consistency error, twice.
      failWrites: [0, 1].map(() => googleError(400, 'INVALID_ARGUMENT', `Service account ${agent} does not exist.`, 'badRequest')),
    });
    w.sequence('GET', '/google/pubsub/v1/projects/p/topics/t', [
      googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'backendError'),
      googleError(404, 'NOT_FOUND', 'Resource not found (resource=t).'),
    ]);
    w.on('PUT', '/google/pubsub/v1/projects/p/topics/t', { status: 200, body: { name: 'projects/p/topics/t' } });

    const steps: PlanStep[] = [
      resource('bootstrap.services', 'workflow', {
        create: { method: 'POST', url: w.g('/serviceusage/v1/projects/p/services:batchEnable'), body: { serviceIds: ['compute.googleapis.com'] }, poll: { style: 'longrunning', pollBase: w.g('/serviceusage') } },
      }),
      resource('bootstrap.project', 'workflow', { get: { method: 'GET', url: w.g('/cloudresourcemanager/v1/projects/p') }, capture: { projectNumber: 'projectNumber' } }),
      resource('bootstrap.automation-sa', 'workflow', {
        get: { method: 'GET', url: w.g(sa) },
        create: { method: 'POST', url: w.g('/iam/v1/projects/p/serviceAccounts'), body: { accountId: 'automation' }, poll: { style: 'none' } },
        capture: { automationUniqueId: 'uniqueId' },
      }),
      {
        id: 'bootstrap.token-creator', stage: 'bootstrap', title: 'Let the workflow mint tokens', after: ['bootstrap.automation-sa'], as: 'workflow',
        kind: 'iamBinding', action: 'add', bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', member: WF_MEMBER }],
        read: { method: 'POST', url: w.g(`${sa}:getIamPolicy`) }, write: { method: 'POST', url: w.g(`${sa}:setIamPolicy`), wrap: true },
      } satisfies IamBindingStep,
      resource('base.network', 'automation', {
        get: { method: 'GET', url: w.g('/compute/v1/projects/p/global/networks/net') },
        create: { method: 'POST', url: w.g('/compute/v1/projects/p/global/networks'), body: { name: 'net', autoCreateSubnetworks: false }, poll: { style: 'compute' } },
      }),
      resource('base.bucket', 'automation', {
        get: { method: 'GET', url: w.g('/storage/v1/b/bkt') },
        create: { method: 'POST', url: w.g('/storage/v1/b?project=p'), body: { name: 'bkt' }, poll: { style: 'none' } },
      }),
      resource('base.subnet', 'automation', {
        get: { method: 'GET', url: w.g('/compute/v1/projects/p/regions/r/subnetworks/sub') },
        create: { method: 'POST', url: w.g('/compute/v1/projects/p/regions/r/subnetworks'), body: { name: 'sub' }, poll: { style: 'compute' } },
      }),
      resource('base.cluster', 'automation', {
        get: { method: 'GET', url: w.g(clusterPath) },
        create: { method: 'POST', url: w.g('/container/v1/projects/p/locations/r/clusters'), body: { cluster: { name: 'c' } }, poll: { style: 'container' } },
        ready: { path: 'status', values: ['RUNNING'] },
        failed: { path: 'status', values: ['ERROR', 'DEGRADED'] },
        capture: { clusterEndpoint: 'endpoint' },
      }),
      {
        id: 'perf.pubsub-agent', stage: 'perf', title: 'Let the Pub/Sub service agent mint tokens', after: [], as: 'automation',
        kind: 'iamBinding', action: 'add', uses: ['projectNumber'], transient: [{ status: 400, matches: '^Service account \\S+ does not exist', within: 900 }],
        bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', member: 'serviceAccount:service-{{projectNumber}}@gcp-sa-pubsub.iam.gserviceaccount.com' }],
        read: { method: 'POST', url: w.g('/cloudresourcemanager/v1/projects/p:getIamPolicy'), body: { options: { requestedPolicyVersion: 3 } } },
        write: { method: 'POST', url: w.g('/cloudresourcemanager/v1/projects/p:setIamPolicy'), wrap: true },
      } satisfies IamBindingStep,
      resource('perf.topic', 'automation', {
        get: { method: 'GET', url: w.g('/pubsub/v1/projects/p/topics/t') },
        create: { method: 'PUT', url: w.g('/pubsub/v1/projects/p/topics/t'), body: { labels: { env: 'e' } }, poll: { style: 'none' } },
        capture: { metricsTopic: 'name' },
      }),
    ];
    w.plan = plan(
      [
        [[['bootstrap.services', 'bootstrap.project', 'bootstrap.automation-sa'], ['bootstrap.token-creator']]],
        [[['base.network', 'base.bucket'], ['base.subnet', 'base.cluster'], ['perf.pubsub-agent']], [['perf.topic']]],
      ],
      steps,
    );

    const status = await w.run();
    expect(status.error).toBeUndefined();
    expect(status.state).toBe('SUCCEEDED');
    expect(status.result).toEqual({ operationId: 'op-01', outcome: 'SUCCEEDED' });
    expect(w.invalidReports).toEqual([]);

    // Reports: one RUNNING batch per wave, one SUCCEEDED per step, the operation last.
    const running = w.reports.filter((b) => b.reports.every((r) => 'state' in r && r.state === 'RUNNING')).map((b) => b.reports.map((r) => ('step' in r ? r.step : '')));
    expect(running).toHaveLength(6);
    expect(running[0]).toEqual(['bootstrap.services', 'bootstrap.project', 'bootstrap.automation-sa']);
    expect(running[1]).toEqual(['bootstrap.token-creator']);
    expect(running.slice(2).sort()).toEqual([['base.network', 'base.bucket'], ['base.subnet', 'base.cluster'], ['perf.pubsub-agent'], ['perf.topic']].sort());
    const succeeded = w.stepReports().filter((r) => r.state === 'SUCCEEDED');
    expect(succeeded.map((r) => r.step).sort()).toEqual(steps.map((s) => s.id).sort());
    expect(w.stepReports().filter((r) => r.state === 'FAILED')).toEqual([]);
    expect(w.reports.at(-1)).toEqual({ operationId: 'op-01', reports: [{ operation: 'SUCCEEDED' }] });
    // Each step's batch is its own; a wave starts after the previous wave of its lane ended.
    const order = w.stepReports().map((r) => `${r.step}:${r.state}`);
    expect(order.indexOf('base.subnet:RUNNING')).toBeGreaterThan(order.indexOf('base.network:SUCCEEDED'));
    expect(order.indexOf('base.subnet:RUNNING')).toBeGreaterThan(order.indexOf('base.bucket:SUCCEEDED'));
    expect(order.indexOf('perf.pubsub-agent:RUNNING')).toBeGreaterThan(order.indexOf('base.cluster:SUCCEEDED'));
    expect(order.indexOf('base.network:RUNNING')).toBeGreaterThan(order.indexOf('bootstrap.token-creator:SUCCEEDED'));

    // Captured values are reported as outputs (strings); steps without capture report none.
    expect(w.reportOf('bootstrap.project', 'SUCCEEDED')).toEqual({ step: 'bootstrap.project', state: 'SUCCEEDED', outputs: { projectNumber: '123456' } });
    expect(w.reportOf('bootstrap.automation-sa', 'SUCCEEDED')?.outputs).toEqual({ automationUniqueId: '1042' });
    expect(w.reportOf('base.cluster', 'SUCCEEDED')?.outputs).toEqual({ clusterEndpoint: '10.0.0.1' });
    expect(w.reportOf('perf.topic', 'SUCCEEDED')?.outputs).toEqual({ metricsTopic: 'projects/p/topics/t' });
    expect(w.reportOf('base.network', 'SUCCEEDED')).toEqual({ step: 'base.network', state: 'SUCCEEDED' });

    // Existence check: the bucket exists, so it is not created; the SA did not, so it is (once, no extra GET).
    expect(w.requests.filter((r) => r.path === '/google/storage/v1/b')).toEqual([]);
    expect(w.at(sa).map((r) => r.method)).toEqual(['GET']);
    expect(w.calls('POST', '/google/iam/v1/projects/p/serviceAccounts')).toHaveLength(1);
    // 409 ALREADY_EXISTS on create counts as done.
    expect(w.at('/compute/v1/projects/p/regions/r/subnetworks')).toHaveLength(1);
    // LROs followed to DONE; the cluster then waited for RUNNING before its endpoint was read.
    expect(w.at('/compute/v1/projects/p/global/operations/op-net')).toHaveLength(3);
    expect(w.at('/serviceusage/v1/operations/acf.enable-1')).toHaveLength(2);
    expect(w.at(clusterPath)).toHaveLength(3);
    // 503 retried by the predicate, then 404 → create.
    expect(w.at('/pubsub/v1/projects/p/topics/t').map((r) => r.method)).toEqual(['GET', 'GET', 'PUT']);

    // IAM read-modify-write: a concurrent change (409) made the executor re-read and write again.
    expect(saPolicy.reads).toBe(2);
    expect(saPolicy.writes).toHaveLength(2);
    expect(saPolicy.bindings).toContainEqual({ role: 'roles/iam.serviceAccountTokenCreator', members: [WF_MEMBER] });
    expect(saPolicy.bindings).toContainEqual({ role: 'roles/viewer', members: ['user:someone-2@example.com'] });
    // `uses`: {{projectNumber}} came from the lookup; the transient 400 was waited out twice.
    expect(projectPolicy.writes).toHaveLength(3);
    expect(projectPolicy.bindings).toEqual([
      { role: 'roles/owner', members: ['user:admin@example.com'] },
      { role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${agent}`] },
    ]);
    expect(projectPolicy.writes[2]).toMatchObject({ policy: { etag: 'BwY1=' } });
    expect(w.calls('POST', '/google/cloudresourcemanager/v1/projects/p:getIamPolicy')[0]!.body).toEqual({ options: { requestedPolicyVersion: 3 } });

    // Identities: bootstrap calls as the workflow (engine's OAuth2 token), the rest with one minted token,
    // minted lazily (after bootstrap) by the workflow identity; the API got OIDC tokens for its root URL.
    const google = w.requests.filter((r) => r.path.startsWith('/google/') && !r.path.includes(':generateAccessToken'));
    for (const r of google) {
      const bootstrap = r.path.startsWith('/google/serviceusage') || r.path === '/google/cloudresourcemanager/v1/projects/p' || r.path.startsWith(`/google${sa}`) || r.path === '/google/iam/v1/projects/p/serviceAccounts';
      expect(`${r.method} ${r.path}: ${w.identity(r)}`).toBe(`${r.method} ${r.path}: ${bootstrap ? 'workflow' : 'automation'}`);
    }
    expect(w.minted).toEqual(['ya29.minted-1']);
    const mint = w.calls('POST', new URL(w.tokenUrl).pathname);
    expect(mint).toHaveLength(1);
    expect(mint[0]!.authorization).toBe(`Bearer ${OAUTH2_TOKEN}`);
    expect(mint[0]!.body).toEqual({ scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' });
    expect(w.requests.indexOf(mint[0]!)).toBeGreaterThan(w.requests.findIndex((r) => r.path.endsWith(':setIamPolicy') && r.path.startsWith(`/google${sa}`)));
    expect(new Set(w.requests.filter((r) => r.path.startsWith('/api/')).map((r) => w.identity(r)))).toEqual(new Set(['oidc']));

    expectNoTokenLeak(status);
  });

  it('a failing step: FAILED with Google\'s error, siblings finish, the lane and later phases stop, the execution fails', async () => {
    const denied = {
      error: {
        code: 403,
        message: "Required 'compute.networks.create' permission for 'projects/p'",
        status: 'PERMISSION_DENIED',
        errors: [{ message: "Required 'compute.networks.create' permission for 'projects/p'", domain: 'global', reason: 'forbidden' }],
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'compute.googleapis.com' }],
      },
    };
    w.on('POST', '/google/a/ok', { status: 200, body: { name: 'ok' } });
    w.on('POST', '/google/a/denied', { status: 403, body: denied });
    w.on('POST', '/google/b/ok', { status: 200, body: { name: 'ok' } });
    const create = (path: string) => ({ method: 'POST' as const, url: w.g(path), poll: { style: 'none' as const } });
    w.plan = plan(
      [[[['a.ok', 'a.denied'], ['a.after']], [['b.ok'], ['b.next']]], [[['c.never']]]],
      [
        resource('a.ok', 'automation', { create: create('/a/ok') }),
        resource('a.denied', 'automation', { create: create('/a/denied') }),
        resource('a.after', 'automation', { create: create('/a/after') }),
        resource('b.ok', 'automation', { create: create('/b/ok') }),
        resource('b.next', 'automation', { create: create('/b/ok') }),
        resource('c.never', 'automation', { create: create('/c/never') }),
      ],
    );

    const status = await w.run();
    expect(status.state).toBe('FAILED');
    const error = { message: denied.error.message, httpStatus: 403, tags: ['HttpError'], google: denied };
    expect(w.reportOf('a.denied', 'FAILED')).toEqual({ step: 'a.denied', state: 'FAILED', error });
    expect(w.reportOf('a.ok', 'SUCCEEDED')).toBeDefined();
    // The other lane of the phase goes on; the failed lane and the next phase do not.
    expect(w.reportOf('b.ok', 'SUCCEEDED')).toBeDefined();
    expect(w.reportOf('b.next', 'SUCCEEDED')).toBeDefined();
    expect(w.stepReports().filter((r) => r.step === 'a.after' || r.step === 'c.never')).toEqual([]);
    expect(w.requests.filter((r) => r.path === '/google/a/after' || r.path === '/google/c/never')).toEqual([]);
    // A 403 is not retried.
    expect(w.at('/a/denied')).toHaveLength(1);
    expect(w.reports.at(-1)).toEqual({ operationId: 'op-01', reports: [{ operation: 'FAILED', error }] });
    expect(status.error?.payload).toEqual(error);
    expect(w.invalidReports).toEqual([]);
    expectNoTokenLeak(status);
  });

  it('a long-running operation that fails: the operation\'s error is reported as Google\'s error', async () => {
    const stockout = { code: 8, message: 'Zone us-central2-b: no TPU v5e capacity available (GCE_STOCKOUT).' };
    w.on('GET', '/google/container/pool', googleError(404, 'NOT_FOUND', 'Not found'));
    w.on('POST', '/google/container/pools', () => ({ status: 200, body: containerOp(w, 'op-pool', 2, stockout) }));
    w.plan = plan([[[['base.tpu-pool']]]], [
      resource('base.tpu-pool', 'automation', {
        get: { method: 'GET', url: w.g('/container/pool') },
        create: { method: 'POST', url: w.g('/container/pools'), body: { nodePool: { name: 'tpu' } }, poll: { style: 'container' } },
        ready: { path: 'status', values: ['RUNNING'] },
      }),
    ]);
    const status = await w.run();
    expect(status.state).toBe('FAILED');
    const error = { message: stockout.message, tags: ['OperationError'], google: stockout };
    expect(w.reportOf('base.tpu-pool', 'FAILED')).toEqual({ step: 'base.tpu-pool', state: 'FAILED', error });
    expect(w.reports.at(-1)?.reports).toEqual([{ operation: 'FAILED', error }]);
  });

  it('a compute operation that fails reports errors[0].message and the whole error', async () => {
    const quota = { errors: [{ code: 'QUOTA_EXCEEDED', message: "Quota 'NETWORKS' exceeded. Limit: 5.0 globally." }] };
    w.on('POST', '/google/compute/networks', () => ({ status: 200, body: computeOp(w, 'op-quota', 1, quota) }));
    w.plan = plan([[[['base.network']]]], [
      resource('base.network', 'automation', { create: { method: 'POST', url: w.g('/compute/networks'), poll: { style: 'compute' } } }),
    ]);
    const status = await w.run();
    expect(status.state).toBe('FAILED');
    expect(w.reportOf('base.network', 'FAILED')?.error).toEqual({ message: quota.errors[0]!.message, tags: ['OperationError'], google: quota });
  });

  it('polls a 7-minute operation at growing intervals: at most 20 polls', async () => {
    let started = 0;
    let polls = 0;
    const selfLink = '/container/v1/projects/p/locations/r/operations/op-slow';
    w.on('POST', '/google/container/clusters', () => {
      started = w.clock.now();
      return { status: 200, body: { name: 'op-slow', status: 'RUNNING', selfLink: w.g(selfLink) } };
    });
    w.on('GET', `/google${selfLink}`, () => {
      polls++;
      const done = w.clock.now() - started >= 7 * 60_000;
      return { status: 200, body: { name: 'op-slow', status: done ? 'DONE' : 'RUNNING', selfLink: w.g(selfLink) } };
    });
    w.plan = plan([[[['base.cluster']]]], [
      resource('base.cluster', 'automation', { create: { method: 'POST', url: w.g('/container/clusters'), poll: { style: 'container' } } }),
    ]);
    const status = await w.run();
    expect(status.state).toBe('SUCCEEDED');
    expect(polls).toBeLessThanOrEqual(20);
    expect(polls).toBe(19);
    // 2 s, ×1.5, capped at 30 s: found done at most 30 s late.
    expect(w.clock.slept.slice(0, 10).map((ms) => Math.round(ms / 100) / 10)).toEqual([2, 3, 4.5, 6.8, 10.1, 15.2, 22.8, 30, 30, 30]);
    expect(Math.max(...w.clock.slept)).toBe(30_000);
  });
});

describe('plan executor: credentials', () => {
  it('never sends a credential outside googleapis.com or the sandbox base; googleapis.com gets the minted token', async () => {
    w.on('GET', '/gapi/compute.googleapis.com/compute/v1/projects/p/global/networks/n', { status: 200, body: { name: 'n' } });
    w.plan = plan([[[['x.googleapis', 'x.outside', 'x.lookalike', 'x.bootstrap-outside']]]], [
      resource('x.googleapis', 'automation', { get: { method: 'GET', url: 'https://compute.googleapis.com/compute/v1/projects/p/global/networks/n' }, capture: { network: 'name' } }),
      resource('x.outside', 'automation', { get: { method: 'GET', url: `${w.origin}/evil/collect` }, capture: { x: 'y' } }),
      resource('x.lookalike', 'automation', { get: { method: 'GET', url: `${w.origin}/google-evil/collect` }, capture: { x: 'y' } }),
      resource('x.bootstrap-outside', 'workflow', { create: { method: 'POST', url: 'https://compute.googleapis.com.evil.example/x', poll: { style: 'none' } } }),
    ]);
    const status = await w.run();
    expect(status.state).toBe('FAILED');
    expect(w.reportOf('x.googleapis', 'SUCCEEDED')?.outputs).toEqual({ network: 'n' });
    const gapi = w.requests.filter((r) => r.path.startsWith('/gapi/'));
    expect(gapi.map((r) => w.identity(r))).toEqual(['automation']);
    for (const id of ['x.outside', 'x.lookalike', 'x.bootstrap-outside']) {
      const failed = w.reportOf(id, 'FAILED');
      expect(failed?.error?.message, id).toMatch(/^refusing to send credentials to /);
      expect(failed?.error?.tags).toEqual(['UrlNotAllowed']);
    }
    // The fake never saw those requests at all.
    expect(w.requests.filter((r) => r.path.includes('evil'))).toEqual([]);
    expectNoTokenLeak(status);
  });

  it('waits out 403 on minting (IAM propagation after the grant), then uses the token', async () => {
    w.denyMints = 2;
    w.on('GET', '/google/thing', { status: 200, body: { id: 'T-1' } });
    w.plan = plan([[[['base.thing']]]], [resource('base.thing', 'automation', { get: { method: 'GET', url: w.g('/thing') }, capture: { thing: 'id' } })]);
    const status = await w.run();
    expect(status.state).toBe('SUCCEEDED');
    expect(w.calls('POST', new URL(w.tokenUrl).pathname)).toHaveLength(3);
    expect(w.minted).toEqual(['ya29.minted-1']);
    expect(w.reportOf('base.thing', 'SUCCEEDED')?.outputs).toEqual({ thing: 'T-1' });
  });

  it('waits 10 minutes for a token-creator grant to propagate (403), then fails the steps with the reason', async () => {
    w.denyMints = 1000;
    w.plan = plan([[[['base.thing']]]], [resource('base.thing', 'automation', { get: { method: 'GET', url: w.g('/thing') } })]);
    const status = await w.run();
    expect(status.state).toBe('FAILED');
    const error = w.reportOf('base.thing', 'FAILED')?.error;
    expect(error).toMatchObject({ httpStatus: 403, tags: ['HttpError', 'AuthError'] });
    expect(error?.message).toMatch(/may not mint tokens for the automation account/);
    // Bounded: the wave's mint and the step's own attempt each waited 10 minutes (5, 10, 20, 30, 30, …):
    // IAM grants "typically propagate in 2 minutes, but could potentially take 7 minutes or longer".
    const mints = w.calls('POST', new URL(w.tokenUrl).pathname).length;
    expect(mints).toBeGreaterThanOrEqual(2 * 20);
    expect(mints).toBeLessThanOrEqual(2 * 24);
    const waited = w.clock.slept.filter((ms) => ms >= 5_000).reduce((a, b) => a + b, 0) / 1000;
    expect(waited).toBeGreaterThanOrEqual(2 * 600);
  });

  it('re-mints the token before it expires during a long operation', async () => {
    let started = 0;
    const selfLink = '/container/v1/projects/p/locations/r/operations/op-long';
    w.on('POST', '/google/container/clusters', () => {
      started = w.clock.now();
      return { status: 200, body: { name: 'op-long', status: 'RUNNING', selfLink: w.g(selfLink) } };
    });
    w.on('GET', `/google${selfLink}`, () => ({
      status: 200,
      body: { name: 'op-long', status: w.clock.now() - started >= 70 * 60_000 ? 'DONE' : 'RUNNING', selfLink: w.g(selfLink) },
    }));
    w.plan = plan([[[['base.cluster']]]], [
      resource('base.cluster', 'automation', { create: { method: 'POST', url: w.g('/container/clusters'), poll: { style: 'container' } } }),
    ]);
    const status = await w.run();
    expect(status.state).toBe('SUCCEEDED');
    expect(w.minted).toEqual(['ya29.minted-1', 'ya29.minted-2']);
    // Every call carried a live token (the fake answers 401 to an expired one), and the switch
    // happened with more than zero but less than 10 minutes left on the first token.
    const polls = w.at(selfLink);
    expect(polls.every((r) => w.identity(r) !== 'expired')).toBe(true);
    expect(polls.at(-1)!.authorization).toBe('Bearer ya29.minted-2');
    expectNoTokenLeak(status);
  });
});

describe('plan executor: delete plans, api steps, plan fetch', () => {
  it('delete: 404 and an operation ending NOT_FOUND count as done; IAM members are removed and empty bindings dropped', async () => {
    w.on('DELETE', '/google/storage/v1/b/gone', googleError(404, 'NOT_FOUND', 'The specified bucket does not exist.', 'notFound'));
    w.on('DELETE', '/google/compute/v1/projects/p/global/networks/net', () => ({
      status: 200,
      body: computeOp(w, 'op-del-net', 2, { errors: [{ code: 'RESOURCE_NOT_FOUND', message: "The resource 'projects/p/global/networks/net' was not found" }] }),
    }));
    w.on('DELETE', '/google/container/v1/projects/p/locations/r/clusters/c', () => ({ status: 200, body: containerOp(w, 'op-del-cluster', 3) }));
    // Pub/Sub answers a delete with an empty body; there is no operation to follow.
    w.on('DELETE', '/google/pubsub/v1/projects/p/topics/t', { status: 204 });
    const member = 'serviceAccount:saxml@p.iam.gserviceaccount.com';
    const bucketPolicy = new FakePolicy(w, {
      read: ['GET', '/storage/v1/b/models/iam'],
      write: ['PUT', '/storage/v1/b/models/iam'],
      wrap: false,
      concurrentChanges: 1,
      bindings: [
        { role: 'roles/storage.objectViewer', members: [member] },
        { role: 'roles/storage.admin', members: ['user:admin@example.com', member] },
        { role: 'roles/storage.objectViewer', members: [member], condition: { title: 'kept', expression: 'true' } },
      ],
    });
    const removal: IamBindingStep = {
      id: 'base.bucket.models.iam', stage: 'base', title: 'Remove the bucket grants', after: [], as: 'automation', kind: 'iamBinding', action: 'remove',
      bindings: [{ role: 'roles/storage.objectViewer', member }, { role: 'roles/storage.admin', member }, { role: 'roles/storage.legacyBucketReader', member }],
      read: { method: 'GET', url: w.g('/storage/v1/b/models/iam') }, write: { method: 'PUT', url: w.g('/storage/v1/b/models/iam'), wrap: false },
    };
    w.plan = plan(
      [[[['base.bucket.models.iam', 'base.gone', 'perf.topic'], ['base.cluster'], ['base.network']]]],
      [
        removal,
        resource('perf.topic', 'automation', { delete: { method: 'DELETE', url: w.g('/pubsub/v1/projects/p/topics/t'), poll: { style: 'none' } } }),
        resource('base.gone', 'automation', { get: { method: 'GET', url: w.g('/storage/v1/b/gone') }, delete: { method: 'DELETE', url: w.g('/storage/v1/b/gone'), poll: { style: 'none' } } }),
        resource('base.cluster', 'automation', { delete: { method: 'DELETE', url: w.g('/container/v1/projects/p/locations/r/clusters/c'), poll: { style: 'container' } } }),
        resource('base.network', 'automation', { delete: { method: 'DELETE', url: w.g('/compute/v1/projects/p/global/networks/net'), poll: { style: 'compute' } } }),
      ],
      'delete',
    );
    const status = await w.run();
    expect(status.error).toBeUndefined();
    expect(status.state).toBe('SUCCEEDED');
    for (const id of ['base.bucket.models.iam', 'base.gone', 'perf.topic', 'base.cluster', 'base.network']) expect(w.reportOf(id, 'SUCCEEDED'), id).toBeDefined();
    // The delete call is the existence check: no GET first.
    expect(w.at('/storage/v1/b/gone').map((r) => r.method)).toEqual(['DELETE']);
    expect(w.at('/container/v1/projects/p/locations/r/operations/op-del-cluster')).toHaveLength(3);
    // Storage policies are written bare (PUT, no {policy}); a stale etag (412) means read again.
    expect(bucketPolicy.reads).toBe(2);
    expect(bucketPolicy.writes).toHaveLength(2);
    expect(bucketPolicy.writes[1]).not.toHaveProperty('policy');
    expect(bucketPolicy.bindings).toEqual([
      { role: 'roles/storage.admin', members: ['user:admin@example.com'] },
      { role: 'roles/storage.objectViewer', members: [member], condition: { title: 'kept', expression: 'true' } },
      { role: 'roles/viewer', members: ['user:someone-2@example.com'] },
    ]);
    expect(w.reports.at(-1)?.reports).toEqual([{ operation: 'SUCCEEDED' }]);
  });

  it('an IAM change that is already in place writes nothing', async () => {
    const policy = new FakePolicy(w, {
      read: ['POST', '/iam/sa:getIamPolicy'],
      write: ['POST', '/iam/sa:setIamPolicy'],
      wrap: true,
      bindings: [{ role: 'roles/iam.workloadIdentityUser', members: ['serviceAccount:p.svc.id.goog[saxml/sax]'] }],
    });
    w.plan = plan([[[['base.wi']]]], [{
      id: 'base.wi', stage: 'base', title: 'Workload identity', after: [], as: 'automation', kind: 'iamBinding', action: 'add',
      bindings: [{ role: 'roles/iam.workloadIdentityUser', member: 'serviceAccount:p.svc.id.goog[saxml/sax]' }],
      read: { method: 'POST', url: w.g('/iam/sa:getIamPolicy') }, write: { method: 'POST', url: w.g('/iam/sa:setIamPolicy'), wrap: true },
    }]);
    expect((await w.run()).state).toBe('SUCCEEDED');
    expect(policy.reads).toBe(1);
    expect(policy.writes).toEqual([]);
  });

  it('api steps: call this service with OIDC, poll the status route until ready; a FAILED status or a problem fails the step', async () => {
    const route = `${w.apiBase}/internal/environments/env-01/saxml`;
    const statuses = [{ state: 'APPLYING' }, { state: 'APPLYING' }, { state: 'READY' }];
    w.on('POST', '/api/internal/environments/env-01/saxml/apply', { status: 200, body: { accepted: true } });
    // The fake serves /api itself only for plan and reports; saxml routes go through `on` (after the OIDC check).
    w.on('GET', '/api/internal/environments/env-01/saxml/status', () => ({ status: 200, body: statuses.shift() ?? { state: 'READY' } }));
    const step = (id: string, call: string, status: string): ApiStep => ({
      id, stage: 'saxml', title: `Step ${id}`, after: [], as: 'automation', kind: 'api',
      call: { method: 'POST', url: `${route}/${call}` }, status: { method: 'GET', url: `${route}/${status}` },
      ready: { path: 'state', values: ['READY'] }, failed: { path: 'state', values: ['FAILED'] },
    });
    w.on('POST', '/api/internal/environments/env-01/saxml/apply-broken', { status: 200, body: {} });
    w.on('GET', '/api/internal/environments/env-01/saxml/status-broken', { status: 200, body: { state: 'FAILED', message: 'sax-admin: ImagePullBackOff' } });
    w.on('POST', '/api/internal/environments/env-01/saxml/delete', {
      status: 404,
      body: { type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND', detail: 'environment env-01 not found' },
    });
    w.plan = plan([[[['saxml.deploy'], ['saxml.broken', 'saxml.delete']]]], [
      step('saxml.deploy', 'apply', 'status'),
      step('saxml.broken', 'apply-broken', 'status-broken'),
      step('saxml.delete', 'delete', 'status'),
    ]);
    const status = await w.run();
    expect(status.state).toBe('FAILED');
    expect(w.reportOf('saxml.deploy', 'SUCCEEDED')).toEqual({ step: 'saxml.deploy', state: 'SUCCEEDED' });
    expect(w.calls('GET', '/api/internal/environments/env-01/saxml/status')).toHaveLength(3);
    // Each call names the execution's operation: the deployer acts only for the running one.
    expect(w.calls('POST', '/api/internal/environments/env-01/saxml/apply').map((r) => r.query)).toEqual(['?operationId=op-01']);
    expect(new Set(w.calls('GET', '/api/internal/environments/env-01/saxml/status').map((r) => r.query))).toEqual(new Set(['?operationId=op-01']));
    expect(w.reportOf('saxml.broken', 'FAILED')?.error).toEqual({
      message: 'Step saxml.broken: sax-admin: ImagePullBackOff',
      tags: ['ApiStepFailed'],
      google: { state: 'FAILED', message: 'sax-admin: ImagePullBackOff' },
    });
    expect(w.reportOf('saxml.delete', 'FAILED')?.error).toMatchObject({ message: 'environment env-01 not found', httpStatus: 404, tags: ['HttpError'] });
    // Only OIDC tokens for this service went to it; no minting was needed for api steps.
    expect(new Set(w.requests.filter((r) => r.path.startsWith('/api/')).map((r) => w.identity(r)))).toEqual(new Set(['oidc']));
    expect(w.minted).toEqual([]);
  });

  it('a 409 on the plan (cancelled or superseded operation) ends the execution without reporting anything', async () => {
    w.planStatus = 409;
    const status = await w.run();
    expect(status.state).toBe('SUCCEEDED');
    expect(status.result).toEqual({ operationId: 'op-01', outcome: 'SUPERSEDED' });
    expect(w.reports).toEqual([]);
    expect(w.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/internal/environments/env-01/operations/op-01/plan']);
  });

  describe('ownership: a resource that exists is adopted or deleted only with its owner’s mark', () => {
    const owner = {
      resource: 'bucket gs://b',
      checks: [{ path: 'labels.saxml-environment', equals: 'env-01' }],
      conflict: { message: 'bucket gs://b already exists and was not made by environment env-01', hint: 'pick another name in buckets.admin' },
      leftAlone: 'bucket gs://b does not carry the mark, so it was left alone',
    };
    const bucketStep = (rest: Partial<ResourceStep> = {}) => resource('base.bucket', 'workflow', {
      get: { method: 'GET', url: w.g('/b') }, create: { method: 'POST', url: w.g('/buckets'), body: { name: 'b' }, poll: { style: 'none' } }, owner, ...rest,
    });

    it('a 409 on create counts as done once a GET shows the mark (after waiting for it to become visible)', async () => {
      w.sequence('GET', '/google/b', [googleError(404, 'NOT_FOUND', 'no'), googleError(404, 'NOT_FOUND', 'not yet'), { status: 200, body: { name: 'b', labels: { 'saxml-environment': 'env-01' } } }]);
      w.on('POST', '/google/buckets', googleError(409, 'ALREADY_EXISTS', 'You already own this bucket.'));
      w.plan = plan([[[['base.bucket']]]], [bucketStep()]);
      const status = await w.run();
      expect(status.state).toBe('SUCCEEDED');
      expect(w.reportOf('base.bucket', 'SUCCEEDED')).toEqual({ step: 'base.bucket', state: 'SUCCEEDED' });
    });

    it.each([
      ['found without the mark', [{ status: 200, body: { name: 'b', labels: { team: 'x' } } }], { status: 200, body: {} }],
      ['a 409, then a GET without the mark', [googleError(404, 'NOT_FOUND', 'no'), { status: 200, body: { name: 'b', labels: { 'saxml-environment': 'env-99' } } }], googleError(409, 'ALREADY_EXISTS', 'taken')],
      ['a 409, then a GET the identity may not make (someone else’s)', [googleError(404, 'NOT_FOUND', 'no'), googleError(403, 'PERMISSION_DENIED', 'no access')], googleError(409, 'ALREADY_EXISTS', 'The requested bucket name is not available.')],
    ])('%s: the step fails NotOwned with the plan’s message and hint', async (_case, gets, created) => {
      w.sequence('GET', '/google/b', gets);
      w.on('POST', '/google/buckets', created);
      w.plan = plan([[[['base.bucket']]]], [bucketStep()]);
      const status = await w.run();
      expect(status.state).toBe('FAILED');
      expect(w.reportOf('base.bucket', 'FAILED')?.error).toEqual({
        message: owner.conflict.message, hint: owner.conflict.hint, httpStatus: 409, tags: ['NotOwned'],
      });
    });

    it('a delete leaves a resource without the mark alone, and says so; with the mark it deletes', async () => {
      w.on('GET', '/google/b', { status: 200, body: { name: 'b', labels: {} } });
      w.on('DELETE', '/google/b', { status: 204 });
      const del = { ...bucketStep({ create: undefined, delete: { method: 'DELETE', url: w.g('/b'), poll: { style: 'none' } } }) };
      w.plan = plan([[[['base.bucket']]]], [del], 'delete');
      expect((await w.run()).state).toBe('SUCCEEDED');
      expect(w.reportOf('base.bucket', 'SUCCEEDED')).toEqual({ step: 'base.bucket', state: 'SUCCEEDED', leftAlone: owner.leftAlone });
      expect(w.calls('DELETE', '/google/b')).toHaveLength(0);

      w.on('GET', '/google/b', { status: 200, body: { name: 'b', labels: { 'saxml-environment': 'env-01' } } });
      w.reports.length = 0;
      expect((await w.run()).state).toBe('SUCCEEDED');
      expect(w.reportOf('base.bucket', 'SUCCEEDED')).toEqual({ step: 'base.bucket', state: 'SUCCEEDED' });
      expect(w.calls('DELETE', '/google/b')).toHaveLength(1);
    });
  });

  it('a 409 on a report (the operation was superseded) stops the execution at once: nothing more is created or reported', async () => {
    w.on('POST', '/google/things', { status: 200, body: { name: 'thing' } });
    const make = (id: string, after: string[] = []) => resource(id, 'workflow', { after, create: { method: 'POST', url: w.g('/things'), body: { id }, poll: { style: 'none' } } });
    w.plan = plan([[[['base.one'], ['base.two'], ['base.three']]]], [make('base.one'), make('base.two', ['base.one']), make('base.three', ['base.two'])]);
    // The operation is superseded while base.one runs: its report is refused.
    w.reportStatus = (batch) => (batch.reports.some((r) => 'step' in r && r.step === 'base.one' && r.state === 'SUCCEEDED') ? 409 : 200);
    const status = await w.run();
    expect(status.state).toBe('SUCCEEDED');
    expect(status.result).toEqual({ operationId: 'op-01', outcome: 'SUPERSEDED' });
    expect(w.calls('POST', '/google/things')).toHaveLength(1);
    expect(w.reports.flatMap((b) => b.reports)).toEqual([{ step: 'base.one', state: 'RUNNING' }]);
  });

  it('a 409 on the wave-start report stops the execution before the wave runs', async () => {
    w.on('POST', '/google/things', { status: 200, body: { name: 'thing' } });
    w.plan = plan([[[['base.one']]]], [resource('base.one', 'workflow', { create: { method: 'POST', url: w.g('/things'), poll: { style: 'none' } } })]);
    w.reportStatus = () => 409;
    const status = await w.run();
    expect(status.result).toEqual({ operationId: 'op-01', outcome: 'SUPERSEDED' });
    expect(w.calls('POST', '/google/things')).toHaveLength(0);
  });

  it('takes where this service is from the deployment: an argument naming another apiBase fails before any token is sent', async () => {
    for (const argument of [{ apiBase: 'http://127.0.0.1:9/evil' }, { sandboxBase: 'http://127.0.0.1:9/evil' }]) {
      const status = await w.run(argument);
      expect(status.state).toBe('FAILED');
      expect(status.error?.message).toContain('never from the execution argument');
    }
    w.env = { SANDBOX_BASE: w.sandboxBase };
    const undeployed = await w.run();
    expect(undeployed.state).toBe('FAILED');
    expect(undeployed.error?.message).toContain('without API_BASE');
    expect(w.requests).toEqual([]);
  });

  it('a plan that cannot be fetched fails the execution and says so in a FAILED report', async () => {
    w.planStatus = 500;
    const status = await w.run();
    expect(status.state).toBe('FAILED');
    expect(w.reports).toHaveLength(1);
    const last = w.reports[0]!.reports[0]!;
    expect(last).toMatchObject({ operation: 'FAILED', error: { tags: ['ExecutorError'] } });
    expect(JSON.stringify(last)).toContain('500');
  });

  it('a transient error that does not clear is waited out for its own budget, then reported', async () => {
    w.on('GET', '/google/sa', googleError(400, 'INVALID_ARGUMENT', 'Service account x@p.iam.gserviceaccount.com does not exist.', 'badRequest'));
    w.plan = plan([[[['base.grant']]]], [
      resource('base.grant', 'automation', {
        // Two kinds, two budgets: the matching one decides (a regular expression on the message).
        transient: [{ status: 400, matches: '^Service account \\S+ does not exist', within: 300 }, { status: 400, matches: 'incompatible operation', within: 3600 }],
        get: { method: 'GET', url: w.g('/sa') },
        capture: { x: 'y' },
      }),
    ]);
    const status = await w.run();
    expect(status.state).toBe('FAILED');
    expect(w.reportOf('base.grant', 'FAILED')?.error).toMatchObject({ httpStatus: 400, message: 'Service account x@p.iam.gserviceaccount.com does not exist.' });
    // 5, 10, 20, then every 30 s: 305 s of waiting, 13 attempts.
    expect(w.at('/sa')).toHaveLength(13);
    const waits = w.clock.slept.filter((ms) => ms >= 5_000);
    expect(waits).toEqual([5, 10, 20, 30, 30, 30, 30, 30, 30, 30, 30, 30].map((s) => s * 1000));
  });

  it('a 400 that merely says "does not exist" (a configuration error) is not waited out', async () => {
    w.on('GET', '/google/sa', googleError(400, 'INVALID_ARGUMENT', 'Network "nope" does not exist.', 'badRequest'));
    w.plan = plan([[[['base.grant']]]], [
      resource('base.grant', 'automation', { transient: [{ status: 400, matches: '^Service account \\S+ does not exist', within: 900 }], get: { method: 'GET', url: w.g('/sa') }, capture: { x: 'y' } }),
    ]);
    expect((await w.run()).state).toBe('FAILED');
    expect(w.at('/sa')).toHaveLength(1);
  });

  it('a busy cluster is waited out for up to an hour', async () => {
    w.on('GET', '/google/c', googleError(400, 'FAILED_PRECONDITION', 'Operation operation-1 is currently creating cluster c. Please wait and try again once it is done.', 'failedPrecondition'));
    w.plan = plan([[[['base.cluster']]]], [
      resource('base.cluster', 'automation', {
        transient: [{ status: 400, matches: 'incompatible operation|Please wait and try again once it is done', within: 3600 }],
        get: { method: 'GET', url: w.g('/c') },
        capture: { x: 'y' },
      }),
    ]);
    expect((await w.run()).state).toBe('FAILED');
    const waited = w.clock.slept.filter((ms) => ms >= 5_000).reduce((a, b) => a + b, 0) / 1000;
    expect(waited).toBeGreaterThanOrEqual(3600);
    expect(waited).toBeLessThan(3700);
  });

  it('a value a step uses but nobody captured fails that step with a clear message', async () => {
    w.plan = plan([[[['perf.agent']]]], [
      resource('perf.agent', 'automation', { uses: ['projectNumber'], get: { method: 'GET', url: w.g('/projects/{{projectNumber}}') } }),
    ]);
    const status = await w.run();
    expect(status.state).toBe('FAILED');
    expect(w.reportOf('perf.agent', 'FAILED')?.error).toEqual({ message: 'this step needs {{projectNumber}}, a value no earlier step of this execution captured', tags: ['MissingValue'] });
    expect(w.requests.filter((r) => r.path.startsWith('/google/projects'))).toEqual([]);
  });
});
