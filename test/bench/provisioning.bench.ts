import { STAGE_NAMES } from '../../api/domain/environment.js';
import { buildPlan, criticalChain, criticalPath } from '../../api/domain/plan/index.js';
import { PRODUCTION_API_BASES, type PlanStep } from '../../api/domain/plan/types.js';
import { parseSpec } from '../../api/domain/validate.js';
import { DURATIONS, IAM_PROPAGATION_SECONDS, KUBE_DURATIONS, SA_PROPAGATION_SECONDS, imagePullSeconds, modelLoadSeconds } from '../../api/sandbox/index.js';
import { SAXML_IMAGES } from '../../api/domain/defaults.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { startLocalWorld } from '../support/local-world.js';

/**
 * The provisioning benchmark, for two specs: the default one with Saxml serving one model — LLaMA
 * 7B on the v5litepod-4 pool — behind the HTTP proxy, and the same with three TPU pools, a model on
 * each (issue 10: GKE creates node pools side by side). For each: the create's simulated makespan
 * against the plan's critical path (the lower bound: services → automation account → its roles
 * propagated → network → subnet → cluster → TPU pool → model server serving its model) and
 * against running the stages one after another; billable Workflows steps and the peak of their
 * variables per create and delete; and the wall time of a whole create/delete at a time scale
 * small enough to run in seconds.
 */

const model = (pool: string, id = 'llama7b') => ({
  id, modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e', checkpoint: 'gs://bench-checkpoints/llama-7b/checkpoint_00000000', tpuPool: pool,
});
const PROXY_IMAGE = 'us-docker.pkg.dev/my-project-1/demo-serving-images/saxml-proxy:1.0';
const SPEC = { ...SMALLEST_SPEC, saxml: { proxy: { image: PROXY_IMAGE }, models: [model('tpu-v5e-4')] } };
const POOLS = ['tpu-a', 'tpu-b', 'tpu-c'];
const THREE_POOLS = {
  ...SPEC,
  cluster: { tpuNodePools: POOLS.map((name) => ({ name, tpuType: 'v5litepod-4', zones: ['us-west1-c'] })) },
  saxml: { proxy: { image: PROXY_IMAGE }, models: POOLS.map((pool) => model(pool, `llama7b_${pool.slice(-1)}`)) },
};

/** The sandbox cluster's durations (api/sandbox/kubernetes/durations.ts) of the Saxml steps. */
const ADMIN_READY = imagePullSeconds(SAXML_IMAGES.adminServer) + KUBE_DURATIONS.adminStart;
const PROXY_READY = Math.max(imagePullSeconds(PROXY_IMAGE) + KUBE_DURATIONS.containerStart, KUBE_DURATIONS.loadBalancerCreate);
const MODEL_SERVING = imagePullSeconds(SAXML_IMAGES.modelServer) + KUBE_DURATIONS.modelServerStart + modelLoadSeconds(model('').modelPath);

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
  if (step.id === 'saxml.cell') return Math.max(ADMIN_READY, PROXY_READY);
  // Pulled, started, and the checkpoint loaded, from the moment the pool's node is up.
  if (step.id.startsWith('saxml.model-server.')) return MODEL_SERVING;
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
    workflowServiceAccount: 'wf@p.iam.gserviceaccount.com', serviceAccount: 'api@p.iam.gserviceaccount.com', includeBootstrap: true, purgeData: false,
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
    // The workflow's and the service's own accounts live in the service's project, not the environment's.
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
  console.log(`\n== Provisioning benchmark: ${label} (Saxml with the proxy; local engine + sandbox) ==`);
  console.log(`critical-path lower bound            ${bound.criticalPath.toFixed(0)} s simulated (${bound.chain.join(' → ')})`);
  console.log(`stage-by-stage baseline              ${bound.stageByStage.toFixed(0)} s simulated`);
  console.log(`measured create makespan             ${makespan.toFixed(0)} s simulated (time scale ${scale}; includes real HTTP overheads, scaled up)`);
  console.log(`  ratio to critical path             ${(makespan / bound.criticalPath).toFixed(2)} (target ≤ 1.10)`);
  console.log(`  ratio to stage-by-stage            ${(makespan / bound.stageByStage).toFixed(2)} (target ≤ 0.85)`);
  if (bound.serialPools > bound.criticalPath) {
    console.log(`  vs. TPU pools one after another    ${bound.serialPools.toFixed(0)} s simulated: ${(makespan / bound.serialPools).toFixed(2)}×`);
  }
  console.log(`billable Workflows steps             create ${measured.createSteps}, delete ${measured.deleteSteps}`);
  console.log(`peak variables (limit 512 KB)        create ${kb(measured.createMemory)}, delete ${kb(measured.deleteMemory)}`);
  console.log(`wall time at time scale 0.001        create ${(fast.createMs / 1000).toFixed(1)} s, delete ${(fast.deleteMs / 1000).toFixed(1)} s; resources left after delete: ${fast.leftovers}`);
}

export async function provisioningBenchmark(): Promise<void> {
  console.log(`\nsimulated Saxml durations            admin ready ${ADMIN_READY} s, proxy with its load balancer ${PROXY_READY} s, model server serving ${MODEL_SERVING} s`);
  await report('default spec, one LLaMA 7B model on the one TPU pool', SPEC);
  await report('three TPU pools, a LLaMA 7B model on each', THREE_POOLS);
}
