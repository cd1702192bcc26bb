import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuNodePoolBody, tpuNodePoolBody } from '../../../api/domain/plan/index.js';
import type { Plan } from '../../../api/domain/plan/types.js';
import { resourceNames } from '../../../api/domain/naming.js';
import { TpuNodePoolSchema } from '../../../api/domain/spec.js';
import { BOOTSTRAP_LABEL, ENVIRONMENT_LABEL } from '../../../api/domain/plan/marks.js';
import { ENVIRONMENT_ID, body, createPlan, specOf, stepById, tpuPool } from './support.js';

// The golden files in ./golden were written by hand from the reference guide (§2.1 row 4, §2.3,
// §2.4) with its defects avoided, field by field — they are the specification, the code must match.

const golden = (file: string): unknown => JSON.parse(readFileSync(new URL(`./golden/${file}`, import.meta.url), 'utf8'));

function createBody(plan: Plan, id: string): unknown {
  const step = stepById(plan, id);
  if (step.kind !== 'resource' || !step.create) throw new Error(`${id} is not a create step`);
  return step.create.body;
}

/**
 * A body as the guide would write it: without the environment's ownership mark (ours, not the
 * guide's; asserted on its own below). A label map left empty goes with it.
 */
function guideBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(guideBody);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'resourceLabels' || k === 'labels') && v && typeof v === 'object' && ENVIRONMENT_LABEL in v) {
      const { [ENVIRONMENT_LABEL]: _mark, ...rest } = v as Record<string, unknown>;
      if (Object.keys(rest).length) out[k] = rest;
      continue;
    }
    out[k] = guideBody(v);
  }
  return out;
}
const guideCreateBody = (plan: Plan, id: string) => guideBody(createBody(plan, id));

describe('golden request bodies', () => {
  it('cluster: regional, VPC-native, Workload Identity, the guide’s four CPU pools inline', () => {
    expect(guideCreateBody(createPlan(), 'base.cluster')).toStrictEqual(golden('cluster.create.json'));
  });

  it('TPU pool: the default single-host v5e slice', () => {
    expect(guideCreateBody(createPlan(), 'base.tpu-pool.tpu-v5e-4')).toStrictEqual(golden('tpu-pool.v5litepod-4.json'));
  });

  it('TPU pool: spot, autoscaled 0–1, a smaller disk', () => {
    const plan = createPlan(body({
      cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-v5e-8', tpuType: 'v5litepod-8', spot: true, autoscaling: true, diskSizeGb: 100 })] },
    }));
    expect(guideCreateBody(plan, 'base.tpu-pool.tpu-v5e-8')).toStrictEqual(golden('tpu-pool.v5litepod-8.spot-autoscaling.json'));
  });

  it('TPU pool: v4 consuming a specific reservation', () => {
    const plan = createPlan(body({
      region: 'us-central2',
      cluster: {
        tpuNodePools: [tpuPool({
          name: 'tpu-v4-8', tpuType: 'v4-8', zones: ['us-central2-b'],
          reservation: { consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['tpu-v4-reservation'] },
        })],
      },
    }));
    expect(guideCreateBody(plan, 'base.tpu-pool.tpu-v4-8')).toStrictEqual(golden('tpu-pool.v4-8.reservation.json'));
  });

  it('CPU pool: own zones, fixed size (no autoscaling), spot, SSD, labels and a taint', () => {
    const spec = specOf(body({
      region: 'us-central1',
      cluster: {
        tpuNodePools: [tpuPool({ zones: ['us-central1-a'] })],
        cpuNodePools: [{
          name: 'batch-pool', machineType: 'e2-standard-4', diskType: 'pd-ssd', minNodeCount: 2, maxNodeCount: 2,
          zones: ['us-central1-a', 'us-central1-b'], labels: { workload: 'batch' }, spot: true,
          taints: [{ key: 'dedicated', value: 'batch', effect: 'PREFER_NO_SCHEDULE' }],
        }],
      },
    }));
    expect(cpuNodePoolBody(spec, resourceNames(spec), spec.cluster.cpuNodePools[0]!)).toStrictEqual(golden('cpu-pool.custom.json'));
    // And the same body is what the cluster creates inline.
    const cluster = guideCreateBody(createPlan(body({ region: 'us-central1', cluster: spec.cluster })), 'base.cluster') as { cluster: { nodePools: unknown[] } };
    expect(cluster.cluster.nodePools).toStrictEqual([golden('cpu-pool.custom.json')]);
  });
});

describe('request body variants', () => {
  it('an existing network: the cluster names it, its subnet and its ranges', () => {
    const plan = createPlan(body({
      network: { existing: { network: 'shared-vpc', subnet: 'shared-subnet', podsRangeName: 'gke-pods', servicesRangeName: 'gke-services' } },
    }));
    const { cluster } = createBody(plan, 'base.cluster') as { cluster: Record<string, unknown> };
    expect(cluster).toMatchObject({
      network: 'shared-vpc',
      subnetwork: 'shared-subnet',
      ipAllocationPolicy: { useIpAliases: true, clusterSecondaryRangeName: 'gke-pods', servicesSecondaryRangeName: 'gke-services' },
    });
    expect(stepById(plan, 'base.cluster').outputs).toMatchObject({ network: 'shared-vpc', subnet: 'shared-subnet' });
  });

  it('spec labels and the environment’s mark reach the labelled resources, and no body has an empty label map otherwise', () => {
    const labelled = createPlan(body({ labels: { team: 'ml', env: 'dev' } }));
    const labels = { team: 'ml', env: 'dev', [ENVIRONMENT_LABEL]: ENVIRONMENT_ID };
    expect((createBody(labelled, 'base.cluster') as { cluster: { resourceLabels: unknown } }).cluster.resourceLabels).toEqual(labels);
    for (const id of ['base.bucket.admin', 'base.bucket.models', 'base.artifact-registry', 'perf.topic', 'perf.dataset', 'perf.table', 'perf.subscription']) {
      expect((createBody(labelled, id) as { labels: unknown }).labels, id).toEqual(labels);
    }
    // Node pools carry the mark as the labels of their VMs (their `labels` are Kubernetes node labels).
    const cluster = createBody(labelled, 'base.cluster') as { cluster: { nodePools: { config: { resourceLabels: unknown } }[] } };
    for (const pool of cluster.cluster.nodePools) expect(pool.config.resourceLabels).toEqual({ [ENVIRONMENT_LABEL]: ENVIRONMENT_ID });
    expect((createBody(labelled, 'base.tpu-pool.tpu-v5e-4') as { nodePool: { config: { resourceLabels: unknown } } }).nodePool.config.resourceLabels)
      .toEqual({ [ENVIRONMENT_LABEL]: ENVIRONMENT_ID });
    // The automation bucket is the project's bootstrap's, not the environment's.
    expect((createBody(labelled, 'bootstrap.automation-bucket') as { labels: unknown }).labels).toEqual({ [BOOTSTRAP_LABEL]: 'my-project-1' });
    expect(JSON.stringify(createPlan())).not.toMatch(/"(labels|resourceLabels)":\{\}/);
  });

  it('a multi-host slice (refused by validation today) would get every VM and a COMPACT placement', () => {
    const spec = specOf();
    const pool = TpuNodePoolSchema.parse({ name: 'tpu-v5e-16', tpuType: 'v5litepod-16', zones: ['us-west1-c'] });
    expect(tpuNodePoolBody(resourceNames(spec), pool)).toMatchObject({
      initialNodeCount: 4,
      placementPolicy: { type: 'COMPACT', tpuTopology: '4x4' },
      config: { machineType: 'ct5lp-hightpu-4t' },
    });
    const single = tpuNodePoolBody(resourceNames(spec), TpuNodePoolSchema.parse(tpuPool()));
    expect(single).not.toHaveProperty('placementPolicy');
    expect(() => tpuNodePoolBody(resourceNames(spec), TpuNodePoolSchema.parse(tpuPool({ tpuType: 'v9-9000' })))).toThrow(/unknown TPU type/);
  });

  it('never gives a TPU pool a disk type (ct5lp machines reject pd-standard)', () => {
    const plan = createPlan(body({ cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'b', tpuType: 'v5litepod-1' })] } }));
    for (const step of plan.steps.filter((s) => s.id.startsWith('base.tpu-pool.'))) {
      expect((createBody(plan, step.id) as { nodePool: { config: object } }).nodePool.config).not.toHaveProperty('diskType');
    }
  });
});
