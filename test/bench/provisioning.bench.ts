import { STAGE_NAMES } from '../../api/domain/environment.js';
import { buildPlan, criticalPath } from '../../api/domain/plan/index.js';
import { PRODUCTION_API_BASES, type PlanStep } from '../../api/domain/plan/types.js';
import { parseSpec } from '../../api/domain/validate.js';
import { DURATIONS, KUBE_DURATIONS, imagePullSeconds, modelLoadSeconds } from '../../api/sandbox/index.js';
import { SAXML_IMAGES } from '../../api/domain/defaults.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { startLocalWorld } from '../support/local-world.js';

/**
 * The provisioning benchmark. For the default spec with Saxml (the default) serving one model —
 * LLaMA 7B on the v5litepod-4 pool — behind the HTTP proxy: the create's simulated makespan
 * against the plan's critical path (the lower bound: services → network → subnet → cluster → TPU
 * pool → model server serving its model) and against running the stages one after another;
 * billable Workflows steps per create and delete; and the wall time of a whole create/delete at a
 * time scale small enough to run in seconds.
 */

const MODEL = { id: 'llama7b', modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e', checkpoint: 'gs://bench-checkpoints/llama-7b/checkpoint_00000000', tpuPool: 'tpu-v5e-4' };
const PROXY_IMAGE = 'us-docker.pkg.dev/my-project-1/demo-serving-images/saxml-proxy:1.0';
const SPEC = { ...SMALLEST_SPEC, saxml: { proxy: { image: PROXY_IMAGE }, models: [MODEL] } };

/** The sandbox cluster's durations (api/sandbox/kubernetes/durations.ts) of the Saxml steps. */
const ADMIN_READY = imagePullSeconds(SAXML_IMAGES.adminServer) + KUBE_DURATIONS.adminStart;
const PROXY_READY = Math.max(imagePullSeconds(PROXY_IMAGE) + KUBE_DURATIONS.containerStart, KUBE_DURATIONS.loadBalancerCreate);
const MODEL_SERVING = imagePullSeconds(SAXML_IMAGES.modelServer) + KUBE_DURATIONS.modelServerStart + modelLoadSeconds(MODEL.modelPath);

/** Simulated seconds a step takes in the sandbox: its long-running operation, if any. */
function simulatedSeconds(step: PlanStep): number {
  if (step.id.startsWith('bootstrap.services')) return DURATIONS.services;
  if (step.id === 'base.network') return DURATIONS.network;
  if (step.id === 'base.subnet') return DURATIONS.subnetwork;
  if (step.id === 'base.cluster') return DURATIONS.cluster;
  if (step.id.startsWith('base.tpu-pool.')) return DURATIONS.tpuNodePool;
  if (step.id === 'saxml.cell') return Math.max(ADMIN_READY, PROXY_READY);
  // Pulled, started, and the checkpoint loaded, from the moment the pool's node is up.
  if (step.id.startsWith('saxml.model-server.')) return MODEL_SERVING;
  if (step.kind === 'resource' && step.create && step.create.poll.style !== 'none') return DURATIONS.other;
  return 0;
}

function bounds(): { criticalPath: number; stageByStage: number } {
  const parsed = parseSpec(SPEC);
  if (!parsed.ok) throw new Error('default spec invalid');
  const plan = buildPlan(parsed.spec, {
    kind: 'create', apis: PRODUCTION_API_BASES, apiBase: 'https://api.example', environmentId: 'env-bench',
    workflowServiceAccount: 'wf@p.iam.gserviceaccount.com', serviceAccount: 'api@p.iam.gserviceaccount.com', includeBootstrap: true, purgeData: false,
  });
  const stageByStage = STAGE_NAMES.reduce((sum, stage) => {
    const steps = plan.steps.filter((s) => s.stage === stage);
    const ids = new Set(steps.map((s) => s.id));
    return sum + criticalPath(steps.map((s) => ({ ...s, after: s.after.filter((a) => ids.has(a)) })), simulatedSeconds);
  }, 0);
  return { criticalPath: criticalPath(plan.steps, simulatedSeconds), stageByStage };
}

async function lifecycle(timeScale: number) {
  const world = await startLocalWorld({ timeScale });
  try {
    const started = performance.now();
    const res = await world.request('/environments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SPEC) });
    const { id } = (await res.json()) as { id: string };
    const created = await world.settle(id);
    const createMs = performance.now() - started;
    if (created.state !== 'ACTIVE') throw new Error(`create ended ${created.state}: ${JSON.stringify(created.operation?.error)}`);
    const createSteps = (await world.engine.get(created.operation!.executionName!)).billableSteps;

    const deleteStarted = performance.now();
    await world.request(`/environments/${id}?deleteBootstrap=true`, { method: 'DELETE' });
    const deleted = await world.settle(id);
    const deleteMs = performance.now() - deleteStarted;
    if (deleted.state !== 'DELETED') throw new Error(`delete ended ${deleted.state}`);
    const deleteSteps = (await world.engine.get(deleted.operation!.executionName!)).billableSteps;
    // The workflow's own account lives in the service's project, not the environment's.
    const leftovers = world.sandbox.inventory().filter((r) => r.project !== 'local-sandbox').length;
    return { createMs, deleteMs, createSteps, deleteSteps, leftovers };
  } finally {
    await world.stop();
  }
}

export async function provisioningBenchmark(): Promise<void> {
  const { criticalPath: lower, stageByStage } = bounds();
  // At 0.05 a simulated minute takes 3 s: long enough that real HTTP overheads (scaled up 20×
  // when converted to simulated time) stay a small share of the makespan.
  const scale = 0.05;
  const measured = await lifecycle(scale);
  const makespan = measured.createMs / 1000 / scale;
  const fast = await lifecycle(0.001);
  console.log('\n== Provisioning benchmark (default spec, Saxml with one LLaMA 7B model and the proxy; local engine + sandbox) ==');
  console.log(`simulated Saxml durations            admin ready ${ADMIN_READY} s, proxy with its load balancer ${PROXY_READY} s, model server serving ${MODEL_SERVING} s`);
  console.log(`critical-path lower bound            ${lower.toFixed(0)} s simulated`);
  console.log(`stage-by-stage baseline              ${stageByStage.toFixed(0)} s simulated`);
  console.log(`measured create makespan             ${makespan.toFixed(0)} s simulated (time scale ${scale}; includes real HTTP overheads, scaled up)`);
  console.log(`  ratio to critical path             ${(makespan / lower).toFixed(2)} (target ≤ 1.10)`);
  console.log(`  ratio to stage-by-stage            ${(makespan / stageByStage).toFixed(2)} (target ≤ 0.85)`);
  console.log(`billable Workflows steps             create ${measured.createSteps}, delete ${measured.deleteSteps}`);
  console.log(`wall time at time scale 0.001        create ${(fast.createMs / 1000).toFixed(1)} s, delete ${(fast.deleteMs / 1000).toFixed(1)} s; resources left after delete: ${fast.leftovers}`);
}
