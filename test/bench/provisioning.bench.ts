import { STAGE_NAMES } from '../../api/domain/environment.js';
import { buildPlan, criticalChain, criticalPath } from '../../api/domain/plan/index.js';
import { PRODUCTION_API_BASES, type PlanStep } from '../../api/domain/plan/types.js';
import { parseSpec } from '../../api/domain/validate.js';
import { DURATIONS, IAM_PROPAGATION_SECONDS, SA_PROPAGATION_SECONDS } from '../../api/sandbox/index.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { startLocalWorld } from '../support/local-world.js';

/**
 * Issues 4 and 10's benchmark. For the default spec and for one with three TPU pools (saxml
 * disabled: its deployer is a later issue): the create's simulated makespan against the plan's
 * critical path (the lower bound) and against running the stages one after another; billable
 * Workflows steps and the peak of their variables per create and delete; and the wall time of a
 * whole create/delete at a time scale small enough to run in seconds.
 */

const DEFAULT = { ...SMALLEST_SPEC, saxml: { enabled: false } };
const THREE_POOLS = {
  ...DEFAULT,
  cluster: { tpuNodePools: ['tpu-a', 'tpu-b', 'tpu-c'].map((name) => ({ name, tpuType: 'v5litepod-4', zones: ['us-west1-c'] })) },
};

/**
 * Grants whose effect a later step needs, so they last until they have propagated: the automation
 * account's roles and token grant (its first step and its token), its actAs on the node account
 * (the cluster), the Pub/Sub agent's roles (the subscription).
 */
const PROPAGATED = new Set(['bootstrap.automation-sa.roles', 'bootstrap.token-creator', 'base.node-sa.act-as', 'perf.pubsub-agent.roles']);

/** Simulated seconds a step takes in the sandbox: its long-running operation, or IAM's delays. */
function simulatedSeconds(step: PlanStep): number {
  if (step.id.startsWith('bootstrap.services')) return DURATIONS.services;
  if (step.id === 'base.network') return DURATIONS.network;
  if (step.id === 'base.subnet') return DURATIONS.subnetwork;
  if (step.id === 'base.cluster') return DURATIONS.cluster;
  if (step.id.startsWith('base.tpu-pool.')) return DURATIONS.tpuNodePool;
  if (PROPAGATED.has(step.id)) return IAM_PROPAGATION_SECONDS;
  // A new account (or service agent) is unknown to IAM for a few seconds: its grants wait.
  if (/^(bootstrap\.automation-sa|base\.(node|workload)-sa|bootstrap\.pubsub-agent)$/.test(step.id)) return SA_PROPAGATION_SECONDS;
  if (step.kind === 'resource' && step.create && step.create.poll.style !== 'none') return DURATIONS.other;
  return 0;
}

function bounds(spec: unknown) {
  const parsed = parseSpec(spec);
  if (!parsed.ok) throw new Error(`bench spec invalid: ${JSON.stringify(parsed.errors)}`);
  const plan = buildPlan(parsed.spec, {
    kind: 'create', apis: PRODUCTION_API_BASES, apiBase: 'https://api.example', environmentId: 'env-bench',
    workflowServiceAccount: 'wf@p.iam.gserviceaccount.com', includeBootstrap: true,
  });
  const stageByStage = STAGE_NAMES.reduce((sum, stage) => {
    const steps = plan.steps.filter((s) => s.stage === stage);
    const ids = new Set(steps.map((s) => s.id));
    return sum + criticalPath(steps.map((s) => ({ ...s, after: s.after.filter((a) => ids.has(a)) })), simulatedSeconds);
  }, 0);
  return {
    criticalPath: criticalPath(plan.steps, simulatedSeconds),
    chain: criticalChain(plan.steps, simulatedSeconds).ids,
    stageByStage,
    // What the pools would cost one after another (the plan before issue 10).
    serialPools: criticalPath(plan.steps, simulatedSeconds) + (parsed.spec.cluster.tpuNodePools.length - 1) * DURATIONS.tpuNodePool,
  };
}

async function lifecycle(timeScale: number, spec: unknown) {
  const world = await startLocalWorld({ timeScale });
  try {
    const started = performance.now();
    const res = await world.request('/environments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    const { id } = (await res.json()) as { id: string };
    const created = await world.settle(id);
    const createMs = performance.now() - started;
    if (created.state !== 'ACTIVE') throw new Error(`create ended ${created.state}: ${JSON.stringify(created.operation?.error)}`);
    const createRun = await world.engine.get(created.operation!.executionName!);

    const deleteStarted = performance.now();
    await world.request(`/environments/${id}?deleteBootstrap=true`, { method: 'DELETE' });
    const deleted = await world.settle(id);
    const deleteMs = performance.now() - deleteStarted;
    if (deleted.state !== 'DELETED') throw new Error(`delete ended ${deleted.state}`);
    const deleteRun = await world.engine.get(deleted.operation!.executionName!);
    // The workflow's own account lives in the service's project, not the environment's.
    const leftovers = world.sandbox.inventory().filter((r) => r.project !== 'local-sandbox').length;
    return {
      createMs, deleteMs, leftovers,
      createSteps: createRun.billableSteps, deleteSteps: deleteRun.billableSteps,
      createMemory: createRun.peakMemoryBytes ?? 0, deleteMemory: deleteRun.peakMemoryBytes ?? 0,
    };
  } finally {
    await world.stop();
  }
}

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

async function report(label: string, spec: unknown): Promise<void> {
  const bound = bounds(spec);
  // At 0.05 a simulated minute takes 3 s: long enough that real HTTP overheads (scaled up 20×
  // when converted to simulated time) stay a small share of the makespan.
  const scale = 0.05;
  const measured = await lifecycle(scale, spec);
  const makespan = measured.createMs / 1000 / scale;
  const fast = await lifecycle(0.001, spec);
  console.log(`\n== Provisioning benchmark: ${label} (saxml disabled, local engine + sandbox) ==`);
  console.log(`critical-path lower bound            ${bound.criticalPath.toFixed(0)} s simulated (${bound.chain.join(' → ')})`);
  console.log(`stage-by-stage baseline              ${bound.stageByStage.toFixed(0)} s simulated`);
  console.log(`measured create makespan             ${makespan.toFixed(0)} s simulated (time scale ${scale}; includes real HTTP overheads, scaled up)`);
  console.log(`  ratio to critical path             ${(makespan / bound.criticalPath).toFixed(2)} (target ≤ 1.10)`);
  console.log(`  ratio to stage-by-stage            ${(makespan / bound.stageByStage).toFixed(2)}`);
  if (bound.serialPools > bound.criticalPath) {
    console.log(`  vs. TPU pools one after another    ${bound.serialPools.toFixed(0)} s simulated: ${(makespan / bound.serialPools).toFixed(2)}×`);
  }
  console.log(`billable Workflows steps             create ${measured.createSteps}, delete ${measured.deleteSteps}`);
  console.log(`peak variables (limit 512 KB)        create ${kb(measured.createMemory)}, delete ${kb(measured.deleteMemory)}`);
  console.log(`wall time at time scale 0.001        create ${(fast.createMs / 1000).toFixed(1)} s, delete ${(fast.deleteMs / 1000).toFixed(1)} s; resources left after delete: ${fast.leftovers}`);
}

export async function provisioningBenchmark(): Promise<void> {
  await report('default spec (one TPU pool)', DEFAULT);
  await report('three TPU pools', THREE_POOLS);
}
