import { describe, expect, it } from 'vitest';
import { checkQuotas, type RegionQuota } from '../../../api/domain/quota/preflight.js';
import type { NormalisedSpec } from '../../../api/domain/spec.js';
import { parseSpec } from '../../../api/domain/validate.js';
import { body, tpuPool } from '../../support/fixtures.js';

function spec(input: Record<string, unknown>): NormalisedSpec {
  const parsed = parseSpec(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

const quotas = (over: Record<string, [limit: number, usage: number]> = {}): RegionQuota[] =>
  Object.entries<[number, number]>({ CPUS: [96, 0], N2_CPUS: [96, 0], PREEMPTIBLE_CPUS: [0, 0], IN_USE_ADDRESSES: [32, 0], DISKS_TOTAL_GB: [4096, 0], SSD_TOTAL_GB: [4096, 0], TPU_LITE_PODSLICE_V5: [32, 0], PREEMPTIBLE_TPU_LITE_PODSLICE_V5: [64, 0], ...over })
    .map(([metric, [limit, usage]]) => ({ metric, limit, usage }));

describe('quota preflight (pure)', () => {
  it("the README's spec needs 4 v5e chips, 24 N1 vCPUs, 4 addresses and 600 GB SSD (every boot disk is pd-balanced) at creation", () => {
    const result = checkQuotas(spec(body()), quotas(), new Map());
    expect(result.shortfalls).toEqual([]);
    const needed = Object.fromEntries(result.quotas.map((q) => [q.quota, q.needed]));
    expect(needed).toEqual({
      CPUS: { min: 3 * 8, max: 7 * 8 }, // admin 1 + default 1–3 + proxy 1–3 n1-standard-8
      N2_CPUS: { min: 0, max: 3 * 32 }, // large-workloads 0–3 n2-highmem-32
      // pd-balanced counts as SSD: the CPU pools' boot disks and the TPU host's
      SSD_TOTAL_GB: { min: 100 + 200 + 100 + 200, max: 100 + 600 + 1500 + 300 + 200 },
      IN_USE_ADDRESSES: { min: 1 + 3, max: 1 + 10 },
      TPU_LITE_PODSLICE_V5: { min: 4, max: 4 },
    });
    expect(result.warnings).toEqual([]);
  });

  it('names each shortfall with needed vs available, and warns about what only the fully scaled-out pools would not fit', () => {
    const result = checkQuotas(spec(body()), quotas({ TPU_LITE_PODSLICE_V5: [16, 14], N2_CPUS: [48, 0] }), new Map());
    expect(result.shortfalls).toEqual([expect.objectContaining({ quota: 'TPU_LITE_PODSLICE_V5', region: 'us-west1', needed: 4, available: 2, limit: 16, usage: 14, for: ['TPU pool tpu-v5e-4 (v5litepod-4)'] })]);
    expect(result.warnings).toEqual(['N2_CPUS in us-west1: scaling out fully needs 96, 48 available (limit 48, in use 0)']);
  });

  it('Spot CPU pools count against PREEMPTIBLE_CPUS only when the project has some; Spot TPU pools against the preemptible TPU metric', () => {
    const spot = spec(body({ cluster: { tpuNodePools: [tpuPool({ spot: true })], cpuNodePools: [{ name: 'cpu', machineType: 'n1-standard-8', spot: true }] } }));
    const without = checkQuotas(spot, quotas(), new Map());
    expect(without.quotas.map((q) => q.quota)).toEqual(expect.arrayContaining(['CPUS', 'PREEMPTIBLE_TPU_LITE_PODSLICE_V5']));
    expect(without.quotas.map((q) => q.quota)).not.toContain('TPU_LITE_PODSLICE_V5');
    const withPreemptible = checkQuotas(spot, quotas({ PREEMPTIBLE_CPUS: [16, 0] }), new Map());
    expect(withPreemptible.quotas.find((q) => q.quota === 'PREEMPTIBLE_CPUS')?.needed).toEqual({ min: 8, max: 8 });
  });

  it('a TPU family the region does not report has no quota there; a retry does not count what its create already made', () => {
    const noTpu = quotas().filter((q) => !q.metric.includes('TPU'));
    expect(checkQuotas(spec(body()), noTpu, new Map()).shortfalls).toEqual([expect.objectContaining({ quota: 'TPU_LITE_PODSLICE_V5', needed: 4, available: 0 })]);
    const retry = checkQuotas(spec(body()), noTpu, new Map(), new Set(['base.cluster', 'base.tpu-pool.tpu-v5e-4']));
    expect(retry.shortfalls).toEqual([]);
    expect(retry.quotas).toEqual([]);
  });

  it('a consumed reservation must exist in the zone, for the machine type, with room; it replaces TPU quota', () => {
    const reserved = spec(body({ cluster: { tpuNodePools: [tpuPool({ reservation: { consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['r1'] } })] } }));
    const noTpuQuota = quotas({ TPU_LITE_PODSLICE_V5: [0, 0] });
    expect(checkQuotas(reserved, noTpuQuota, new Map([['us-west1-c/r1', null]])).reservationProblems).toEqual(['reservation r1 does not exist in zone us-west1-c (TPU pool tpu-v5e-4)']);
    expect(checkQuotas(reserved, noTpuQuota, new Map([['us-west1-c/r1', { machineType: 'ct4p-hightpu-4t', count: 1, inUseCount: 0 }]])).reservationProblems)
      .toEqual(['reservation r1 is for ct4p-hightpu-4t; TPU pool tpu-v5e-4 needs ct5lp-hightpu-4t']);
    expect(checkQuotas(reserved, noTpuQuota, new Map([['us-west1-c/r1', { machineType: 'ct5lp-hightpu-4t', count: 2, inUseCount: 2 }]])).reservationProblems)
      .toEqual(['reservation r1 has 0 unused VMs in us-west1-c; TPU pool tpu-v5e-4 needs 1']);
    const fits = checkQuotas(reserved, noTpuQuota, new Map([['us-west1-c/r1', { machineType: 'ct5lp-hightpu-4t', count: 2, inUseCount: 1 }]]));
    expect(fits).toMatchObject({ shortfalls: [], reservationProblems: [] });
  });
});
