/**
 * The executor on a real plan: `buildPlan` compiles a spec, the YAML runs it on the local engine
 * against the sandbox cloud (api/sandbox) — create, then delete with the bootstrap resources —
 * and the sandbox ends empty. Engine and sandbox share one virtual clock (time scale 1), so a
 * 7-minute cluster takes 7 virtual minutes and no real time. Saxml is off: its deployer is this
 * service's (services/saxml), exercised end to end in test/e2e.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_TARGET_ROLES } from '../../../api/domain/defaults.js';
import { buildPlan, type ApiBases, type Plan } from '../../../api/domain/plan/index.js';
import { ReportBatchSchema, type ReportBatch } from '../../../api/domain/reports.js';
import { parseSpec } from '../../../api/domain/validate.js';
import { LocalWorkflowEngine } from '../../../api/engine/local/index.js';
import { createSandbox, sandboxBases, type Sandbox } from '../../../api/sandbox/index.js';
import { DEFINITION, VirtualClock } from './fake-world.js';

const PROJECT = 'my-project-1';
const WORKFLOW_SA = 'saxml-workflow@workflow-host.iam.gserviceaccount.com';
const SERVICE_SA = 'saxml-api@workflow-host.iam.gserviceaccount.com';
const parsed = parseSpec({
  name: 'demo',
  project: PROJECT,
  region: 'us-west1',
  cluster: { tpuNodePools: [{ name: 'tpu-v5e-4', tpuType: 'v5litepod-4', zones: ['us-west1-c'] }] },
  saxml: { enabled: false },
});
if (!parsed.ok) throw new Error(`spec refused: ${JSON.stringify(parsed.errors)}`);
const spec = parsed.spec;

let clock: VirtualClock;
let sandbox: Sandbox;
let server: ServerType;
let origin: string;
let plan: Plan;
const reports: ReportBatch[] = [];
const invalid: unknown[] = [];

beforeAll(async () => {
  clock = new VirtualClock();
  sandbox = createSandbox({
    timeScale: 1,
    clock: { now: () => clock.now() },
    // The owner creates the workflow's identity; Terraform grants it its roles in target projects.
    inherited: [
      { member: 'user:owner@example.com', roles: ['roles/owner'] },
      { member: `serviceAccount:${WORKFLOW_SA}`, roles: [...WORKFLOW_TARGET_ROLES] },
    ],
  });
  const app = new Hono();
  app.route('/_sandbox', sandbox.app);
  app.get('/internal/environments/:id/operations/:op/plan', (c) => c.json(plan));
  app.post('/internal/environments/:id/reports', async (c) => {
    const parsed = ReportBatchSchema.safeParse(await c.req.json());
    if (!parsed.success) {
      invalid.push(parsed.error.issues);
      return c.json({ detail: 'invalid' }, 400);
    }
    reports.push(parsed.data);
    return c.json({ applied: parsed.data.reports.length });
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The workflow's and the service's identities exist before any execution (IAM refuses grants to unknown accounts).
  for (const accountId of ['saxml-workflow', 'saxml-api']) {
    const made = await sandbox.app.request('/iam/v1/projects/workflow-host/serviceAccounts', {
      method: 'POST',
      headers: { authorization: sandbox.identities.authorization('owner@example.com'), 'content-type': 'application/json' },
      body: JSON.stringify({ accountId }),
    });
    expect(made.status).toBe(200);
  }
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function planFor(kind: Plan['kind']): Plan {
  return buildPlan(spec, {
    kind,
    apis: sandboxBases(`${origin}/_sandbox`) as ApiBases,
    apiBase: origin,
    environmentId: 'env-1',
    workflowServiceAccount: WORKFLOW_SA,
    serviceAccount: SERVICE_SA,
    includeBootstrap: true,
    purgeData: false,
  });
}

async function execute(operationId: string) {
  reports.length = 0;
  const engine = new LocalWorkflowEngine({
    definition: DEFINITION,
    clock,
    tokens: { oauth2: async () => sandbox.identities.bearer(WORKFLOW_SA), oidc: async (audience) => `oidc:${audience}` },
    env: { API_BASE: origin, SANDBOX_BASE: `${origin}/_sandbox` },
  });
  return engine.executeOnce({ environmentId: 'env-1', operationId });
}

const stepReports = () => reports.flatMap((b) => b.reports).filter((r): r is Extract<ReportBatch['reports'][number], { step: string }> => 'step' in r);

describe('plan executor on the sandbox cloud', () => {
  it('creates a whole environment from buildPlan, then deletes it and its bootstrap: nothing is left', async () => {
    plan = planFor('create');
    const created = await execute('op-create');
    expect(created.error).toBeUndefined();
    expect(created.state).toBe('SUCCEEDED');
    expect(invalid).toEqual([]);
    const done = stepReports().filter((r) => r.state === 'SUCCEEDED').map((r) => r.step);
    expect(done.sort()).toEqual(plan.steps.map((s) => s.id).sort());
    expect(reports.at(-1)?.reports).toEqual([{ operation: 'SUCCEEDED' }]);
    const outputs = Object.assign({}, ...stepReports().map((r) => r.outputs ?? {})) as Record<string, string>;
    expect(outputs['projectNumber']).toMatch(/^\d+$/);
    expect(outputs['clusterEndpoint']).toBeTruthy();
    const kinds = new Set(sandbox.inventory().map((i) => i.type));
    for (const k of ['container.cluster', 'container.nodePool', 'compute.network', 'storage.bucket', 'pubsub.topic', 'bigquery.table']) expect(kinds).toContain(k);
    // Bootstrap ran as the workflow, everything else as the automation account.
    const principals = new Set(sandbox.calls().map((c) => c.principal).filter((p) => p !== 'owner@example.com'));
    expect(principals).toEqual(new Set([WORKFLOW_SA, plan.automation.serviceAccount]));

    plan = planFor('delete');
    const deleted = await execute('op-delete');
    expect(deleted.error).toBeUndefined();
    expect(deleted.state).toBe('SUCCEEDED');
    expect(invalid).toEqual([]);
    expect(stepReports().filter((r) => r.state === 'SUCCEEDED').map((r) => r.step).sort()).toEqual(plan.steps.map((s) => s.id).sort());
    expect(sandbox.inventory().map((i) => `${i.type} ${i.name}`)).toEqual([`iam.serviceAccount ${SERVICE_SA}`, `iam.serviceAccount ${WORKFLOW_SA}`]);
  });

  it('a cluster left in ERROR (CPU stockout) fails the create; the next run deletes it and creates it again; DEGRADED counts as created', async () => {
    const cluster = `/container/v1/projects/${PROJECT}/locations/us-west1/clusters/demo-saxml-gke-cluster`;
    const status = async () => {
      const res = await sandbox.app.request(cluster, { headers: { authorization: sandbox.identities.authorization('owner@example.com') } });
      return ((await res.json()) as { status: string }).status;
    };
    const since = sandbox.calls().length;
    sandbox.faults.set({ cpuStockoutZones: ['us-west1-c'] });
    plan = planFor('create');
    const failed = await execute('op-stockout');
    expect(failed.state).toBe('FAILED');
    expect(stepReports().find((r) => r.step === 'base.cluster' && r.state === 'FAILED')).toMatchObject({ error: { message: expect.stringMatching(/GCE_STOCKOUT/) } });
    expect(await status()).toBe('ERROR');

    // Capacity is back, but GKE asks for attention once the cluster runs: DEGRADED.
    sandbox.faults.set({ cpuStockoutZones: [], degradedClusters: true });
    const again = await execute('op-again');
    expect(again.error).toBeUndefined();
    expect(again.state).toBe('SUCCEEDED');
    expect(await status()).toBe('DEGRADED');
    const clusterCalls = sandbox.calls().slice(since).filter((c) => c.path.split('?')[0]!.endsWith('/clusters/demo-saxml-gke-cluster') || c.path.endsWith('/clusters'));
    // The run found its cluster in ERROR: deleted it, then created it anew. (The 403s before the
    // first create: GKE's answer until the actAs grant on the node account had propagated.)
    const accepted = clusterCalls.filter((c) => c.method !== 'GET' && c.status === 200).map((c) => c.method);
    expect(accepted).toEqual(['POST', 'DELETE', 'POST']);
    expect(clusterCalls.filter((c) => c.status === 403).length).toBeGreaterThan(0);

    sandbox.faults.clear();
    plan = planFor('delete');
    expect((await execute('op-delete-2')).state).toBe('SUCCEEDED');
    expect(sandbox.inventory().map((i) => `${i.type} ${i.name}`)).toEqual([`iam.serviceAccount ${SERVICE_SA}`, `iam.serviceAccount ${WORKFLOW_SA}`]);
  });
});
