import type { NormalisedSpec } from '../spec.js';
import { tpuType, type TpuType } from '../tpu.js';
import type { PriceFamily, PriceTable } from './prices.js';
import type { CostEstimate, CostLine, Range } from './schemas.js';

/**
 * What an environment costs while it runs, line by line, from a normalised spec and a price table
 * (pure arithmetic: the same inputs give the same estimate). Used by `validateOnly` and by the
 * environment resource; a PATCH preview can estimate its new spec the same way.
 *
 * Quantities are ranges: `min` counts every autoscaled pool at its minimum (what runs when idle),
 * `max` at its maximum. The 30-day figure is the hourly one × 720 hours; monthly SKUs (disks) are
 * converted to hours over the table's `hoursPerMonth` (Google's 730).
 */

export const HOURS_IN_30_DAYS = 720;

const range = (min: number, max: number = min): Range => ({ min, max });
const times = (r: Range, k: number): Range => range(r.min * k, r.max * k);
const sum = (rs: Range[]): Range => rs.reduce((a, r) => range(a.min + r.min, a.max + r.max), range(0));

/** Cents for 30 days, 1/10 000 for hourly rates: enough to read, and the unrounded sums make the totals. */
const round = (r: Range, digits: number): Range => {
  const f = 10 ** digits;
  return range(Math.round(r.min * f) / f, Math.round(r.max * f) / f);
};

/** The TPU table's chip names to the price table's generations. */
const GENERATION: Record<TpuType['chip'], string> = { tpuv5e: 'v5e', tpuv4: 'v4', tpuv5p: 'v5p' };

/** GKE's boot disk for machines that do not take pd-standard (the TPU pools leave the type to GKE). */
const GKE_DEFAULT_DISK = 'pd-balanced';

export function estimateCost(spec: NormalisedSpec, prices: PriceTable): CostEstimate {
  const { families } = prices;
  const region = spec.region;
  const lines: Omit<CostLine, 'days30'>[] = [];
  const unpriced: CostEstimate['unpriced'] = [];
  const used = new Set<PriceFamily>(['gke']);
  const perDiskGbHour = (diskType: string): number | undefined => {
    const monthly = families.disks.prices[diskType]?.[region];
    return monthly === undefined ? undefined : monthly / prices.hoursPerMonth;
  };
  /** Nodes of every pool, by pricing model, for the external IPs and Cloud NAT. */
  const nodes = { onDemand: range(0), spot: range(0) };
  const addNodes = (spot: boolean, count: Range) => {
    const kind = spot ? 'spot' : 'onDemand';
    nodes[kind] = sum([nodes[kind], count]);
  };

  const addDisk = (item: string, diskType: string, gb: Range) => {
    const perGbHour = perDiskGbHour(diskType);
    if (perGbHour === undefined) {
      unpriced.push({ item, reason: `no ${diskType} price for ${region} in the price table` });
      return;
    }
    used.add('disks');
    lines.push({ category: 'disk', item, quantity: gb, unit: `GB ${diskType}`, unitPrice: families.disks.prices[diskType]![region]!, hourly: times(gb, perGbHour) });
  };

  for (const pool of spec.cluster.tpuNodePools) {
    const type = tpuType(pool.tpuType)!;
    const slices = pool.autoscaling ? range(0, 1) : range(1);
    const chips = times(slices, type.chipsPerVm * type.hosts);
    const hosts = times(slices, type.hosts);
    const pricing = pool.spot ? 'spot' : 'on-demand';
    const item = `TPU ${pool.tpuType} slice, pool ${pool.name} (${pool.zones.join(', ')})`;
    const price = families.tpu.prices[GENERATION[type.chip]]?.[region];
    if (price) {
      used.add('tpu');
      const unitPrice = pool.spot ? price.spot : price.onDemand;
      lines.push({ category: 'tpu', item, quantity: chips, unit: 'chips', unitPrice, pricing, hourly: times(chips, unitPrice) });
    } else {
      unpriced.push({ item, reason: `no TPU ${GENERATION[type.chip]} price for ${region} in the price table` });
    }
    addDisk(`Boot disks, TPU pool ${pool.name}`, GKE_DEFAULT_DISK, times(hosts, pool.diskSizeGb));
    addNodes(pool.spot, hosts);
  }

  for (const pool of spec.cluster.cpuNodePools) {
    // GKE counts nodes per zone of the pool.
    const zones = (pool.zones ?? spec.zones).length;
    const vms = range(pool.minNodeCount * zones, pool.maxNodeCount * zones);
    const pricing = pool.spot ? 'spot' : 'on-demand';
    const item = `${pool.machineType} VMs, pool ${pool.name} (${zones} zone${zones === 1 ? '' : 's'})`;
    const price = families.machines.prices[pool.machineType]?.[region];
    if (price) {
      used.add('machines');
      const unitPrice = pool.spot ? price.spot : price.onDemand;
      lines.push({ category: 'compute', item, quantity: vms, unit: 'VMs', unitPrice, pricing, hourly: times(vms, unitPrice) });
    } else {
      unpriced.push({ item, reason: `no ${pool.machineType} price for ${region} in the price table` });
    }
    addDisk(`Boot disks, pool ${pool.name}`, pool.diskType, times(vms, pool.diskSizeGb));
    addNodes(pool.spot, vms);
  }

  lines.push({
    category: 'gke', item: `GKE cluster management fee (regional cluster)`, quantity: range(1), unit: 'cluster',
    unitPrice: families.gke.clusterManagementFee, hourly: range(families.gke.clusterManagementFee),
  });

  const net = families.network;
  used.add('network');
  // The cluster's nodes are public (no private-node option in the spec): each holds an external IPv4.
  for (const [kind, count] of [['onDemand', nodes.onDemand], ['spot', nodes.spot]] as const) {
    if (count.max === 0) continue;
    const unitPrice = net.externalIpHour[kind];
    lines.push({
      category: 'network', item: `External IPv4 addresses of ${kind === 'spot' ? 'Spot ' : ''}nodes`, quantity: count, unit: 'addresses',
      unitPrice, pricing: kind === 'spot' ? 'spot' : 'on-demand', hourly: times(count, unitPrice),
    });
  }
  const proxied = spec.saxml.enabled && spec.saxml.proxy.image !== undefined;
  if (proxied) {
    lines.push({
      category: 'network', item: 'Load balancer forwarding rule (Saxml HTTP proxy Service)', quantity: range(1), unit: 'rules',
      unitPrice: net.forwardingRuleHour, hourly: range(net.forwardingRuleHour),
    });
  }
  if (spec.network.nat) {
    const vms = sum([nodes.onDemand, nodes.spot]);
    const natHourly = (n: number) => (n > net.natMaxVms ? net.natGatewayHourAboveMax : n * net.natVmHour);
    lines.push({
      category: 'network', item: `Cloud NAT gateway (per VM-hour up to ${net.natMaxVms} VMs)`, quantity: vms, unit: 'VMs',
      unitPrice: net.natVmHour, hourly: range(natHourly(vms.min), natHourly(vms.max)),
    });
  }

  const hourly = sum(lines.map((l) => l.hourly));
  return {
    currency: prices.currency,
    hourly: round(hourly, 4),
    days30: round(times(hourly, HOURS_IN_30_DAYS), 2),
    lines: lines.map((l) => ({ ...l, hourly: round(l.hourly, 4), days30: round(times(l.hourly, HOURS_IN_30_DAYS), 2) })),
    usageBased: usageBased(spec),
    unpriced,
    assumptions: [
      'min: every autoscaled pool at its minimum node count; max: at its maximum. Node counts are per zone of the pool.',
      'TPU chips are priced per chip-hour; on GKE that price covers the TPU VM host. An autoscaled TPU pool runs 0 or 1 slice.',
      'List prices without taxes or committed-use, sustained-use and negotiated discounts; 30 days = 720 hours.',
      ...(proxied ? ['The Saxml HTTP proxy is exposed by one external load balancer (one forwarding rule).'] : []),
    ],
    prices: [...used].sort().map((family) => ({ family, asOf: families[family].asOf, source: families[family].source })),
  };
}

function usageBased(spec: NormalisedSpec): CostEstimate['usageBased'] {
  return [
    { item: 'Cloud Storage buckets (automation, Saxml admin, model repository)', note: 'billed per GB stored and per operation' },
    ...(spec.artifactRegistry.enabled ? [{ item: 'Artifact Registry repository', note: 'billed per GB stored above the free tier' }] : []),
    ...(spec.perf.enabled
      ? [
          { item: 'Pub/Sub metrics topic and BigQuery subscription', note: 'billed per TiB of messages delivered' },
          { item: 'BigQuery metrics dataset', note: 'billed per GB stored and per TiB queried' },
        ]
      : []),
    ...(spec.network.nat ? [{ item: 'Cloud NAT data processing', note: 'billed per GiB through the gateway' }] : []),
    { item: 'Network egress and Cloud Logging', note: 'billed per GiB' },
  ];
}
