import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../../api/domain/cost/estimate.js';
import { DEFAULT_PRICES, PriceTableSchema } from '../../../api/domain/cost/prices.js';
import { costSoFar } from '../../../api/domain/cost/so-far.js';
import type { CostEstimate } from '../../../api/domain/cost/schemas.js';
import type { NormalisedSpec } from '../../../api/domain/spec.js';
import { parseSpec } from '../../../api/domain/validate.js';
import { body } from '../../support/fixtures.js';

/**
 * The estimate's arithmetic against figures worked out by hand from prices.json (each expected
 * value is written as the sum a person would do, so a reader can check it against the table).
 */

function spec(input: Record<string, unknown>): NormalisedSpec {
  const parsed = parseSpec(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

const line = (estimate: CostEstimate, item: RegExp) => {
  const found = estimate.lines.filter((l) => item.test(l.item));
  expect(found, `one line matching ${item}`).toHaveLength(1);
  return found[0]!;
};

const HOURS_PER_MONTH = 730;

describe('cost estimate: three specs worked by hand', () => {
  it("(1) the README's smallest spec in us-west1: a v5litepod-4 and the guide's four CPU pools", () => {
    const estimate = estimateCost(spec(body()), DEFAULT_PRICES);
    // us-west1: v5e $1.20/chip-hour; n1-standard-8 $0.38; n2-highmem-32 $2.09622;
    // pd-balanced $0.10 per GB-month (every boot disk: the CPU pools' default too); GKE $0.10;
    // external IP $0.005.
    const pdBalancedGbHour = 0.1 / HOURS_PER_MONTH;
    const tpu = 4 * 1.2;
    const tpuDisk = 200 * pdBalancedGbHour;
    const min = {
      // admin 1, default 1, large 0, proxy 1 VMs (one zone: the TPU pool's)
      vms: 3 * 0.38,
      disks: (100 + 200 + 100) * pdBalancedGbHour,
      ips: (1 + 1 + 1 + 0 + 1) * 0.005, // the TPU host and the three running CPU VMs
    };
    const max = {
      vms: (1 + 3 + 3) * 0.38 + 3 * 2.09622,
      disks: (100 + 3 * 200 + 3 * 500 + 3 * 100) * pdBalancedGbHour,
      ips: (1 + 1 + 3 + 3 + 3) * 0.005,
    };
    const hourlyMin = tpu + tpuDisk + min.vms + min.disks + 0.1 + min.ips;
    const hourlyMax = tpu + tpuDisk + max.vms + max.disks + 0.1 + max.ips;
    expect(hourlyMin).toBeCloseTo(6.14219, 5);
    expect(estimate.hourly.min).toBeCloseTo(hourlyMin, 4);
    expect(estimate.hourly.max).toBeCloseTo(hourlyMax, 4);
    expect(estimate.days30.min).toBeCloseTo(hourlyMin * 720, 2);
    expect(estimate.days30.max).toBeCloseTo(hourlyMax * 720, 2);
    expect(estimate.currency).toBe('USD');

    expect(line(estimate, /^TPU v5litepod-4/)).toMatchObject({ category: 'tpu', quantity: { min: 4, max: 4 }, unitPrice: 1.2, pricing: 'on-demand', hourly: { min: 4.8, max: 4.8 } });
    expect(line(estimate, /n2-highmem-32 VMs, pool large-workloads-node-pool/)).toMatchObject({ quantity: { min: 0, max: 3 }, hourly: { min: 0, max: 6.2887 } });
    expect(line(estimate, /GKE cluster management fee/).hourly).toEqual({ min: 0.1, max: 0.1 });
    expect(estimate.lines.some((l) => /forwarding rule|Cloud NAT/.test(l.item))).toBe(false);
    expect(estimate.unpriced).toEqual([]);
    expect(estimate.usageBased.map((u) => u.item)).toEqual(expect.arrayContaining([expect.stringMatching(/BigQuery/), expect.stringMatching(/Pub\/Sub/)]));
    expect(estimate.prices.map((p) => p.family)).toEqual(['disks', 'gke', 'machines', 'network', 'tpu']);
    expect(estimate.prices.every((p) => /^https:\/\/cloud\.google\.com\//.test(p.source) && /^\d{4}-\d\d-\d\d$/.test(p.asOf))).toBe(true);
  });

  it('(2) europe-west4: a Spot autoscaled v5litepod-8, one custom pd-ssd pool in two zones, Cloud NAT and a proxy load balancer', () => {
    const estimate = estimateCost(spec(body({
      region: 'europe-west4',
      perf: { enabled: false },
      network: { nat: true },
      saxml: { proxy: { image: 'europe-docker.pkg.dev/p/r/saxml-proxy:1' } },
      cluster: {
        tpuNodePools: [{ name: 'tpu', tpuType: 'v5litepod-8', zones: ['europe-west4-b'], spot: true, autoscaling: true, diskSizeGb: 100 }],
        cpuNodePools: [{ name: 'cpu', machineType: 'n2-highmem-32', minNodeCount: 2, maxNodeCount: 2, diskSizeGb: 50, diskType: 'pd-ssd', zones: ['europe-west4-a', 'europe-west4-b'] }],
      },
    })), DEFAULT_PRICES);
    // europe-west4: v5e Spot $0.44261/chip-hour; n2-highmem-32 $2.30765; pd-balanced $0.11, pd-ssd $0.187.
    const tpu = { min: 0, max: 8 * 0.44261 }; // 0 or 1 slice of 8 chips
    const tpuDisk = { min: 0, max: 100 * 0.11 / HOURS_PER_MONTH };
    const vms = 2 * 2 * 2.30765; // 2 nodes per zone × 2 zones
    const cpuDisk = 4 * 50 * 0.187 / HOURS_PER_MONTH;
    const ips = { min: 4 * 0.005, max: 4 * 0.005 + 1 * 0.0025 }; // on-demand VMs; the Spot TPU host
    const forwardingRule = 0.025;
    const nat = { min: 4 * 0.0014, max: 5 * 0.0014 }; // per VM, fewer than 32
    const hourlyMin = tpu.min + tpuDisk.min + vms + cpuDisk + 0.1 + ips.min + forwardingRule + nat.min;
    const hourlyMax = tpu.max + tpuDisk.max + vms + cpuDisk + 0.1 + ips.max + forwardingRule + nat.max;
    expect(hourlyMin).toBeCloseTo(9.43243, 5);
    expect(hourlyMax).toBeCloseTo(12.99228, 5);
    expect(estimate.hourly.min).toBeCloseTo(hourlyMin, 4);
    expect(estimate.hourly.max).toBeCloseTo(hourlyMax, 4);
    expect(estimate.days30.max).toBeCloseTo(hourlyMax * 720, 2);

    expect(line(estimate, /^TPU v5litepod-8/)).toMatchObject({ pricing: 'spot', quantity: { min: 0, max: 8 }, unitPrice: 0.44261 });
    expect(line(estimate, /Cloud NAT/)).toMatchObject({ quantity: { min: 4, max: 5 } });
    expect(line(estimate, /forwarding rule/).hourly).toEqual({ min: 0.025, max: 0.025 });
    expect(line(estimate, /Spot nodes/)).toMatchObject({ quantity: { min: 0, max: 1 }, unitPrice: 0.0025 });
    expect(estimate.usageBased.map((u) => u.item)).toContain('Cloud NAT data processing');
    expect(estimate.usageBased.some((u) => /BigQuery/.test(u.item))).toBe(false);
    expect(estimate.assumptions.some((a) => /one forwarding rule/.test(a))).toBe(true);
  });

  it('(3) v4-8 in us-central2, where the table prices TPUs but no CPU machine or disk: those lines are unpriced, not zero', () => {
    const estimate = estimateCost(spec(body({
      region: 'us-central2',
      cluster: { tpuNodePools: [{ name: 'tpu-v4', tpuType: 'v4-8', zones: ['us-central2-b'] }] },
    })), DEFAULT_PRICES);
    // us-central2: v4 $3.22/chip-hour; v4-8 has 4 chips on one host.
    const ips = { min: (1 + 3) * 0.005, max: (1 + 1 + 3 + 3 + 3) * 0.005 };
    expect(estimate.hourly.min).toBeCloseTo(4 * 3.22 + 0.1 + ips.min, 4);
    expect(estimate.hourly.max).toBeCloseTo(4 * 3.22 + 0.1 + ips.max, 4);
    expect(estimate.days30.min).toBeCloseTo((4 * 3.22 + 0.1 + ips.min) * 720, 2);
    // The TPU boot disk, and each of the four CPU pools' VMs and disks.
    expect(estimate.unpriced).toHaveLength(9);
    expect(estimate.unpriced.map((u) => u.reason)).toEqual(expect.arrayContaining([
      'no n1-standard-8 price for us-central2 in the price table',
      'no pd-balanced price for us-central2 in the price table',
    ]));
    expect(estimate.lines.some((l) => l.category === 'compute' || l.category === 'disk')).toBe(false);
  });
});

describe('price table', () => {
  it('prices every TPU type of the TPU table in the regions the sandbox offers them in, and the default machine types next to the v5e ones', () => {
    const v5eRegions = ['us-central1', 'us-south1', 'us-west1', 'us-west4', 'us-east1', 'us-east5', 'europe-west4', 'asia-southeast1'];
    for (const region of v5eRegions) {
      expect(DEFAULT_PRICES.families.tpu.prices.v5e![region], region).toBeDefined();
      expect(DEFAULT_PRICES.families.machines.prices['n2-highmem-32']![region], region).toBeDefined();
      expect(DEFAULT_PRICES.families.disks.prices['pd-standard']![region], region).toBeDefined();
    }
    expect(DEFAULT_PRICES.families.tpu.prices.v4!['us-central2']).toBeDefined();
  });

  it('a replacement table is validated: a price family without its source is refused', () => {
    const { source: _source, ...tpu } = DEFAULT_PRICES.families.tpu;
    const broken = { ...DEFAULT_PRICES, families: { ...DEFAULT_PRICES.families, tpu } };
    expect(PriceTableSchema.safeParse(broken).success).toBe(false);
    expect(PriceTableSchema.safeParse(DEFAULT_PRICES).success).toBe(true);
  });

  it('a replacement table changes the estimate: the same spec at other prices', () => {
    const cheaper = structuredClone(DEFAULT_PRICES);
    cheaper.families.tpu.prices.v5e!['us-west1'] = { onDemand: 1, spot: 0.1 };
    const base = estimateCost(spec(body()), DEFAULT_PRICES);
    const other = estimateCost(spec(body()), cheaper);
    expect(base.hourly.min - other.hourly.min).toBeCloseTo(4 * (1.2 - 1), 4);
  });
});

describe('cost so far', () => {
  const estimate = { currency: 'USD', hourly: { min: 2, max: 5 } };

  it('bills every hour but the DELETED ones at the estimate', () => {
    const record = {
      state: 'DELETED' as const,
      createTime: '2026-01-01T00:00:00.000Z',
      // 30 min creating, 10 h active, 15 min deleting, deleted since 10:45
      stateTimes: { since: '2026-01-01T10:45:00.000Z', seconds: { CREATING: 1800, ACTIVE: 36_000, DELETING: 900 } },
    };
    const so = costSoFar(record, estimate, '2026-01-02T10:45:00.000Z');
    expect(so.total).toEqual({ min: (0.5 + 10 + 0.25) * 2, max: (0.5 + 10 + 0.25) * 5 });
    expect(so.byState.find((s) => s.state === 'DELETED')).toEqual({ state: 'DELETED', hours: 24, amount: { min: 0, max: 0 } });
    expect(so.byState.find((s) => s.state === 'ACTIVE')!.amount).toEqual({ min: 20, max: 50 });
  });

  it('counts the current state up to the read', () => {
    const record = { state: 'ACTIVE' as const, createTime: '2026-01-01T00:00:00.000Z', stateTimes: { since: '2026-01-01T01:00:00.000Z', seconds: { CREATING: 3600 } } };
    expect(costSoFar(record, estimate, '2026-01-01T04:00:00.000Z').total).toEqual({ min: (1 + 3) * 2, max: (1 + 3) * 5 });
  });

  it('a record from before state times were kept counts its whole life in its current state', () => {
    const record = { state: 'ACTIVE' as const, createTime: '2026-01-01T00:00:00.000Z' };
    expect(costSoFar(record, estimate, '2026-01-01T02:00:00.000Z').total).toEqual({ min: 4, max: 10 });
  });
});
