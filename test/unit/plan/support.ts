import { buildPlan } from '../../../api/domain/plan/index.js';
import type { ApiBases, GoogleApi, Plan, PlanOptions, PlanStep } from '../../../api/domain/plan/types.js';
import type { NormalisedSpec } from '../../../api/domain/spec.js';
import { parseSpec } from '../../../api/domain/validate.js';
import { sandboxBases } from '../../../api/sandbox/index.js';

import { body, tpuPool, type Body } from '../../support/fixtures.js';

export { body, tpuPool, type Body } from '../../support/fixtures.js';

/** Every API at its own sandbox-like base, so a URL built from the wrong base (or hard-coded) shows. */
export const TEST_APIS: ApiBases = sandboxBases('http://127.0.0.1:8080/_sandbox');
export const API_BASE = 'http://127.0.0.1:8080';
export const ENVIRONMENT_ID = 'env-01jabcdefghjkmnpqrstvwxyz0';
export const WORKFLOW_SA = 'saxml-workflows@my-project-1.iam.gserviceaccount.com';
export const SERVICE_SA = 'saxml-api@svc-project.iam.gserviceaccount.com';

/** A spec as the API stores it: parsed, validated, defaults filled. */
export function specOf(b: Body = body()): NormalisedSpec {
  const r = parseSpec(b);
  if (!r.ok) throw new Error(`test spec refused: ${JSON.stringify(r.errors)}`);
  return r.spec;
}

export function options(overrides: Partial<PlanOptions> = {}): PlanOptions {
  return {
    kind: 'create',
    apis: TEST_APIS,
    apiBase: API_BASE,
    environmentId: ENVIRONMENT_ID,
    workflowServiceAccount: WORKFLOW_SA,
    serviceAccount: SERVICE_SA,
    includeBootstrap: false,
    purgeData: false,
    ...overrides,
  };
}

export const createPlan = (b: Body = body()) => buildPlan(specOf(b), options());
export const deletePlan = (b: Body = body(), includeBootstrap = false) => buildPlan(specOf(b), options({ kind: 'delete', includeBootstrap }));

/** The README's model: LLaMA 7B on the v5litepod-4 pool. */
export const MODEL = {
  id: 'llama7b', modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e', checkpoint: 'gs://ckpt/llama-7b/checkpoint_00000000', tpuPool: 'tpu-v5e-4',
};

/** The spec variants every DAG property is checked on. */
export const SCENARIOS: Record<string, Body> = {
  default: body(),
  'perf disabled': body({ perf: { enabled: false } }),
  'saxml disabled': body({ saxml: { enabled: false } }),
  'NAT on': body({ network: { nat: true } }),
  'existing network': body({
    network: { existing: { network: 'shared-vpc', subnet: 'shared-subnet', podsRangeName: 'gke-pods', servicesRangeName: 'gke-services' } },
  }),
  'two TPU pools': body({
    cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-v5e-8', tpuType: 'v5litepod-8', spot: true, autoscaling: true })] },
    saxml: { models: [MODEL, { ...MODEL, id: 'llama7b_b', tpuPool: 'tpu-v5e-8' }] },
  }),
  'no artifact registry, perf and saxml off': body({ artifactRegistry: { enabled: false }, perf: { enabled: false }, saxml: { enabled: false } }),
  'two service batches': body({
    bootstrap: {
      // Sorted first, they push pubsub, serviceusage and storage into a second batch.
      additionalServices: Array.from({ length: 9 }, (_, i) => `aa${String.fromCharCode(97 + i)}-extra.googleapis.com`),
    },
  }),
};

export const stepById = (plan: Plan, id: string): PlanStep => {
  const s = plan.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in the ${plan.kind} plan (has ${plan.steps.map((x) => x.id).join(', ')})`);
  return s;
};

/** The API a URL belongs to, by its base. */
export function apiOf(url: string): GoogleApi | undefined {
  return (Object.keys(TEST_APIS) as GoogleApi[]).find((api) => url.startsWith(`${TEST_APIS[api]}/`));
}

/** Every URL a step calls. */
export function urlsOf(step: PlanStep): string[] {
  switch (step.kind) {
    case 'resource':
      return [step.get?.url, step.create?.url, step.delete?.url].filter((u): u is string => !!u);
    case 'iamBinding':
      return [step.read.url, step.write.url];
    case 'api':
      return [step.call.url, step.status.url];
  }
}

/** Transitive `after` closure per step id. */
export function closure(steps: readonly PlanStep[]): Map<string, Set<string>> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const memo = new Map<string, Set<string>>();
  const visit = (id: string, stack: Set<string>): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    if (stack.has(id)) throw new Error(`cycle through ${id}`);
    stack.add(id);
    const all = new Set<string>();
    for (const dep of byId.get(id)?.after ?? []) {
      all.add(dep);
      for (const a of visit(dep, stack)) all.add(a);
    }
    stack.delete(id);
    memo.set(id, all);
    return all;
  };
  for (const s of steps) visit(s.id, new Set());
  return memo;
}
