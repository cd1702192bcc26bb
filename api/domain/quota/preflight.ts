import { BASE_STEPS } from '../plan/base/ids.js';
import type { NormalisedSpec } from '../spec.js';
import { tpuType, type TpuType } from '../tpu.js';
import type { PreflightResult, Shortfall } from './schemas.js';

/**
 * The quota and capacity preflight, pure: what a spec needs of the target project's regional
 * Compute Engine quotas (and of a reservation it consumes), against what the project has.
 *
 * Where Google reports it: GKE's on-demand and Spot TPU slice node pools use Compute Engine API
 * quota (compute.googleapis.com), not the Cloud TPU API's (GKE "Troubleshoot TPUs in GKE",
 * https://cloud.google.com/kubernetes-engine/docs/troubleshooting/tpus#quota). For the TPU
 * families of our TPU table Compute Engine reports it with the other regional quotas in
 * `regions.get` → `quotas[]`: `TPU_LITE_PODSLICE_V5` / `PREEMPTIBLE_TPU_LITE_PODSLICE_V5` (v5e) and
 * `TPU_PODSLICE_V4` / `PREEMPTIBLE_TPU_PODSLICE_V4` (v4), in chips. Newer families (v5p, v6e)
 * appear only in the Cloud Quotas API (`quotaInfos`, e.g. `TPU-V6E-per-project-region`): when the
 * TPU table grows to them, the reader must ask that API too. The same `regions.get` answers the
 * vCPU quota per machine family (`CPUS` for N1, `N2_CPUS`, …; `PREEMPTIBLE_CPUS` for Spot VMs when
 * the project has any, https://cloud.google.com/compute/resource-usage), `IN_USE_ADDRESSES` (the
 * nodes are public: one external address each) and the disk totals (`DISKS_TOTAL_GB` for
 * pd-standard, `SSD_TOTAL_GB` for pd-balanced and pd-ssd). A pool that consumes a specific
 * reservation needs no TPU quota (same GKE page), but the reservation must exist in the pool's
 * zone, for its machine type, with room for its nodes.
 */

interface Range {
  min: number;
  max: number;
}

/** One thing the spec needs of one quota: `min` at creation (initial node counts), `max` fully scaled out. */
interface Need {
  for: string;
  /** The plan step that creates what needs it: a retry does not need it again once that step is done. */
  step: string;
  amount: Range;
  metric: string | { cpus: string; spot: boolean };
}

export interface RegionQuota {
  metric: string;
  limit: number;
  usage: number;
}

export interface ReservationFound {
  machineType: string;
  count: number;
  inUseCount: number;
}

/** v5p is not in the TPU table yet, and its quota is not in `regions.get`: it is not checked. */
const TPU_QUOTA: Partial<Record<TpuType['chip'], readonly [onDemand: string, spot: string]>> = {
  tpuv5e: ['TPU_LITE_PODSLICE_V5', 'PREEMPTIBLE_TPU_LITE_PODSLICE_V5'],
  tpuv4: ['TPU_PODSLICE_V4', 'PREEMPTIBLE_TPU_PODSLICE_V4'],
};

const diskMetric = (diskType: string) => (diskType === 'pd-standard' ? 'DISKS_TOTAL_GB' : 'SSD_TOTAL_GB');
const times = (r: Range, k: number): Range => ({ min: r.min * k, max: r.max * k });

/** The vCPUs of a predefined machine type (`n2-highmem-32` → 32). */
const vcpusOf = (machineType: string): number => Number(/-(\d+)$/.exec(machineType)?.[1] ?? NaN);

export function quotaNeeds(spec: NormalisedSpec): Need[] {
  const needs: Need[] = [];
  for (const pool of spec.cluster.tpuNodePools) {
    const type = tpuType(pool.tpuType)!;
    const hosts: Range = { min: pool.autoscaling ? 0 : type.hosts, max: type.hosts };
    const step = BASE_STEPS.tpuPool(pool.name);
    const what = `TPU pool ${pool.name} (${pool.tpuType})`;
    const tpuQuota = TPU_QUOTA[type.chip];
    if (tpuQuota && pool.reservation?.consumeReservationType !== 'SPECIFIC_RESERVATION') {
      needs.push({ for: what, step, amount: times(hosts, type.chipsPerVm), metric: tpuQuota[pool.spot ? 1 : 0] });
    }
    needs.push({ for: what, step, amount: times(hosts, pool.diskSizeGb), metric: diskMetric('pd-balanced') });
    needs.push({ for: what, step, amount: hosts, metric: 'IN_USE_ADDRESSES' });
  }
  for (const pool of spec.cluster.cpuNodePools) {
    const zones = (pool.zones ?? spec.zones).length;
    const nodes: Range = { min: pool.minNodeCount * zones, max: pool.maxNodeCount * zones };
    const what = `CPU pool ${pool.name} (${pool.machineType})`;
    const step = BASE_STEPS.cluster;
    const family = pool.machineType.split('-')[0]!;
    const vcpus = vcpusOf(pool.machineType);
    if (Number.isFinite(vcpus)) {
      const cpus = ['n1', 'f1', 'g1'].includes(family) ? 'CPUS' : `${family.toUpperCase()}_CPUS`;
      needs.push({ for: what, step, amount: times(nodes, vcpus), metric: { cpus, spot: pool.spot } });
    }
    needs.push({ for: what, step, amount: times(nodes, pool.diskSizeGb), metric: diskMetric(pool.diskType) });
    needs.push({ for: what, step, amount: nodes, metric: 'IN_USE_ADDRESSES' });
  }
  return needs;
}

/** Where to ask for more: the console's quota page and the Cloud Quotas command (quota ids as it names Compute's regional metrics). */
function increase(project: string, region: string, metric: string, preferred: number): Shortfall['increase'] {
  const quotaId = `${metric.replaceAll('_', '-')}-per-project-region`;
  return {
    console: `https://console.cloud.google.com/iam-admin/quotas?project=${encodeURIComponent(project)}`,
    command: `gcloud beta quotas preferences create --project=${project} --service=compute.googleapis.com --quota-id=${quotaId} --dimensions=region=${region} --preferred-value=${preferred}`,
  };
}

const TPU_METRICS = new Set<string>(Object.values(TPU_QUOTA).flat());

/**
 * Compares the needs with the region's quotas. `done`: steps this kind of operation already
 * completed (a retry), whose resources already count in the usage Google reports.
 */
export function checkQuotas(
  spec: NormalisedSpec,
  quotas: readonly RegionQuota[],
  reservations: ReadonlyMap<string, ReservationFound | null>,
  done: ReadonlySet<string> = new Set(),
): Extract<PreflightResult, { checked: true }> {
  const { project, region } = spec;
  const reported = new Map(quotas.map((q) => [q.metric, q]));
  const metricOf = (m: Need['metric']) =>
    typeof m === 'string' ? m : m.spot && (reported.get('PREEMPTIBLE_CPUS')?.limit ?? 0) > 0 ? 'PREEMPTIBLE_CPUS' : m.cpus;

  const totals = new Map<string, { amount: Range; for: Set<string> }>();
  for (const need of quotaNeeds(spec)) {
    if (done.has(need.step)) continue;
    const metric = metricOf(need.metric);
    const total = totals.get(metric) ?? { amount: { min: 0, max: 0 }, for: new Set<string>() };
    total.amount = { min: total.amount.min + need.amount.min, max: total.amount.max + need.amount.max };
    total.for.add(need.for);
    totals.set(metric, total);
  }

  const shortfalls: Shortfall[] = [];
  const warnings: string[] = [];
  const quotasChecked: Extract<PreflightResult, { checked: true }>['quotas'] = [];
  for (const [metric, { amount, for: users }] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
    if (amount.max === 0) continue;
    const quota = reported.get(metric);
    if (!quota) {
      // A region reports the TPU metrics of the families it offers; the others it has no quota for.
      if (TPU_METRICS.has(metric) && amount.min > 0) {
        shortfalls.push({ quota: metric, region, needed: amount.min, available: 0, limit: 0, usage: 0, for: [...users], increase: increase(project, region, metric, amount.min) });
      } else {
        warnings.push(`${metric} is not reported for ${region}: not checked`);
      }
      continue;
    }
    const available = Math.max(0, quota.limit - quota.usage);
    quotasChecked.push({ quota: metric, needed: amount, available, limit: quota.limit, usage: quota.usage });
    if (amount.min > available) {
      shortfalls.push({ quota: metric, region, needed: amount.min, available, limit: quota.limit, usage: quota.usage, for: [...users], increase: increase(project, region, metric, quota.usage + amount.min) });
    } else if (amount.max > available) {
      warnings.push(`${metric} in ${region}: scaling out fully needs ${amount.max}, ${available} available (limit ${quota.limit}, in use ${quota.usage})`);
    }
  }

  const reservationProblems: string[] = [];
  for (const need of reservationNeeds(spec)) {
    if (done.has(need.step)) continue;
    const found = reservations.get(reservationKey(need));
    if (!found) reservationProblems.push(`reservation ${need.name} does not exist in zone ${need.zone} (TPU pool ${need.pool})`);
    else if (found.machineType !== need.machineType) reservationProblems.push(`reservation ${need.name} is for ${found.machineType}; TPU pool ${need.pool} needs ${need.machineType}`);
    else if (found.count - found.inUseCount < need.nodes) {
      reservationProblems.push(`reservation ${need.name} has ${found.count - found.inUseCount} unused VMs in ${need.zone}; TPU pool ${need.pool} needs ${need.nodes}`);
    }
  }
  return { checked: true, project, region, quotas: quotasChecked, shortfalls, reservationProblems, warnings };
}

export interface ReservationNeed {
  pool: string;
  step: string;
  name: string;
  zone: string;
  machineType: string;
  nodes: number;
}

/** The reservations TPU pools consume by name (GKE: key `compute.googleapis.com/reservation-name`). */
export function reservationNeeds(spec: NormalisedSpec): ReservationNeed[] {
  return spec.cluster.tpuNodePools.flatMap((pool) => {
    const r = pool.reservation;
    if (r?.consumeReservationType !== 'SPECIFIC_RESERVATION') return [];
    const type = tpuType(pool.tpuType)!;
    return (r.values ?? []).map((name) => ({
      pool: pool.name, step: BASE_STEPS.tpuPool(pool.name), name, zone: pool.zones[0]!, machineType: type.machineType, nodes: pool.autoscaling ? 0 : type.hosts,
    }));
  });
}

export const reservationKey = (need: Pick<ReservationNeed, 'zone' | 'name'>) => `${need.zone}/${need.name}`;

/** One line for an operation's error: every shortfall with needed vs available. */
export function describeShortfalls(result: Extract<PreflightResult, { checked: true }>): string {
  return [
    ...result.shortfalls.map((s) => `quota ${s.quota} in ${s.region}: needs ${s.needed}, ${s.available} available (limit ${s.limit}, in use ${s.usage})`),
    ...result.reservationProblems,
  ].join('; ');
}
