import { monotonicFactory } from 'ulid';
import { STAGE_NAMES, type EnvironmentRecord, emptyProgress } from '../../api/domain/environment.js';
import { EnvironmentSpecSchema } from '../../api/domain/spec.js';

/** The smallest body POST /environments accepts: everything else takes its default. */
export const SMALLEST_SPEC_BODY = {
  name: 'demo',
  project: 'my-project-1',
  region: 'us-west1',
  cluster: { tpuNodePools: [{ name: 'tpu-v5e-4', tpuType: 'v5litepod-4', zones: ['us-west1-c'] }] },
} as const;

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
  const now = new Date().toISOString();
  return {
    id: newEnvironmentId(),
    name: spec.name,
    project: spec.project,
    region: spec.region,
    labels: spec.labels,
    spec,
    state: 'CREATING',
    stages: STAGE_NAMES.map((name) => ({ name, state: 'PENDING' as const, steps: { total: 0, done: 0, failed: 0 } })),
    outputs: {},
    progress: emptyProgress(),
    createTime: now,
    updateTime: now,
    createdBy: 'user:test@example.com',
    version: 1,
    ...overrides,
  };
}
