import { monotonicFactory } from 'ulid';
import type { EnvironmentRecord } from '../../api/domain/environment.js';
import { newEnvironment } from '../../api/domain/new-environment.js';
import type { Plan } from '../../api/domain/plan/types.js';
import { EnvironmentSpecSchema } from '../../api/domain/spec.js';

/** The smallest body POST /environments accepts: everything else takes its default. */
export const SMALLEST_SPEC_BODY = {
  name: 'demo',
  project: 'my-project-1',
  region: 'us-west1',
  cluster: { tpuNodePools: [{ name: 'tpu-v5e-4', tpuType: 'v5litepod-4', zones: ['us-west1-c'] }] },
} as const;

/** No steps: stage counts stay at zero, as the store tests expect nothing of them. */
const EMPTY_PLAN: Plan = { kind: 'create', automation: { serviceAccount: '', tokenUrl: '' }, steps: [], schedule: [] };

// Monotonic, so ids made within one millisecond still sort in the order they were made, as the
// stores' newest-first listing assumes.
const nextUlid = monotonicFactory();

export const newEnvironmentId = (): string => `env-${nextUlid().toLowerCase()}`;

/**
 * A freshly created environment record. `name`, `project`, `region` and `labels` given as
 * overrides go into the spec too, so the record stays self-consistent; a given `spec` wins.
 */
export function newEnvironmentRecord(overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  const spec =
    overrides.spec ??
    EnvironmentSpecSchema.parse({
      ...SMALLEST_SPEC_BODY,
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
