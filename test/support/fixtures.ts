import { monotonicFactory } from 'ulid';
import type { EnvironmentRecord } from '../../api/domain/environment.js';
import { newEnvironment } from '../../api/domain/new-environment.js';
import type { Plan } from '../../api/domain/plan/types.js';
import type { NormalisedSpec } from '../../api/domain/spec.js';
import { parseSpec } from '../../api/domain/validate.js';

/**
 * The one spec fixture of the tests. The smallest body POST /environments accepts (the README's):
 * everything else takes its default.
 */
const SMALLEST_TPU_POOL = { name: 'tpu-v5e-4', tpuType: 'v5litepod-4', zones: ['us-west1-c'] };
export const SMALLEST_SPEC = {
  name: 'demo',
  project: 'my-project-1',
  region: 'us-west1',
  cluster: { tpuNodePools: [SMALLEST_TPU_POOL] },
};

/** One LLaMA 7B model on the smallest body's TPU pool (the guide's example model). */
export const LLAMA_7B = {
  id: 'llama7b',
  modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e',
  checkpoint: 'gs://demo-checkpoints/llama-7b/checkpoint_00000000',
  tpuPool: SMALLEST_TPU_POOL.name,
};

/** A JSON request body, as a client sends it: loose, so tests can send unknown fields and wrong types. */
export type Body = Record<string, unknown>;

/** A TPU pool like the smallest body's, with overrides. */
export const tpuPool = (overrides: Body = {}): Body => ({ ...structuredClone(SMALLEST_TPU_POOL), ...overrides });

/** The smallest body with top-level fields replaced (a fresh copy every call). */
export function body(overrides: Body = {}): Body {
  return { ...(structuredClone(SMALLEST_SPEC) as Body), ...overrides };
}

/** No steps: stage counts stay at zero, as the store tests expect nothing of them. */
const EMPTY_PLAN: Plan = { kind: 'create', automation: { serviceAccount: '', tokenUrl: '' }, steps: [], schedule: [] };

// Monotonic, so ids made within one millisecond still sort in the order they were made, as the
// stores' newest-first listing assumes.
const nextUlid = monotonicFactory();

export const newEnvironmentId = (): string => `env-${nextUlid().toLowerCase()}`;

/** A spec as a create stores it: parsed and completed (default zones), like `parseSpec` does for POST. */
function normalised(body: Body): NormalisedSpec {
  const result = parseSpec(body);
  if (!result.ok) throw new Error(`fixture spec is invalid: ${JSON.stringify(result.errors)}`);
  return result.spec;
}

/**
 * A freshly created environment record. `name`, `project`, `region` and `labels` given as
 * overrides go into the spec too, so the record stays self-consistent; a given `spec` wins.
 */
export function newEnvironmentRecord(overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  const spec = overrides.spec ?? normalised({
    ...SMALLEST_SPEC,
    ...(overrides.name !== undefined && { name: overrides.name }),
    ...(overrides.project !== undefined && { project: overrides.project }),
    ...(overrides.region !== undefined && { region: overrides.region }),
    ...(overrides.labels !== undefined && { labels: overrides.labels }),
  });
  // The record a create makes, without its operation (tests add the one they need).
  const { operation: _operation, ...created } = newEnvironment(spec, {
    id: newEnvironmentId(), operationId: 'op-unused', time: new Date().toISOString(), createdBy: 'user:test@example.com', plan: EMPTY_PLAN,
  }).record;
  return { ...created, ...overrides };
}
