/**
 * The nodes of a sandbox cluster, derived from its node pools as GKE makes them: GKE's labels
 * (`cloud.google.com/gke-nodepool`, zone, instance type, and for TPU machines
 * `cloud.google.com/gke-tpu-accelerator` / `…/gke-tpu-topology`), the pool's own labels and
 * taints, TPU nodes tainted `google.com/tpu=present:NoSchedule`, and allocatable resources by
 * machine type. A pool has `initialNodeCount` nodes per zone (its maximum when it autoscales:
 * scale-up is not simulated). The `nodeLabels` fault rewrites a pool's labels.
 */
import type { FaultConfig } from '../faults.js';
import { hash32, type ClusterRec } from '../state.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface FakeNode {
  name: string;
  pool: string;
  zone: string;
  readyAt: number;
  labels: Record<string, string>;
  taints: Taint[];
  /** cpu in millicores, memory in MiB, google.com/tpu in chips. */
  allocatable: { cpu: number; memory: number; tpu: number };
}

/** Allocatable after GKE's system reservations, by machine type. */
const MACHINES: Record<string, { cpu: number; memory: number }> = {
  'n1-standard-8': { cpu: 7910, memory: 27_200 },
  'n2-highmem-32': { cpu: 31_850, memory: 250_000 },
  'ct5lp-hightpu-1t': { cpu: 23_830, memory: 40_000 },
  'ct5lp-hightpu-4t': { cpu: 111_830, memory: 180_000 },
  'ct5lp-hightpu-8t': { cpu: 223_830, memory: 360_000 },
  'ct4p-hightpu-4t': { cpu: 239_830, memory: 390_000 },
  'ct5p-hightpu-4t': { cpu: 207_830, memory: 420_000 },
};

/** GKE's TPU labels by machine type (single-host slices; a multi-host pool's topology is its placement policy's). */
const TPU_MACHINES: Record<string, { accelerator: string; topology: string; chips: number }> = {
  'ct5lp-hightpu-1t': { accelerator: 'tpu-v5-lite-podslice', topology: '1x1', chips: 1 },
  'ct5lp-hightpu-4t': { accelerator: 'tpu-v5-lite-podslice', topology: '2x2', chips: 4 },
  'ct5lp-hightpu-8t': { accelerator: 'tpu-v5-lite-podslice', topology: '2x4', chips: 8 },
  'ct4p-hightpu-4t': { accelerator: 'tpu-v4-podslice', topology: '2x2x1', chips: 4 },
  'ct5p-hightpu-4t': { accelerator: 'tpu-v5p-slice', topology: '2x2x1', chips: 4 },
};

const EFFECTS: Record<string, string> = { NO_SCHEDULE: 'NoSchedule', PREFER_NO_SCHEDULE: 'PreferNoSchedule', NO_EXECUTE: 'NoExecute' };

interface PoolBody {
  initialNodeCount?: number;
  locations?: string[];
  autoscaling?: { enabled?: boolean; maxNodeCount?: number };
  placementPolicy?: { tpuTopology?: string };
  config?: { machineType?: string; labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[] };
}

function machine(type: string): { cpu: number; memory: number } {
  const known = MACHINES[type];
  if (known) return known;
  const cpus = Number(/-(\d+)$/.exec(type)?.[1] ?? 4);
  return { cpu: cpus * 1000 - 90, memory: Math.floor(cpus * 3.75 * 1024 * 0.9) };
}

export function nodesOf(cluster: ClusterRec, faults: FaultConfig): FakeNode[] {
  const nodes: FakeNode[] = [];
  const clusterZones = (cluster.body.locations as string[] | undefined) ?? [];
  for (const pool of cluster.nodePools.values()) {
    if (pool.status !== 'RUNNING' || pool.readyAt === undefined) continue;
    const body = pool.body as PoolBody;
    const type = body.config?.machineType ?? 'e2-medium';
    const tpu = TPU_MACHINES[type];
    const perZone = body.autoscaling?.enabled ? Math.max(body.initialNodeCount ?? 0, body.autoscaling.maxNodeCount ?? 0) : (body.initialNodeCount ?? 0);
    const zones = body.locations?.length ? body.locations : clusterZones;
    const labels: Record<string, string> = {
      'cloud.google.com/gke-nodepool': pool.name,
      'node.kubernetes.io/instance-type': type,
      ...body.config?.labels,
      ...(tpu && { 'cloud.google.com/gke-tpu-accelerator': tpu.accelerator, 'cloud.google.com/gke-tpu-topology': body.placementPolicy?.tpuTopology ?? tpu.topology }),
    };
    for (const override of faults.nodeLabels.filter((f) => f.pool === pool.name)) {
      for (const [key, value] of Object.entries(override.labels)) {
        if (value === null) delete labels[key];
        else labels[key] = value;
      }
    }
    const taints: Taint[] = [
      ...(body.config?.taints ?? []).map((t) => ({ key: t.key, ...(t.value !== undefined && { value: t.value }), effect: EFFECTS[t.effect] ?? t.effect })),
      ...(tpu ? [{ key: 'google.com/tpu', value: 'present', effect: 'NoSchedule' }] : []),
    ];
    const size = machine(type);
    for (const zone of zones) {
      for (let i = 0; i < perZone; i++) {
        const suffix = hash32(`${cluster.name}/${pool.name}/${zone}`).toString(16).padStart(8, '0');
        const name = `gke-${cluster.name.slice(0, 16)}-${pool.name.slice(0, 18)}-${suffix}-${String(i).padStart(4, '0')}`;
        nodes.push({
          name, pool: pool.name, zone, readyAt: pool.readyAt,
          labels: { ...labels, 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone },
          taints,
          allocatable: { ...size, tpu: tpu?.chips ?? 0 },
        });
      }
    }
  }
  return nodes;
}

export function renderNode(node: FakeNode) {
  const iso = new Date(node.readyAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, uid: `${hash32(node.name).toString(16)}-node`, labels: node.labels, creationTimestamp: iso },
    spec: { taints: node.taints },
    status: {
      allocatable: {
        cpu: `${node.allocatable.cpu}m`,
        memory: `${node.allocatable.memory}Mi`,
        ...(node.allocatable.tpu && { 'google.com/tpu': String(node.allocatable.tpu) }),
      },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: iso }],
    },
  };
}
