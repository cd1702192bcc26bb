/**
 * Regional Compute Engine quotas, as `regions.get` reports them (`quotas[]`: metric, limit, usage)
 * and as the resources the sandbox creates consume them. GKE node pools use Compute Engine quota:
 * vCPUs per machine family, TPU chips per TPU family (the `TPU_*_PODSLICE_*` metrics, or their
 * `PREEMPTIBLE_` twins for Spot), boot disk GB and one in-use external address per node (the
 * clusters the plan makes have public nodes). Limits are the defaults below unless a test (or a
 * developer) sets a project's own through the faults endpoint (`quotas`).
 *
 * What a machine type costs in quota is worked out here from its name, independently of the API's
 * own preflight (api/domain/quota/): the sandbox is the judge of the service, not its copy.
 */
import { quotaExceeded } from './errors.js';
import { tpuGenerationOf, tpuRegions } from '../domain/locations.js';
import { poolZones, regionOf, type PoolBody } from './container-model.js';
import type { ClusterRec, World } from './state.js';

/**
 * Limits of a project that set none. Chosen, not Google's (which differ per project and grow with
 * billing history): large enough for twenty default environments per project and region.
 */
export const DEFAULT_LIMITS: Readonly<Record<string, number>> = {
  CPUS: 480,
  N2_CPUS: 480,
  N2D_CPUS: 480,
  E2_CPUS: 480,
  C2_CPUS: 480,
  // 0: Spot VMs then count against the family's standard quota, as on Google.
  PREEMPTIBLE_CPUS: 0,
  IN_USE_ADDRESSES: 128,
  DISKS_TOTAL_GB: 40_960,
  SSD_TOTAL_GB: 20_480,
  TPU_LITE_PODSLICE_V5: 64,
  PREEMPTIBLE_TPU_LITE_PODSLICE_V5: 64,
  TPU_PODSLICE_V4: 32,
  PREEMPTIBLE_TPU_PODSLICE_V4: 32,
};

/** TPU machine-type prefix → [on-demand metric, Spot metric], chips from the `-<n>t` suffix. */
const TPU_METRICS: Record<string, readonly [string, string]> = {
  ct5lp: ['TPU_LITE_PODSLICE_V5', 'PREEMPTIBLE_TPU_LITE_PODSLICE_V5'],
  ct4p: ['TPU_PODSLICE_V4', 'PREEMPTIBLE_TPU_PODSLICE_V4'],
};

/** Whether a region reports a metric: TPU metrics only where the family is offered. */
function reported(metric: string, region: string): boolean {
  const family = Object.entries(TPU_METRICS).find(([, metrics]) => metrics.includes(metric))?.[0];
  if (!family) return true;
  const generation = tpuGenerationOf(family);
  return generation !== undefined && tpuRegions(generation).includes(region);
}

/** The limit a project has for a metric in a region (a project's own, else the default), if the region reports it. */
export function limitOf(world: World, project: string, region: string, metric: string): number | undefined {
  if (!reported(metric, region)) return undefined;
  const own = world.faults.get().quotas.find((q) => q.project === project && q.metric === metric && (q.region === undefined || q.region === region));
  return own?.limit ?? DEFAULT_LIMITS[metric] ?? undefined;
}

type Demand = Map<string, number>;
const add = (demand: Demand, metric: string, amount: number) => demand.set(metric, (demand.get(metric) ?? 0) + amount);

/** Quota one node pool's nodes use (`nodes`: every zone's, in total). */
function poolDemand(world: World, project: string, region: string, pool: PoolBody, nodes: number, demand: Demand): void {
  if (nodes === 0) return;
  const config = pool.config ?? {};
  const machineType = config.machineType ?? 'e2-medium';
  const spot = config.spot === true || config.preemptible === true;
  const family = machineType.split('-')[0]!;
  const tpu = TPU_METRICS[family];
  const reservation = (config.reservationAffinity as { consumeReservationType?: string } | undefined)?.consumeReservationType;
  if (tpu) {
    // A pool consuming a specific reservation uses the reservation, not quota.
    if (reservation !== 'SPECIFIC_RESERVATION') add(demand, spot ? tpu[1] : tpu[0], nodes * Number(/-(\d+)t$/.exec(machineType)?.[1] ?? 1));
  } else {
    const cpus = Number(/-(\d+)$/.exec(machineType)?.[1] ?? 2) * nodes;
    const standard = ['n1', 'f1', 'g1'].includes(family) ? 'CPUS' : `${family.toUpperCase()}_CPUS`;
    add(demand, spot && (limitOf(world, project, region, 'PREEMPTIBLE_CPUS') ?? 0) > 0 ? 'PREEMPTIBLE_CPUS' : standard, cpus);
  }
  const diskType = typeof config.diskType === 'string' ? config.diskType : 'pd-balanced';
  add(demand, diskType === 'pd-standard' ? 'DISKS_TOTAL_GB' : 'SSD_TOTAL_GB', nodes * (Number(config.diskSizeGb) || 100));
  add(demand, 'IN_USE_ADDRESSES', nodes);
}

/** Nodes a pool runs: its initial count in each of its zones (autoscaling is not simulated). */
const poolNodes = (cluster: Pick<ClusterRec, 'body' | 'location'>, pool: PoolBody): number =>
  (pool.initialNodeCount ?? 0) * poolZones(pool, cluster.body.locations as string[] | undefined, cluster.location).length;

/** Everything a project's live clusters and external forwarding rules use in a region. */
export function usage(world: World, project: string, region: string): Demand {
  const demand: Demand = new Map();
  for (const cluster of world.clusters.values()) {
    if (cluster.project !== project || regionOf(cluster.location) !== region) continue;
    for (const pool of cluster.nodePools.values()) poolDemand(world, project, region, pool.body as PoolBody, poolNodes(cluster, pool.body as PoolBody), demand);
  }
  for (const rec of world.compute.values()) {
    if (rec.type === 'forwardingRule' && rec.project === project && rec.region === region && rec.body.loadBalancingScheme === 'EXTERNAL') add(demand, 'IN_USE_ADDRESSES', 1);
  }
  return demand;
}

/** `regions.get` `quotas[]`: every metric the region reports, with the project's limit and usage. */
export function regionQuotas(world: World, project: string, region: string): { metric: string; limit: number; usage: number }[] {
  const used = usage(world, project, region);
  return Object.keys(DEFAULT_LIMITS)
    .map((metric) => ({ metric, limit: limitOf(world, project, region, metric), usage: used.get(metric) ?? 0 }))
    .filter((q): q is { metric: string; limit: number; usage: number } => q.limit !== undefined);
}

/**
 * Refuses node pools that would take a project past a limit: 403 QUOTA_EXCEEDED naming the metric
 * and region, as Compute Engine answers GKE's instance creation.
 */
export function assertPoolsFit(world: World, cluster: Pick<ClusterRec, 'project' | 'location' | 'body'>, pools: PoolBody[]): void {
  const region = regionOf(cluster.location);
  const demand: Demand = new Map();
  for (const pool of pools) poolDemand(world, cluster.project, region, pool, poolNodes(cluster, pool), demand);
  const used = usage(world, cluster.project, region);
  for (const [metric, amount] of demand) {
    const limit = limitOf(world, cluster.project, region, metric);
    // A metric the region does not report (a TPU family it does not offer) has no quota at all.
    if ((used.get(metric) ?? 0) + amount > (limit ?? 0)) throw quotaExceeded('compute.googleapis.com', metric, region);
  }
}
