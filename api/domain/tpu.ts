/**
 * The TPU table (reference saxml-on-gke.md §2.4): what GKE needs to place a slice of each type.
 * Only single-host slices can be served by one model-server pod, so multi-host types are known
 * (to give a precise refusal) but not accepted yet.
 */

import { TPU_ZONES, tpuRegions, tpuZonesIn, type TpuGeneration } from './locations.js';

export interface TpuType {
  /** Which zones offer it (locations.ts). */
  generation: TpuGeneration;
  /** GKE label `cloud.google.com/gke-tpu-accelerator`. */
  accelerator: string;
  /** GKE label `cloud.google.com/gke-tpu-topology` and Saxml `--platform_topology`. */
  topology: string;
  machineType: string;
  chipsPerVm: number;
  /** VMs (nodes) per slice. */
  hosts: number;
  /** Saxml `--platform_chip`. */
  chip: 'tpuv5e' | 'tpuv4' | 'tpuv5p';
}

const v5e = (topology: string, machineType: string, chipsPerVm: number, hosts: number): TpuType => ({
  generation: 'v5e',
  accelerator: 'tpu-v5-lite-podslice', topology, machineType, chipsPerVm, hosts, chip: 'tpuv5e',
});
const v4 = (topology: string, hosts: number): TpuType => ({
  generation: 'v4',
  accelerator: 'tpu-v4-podslice', topology, machineType: 'ct4p-hightpu-4t', chipsPerVm: 4, hosts, chip: 'tpuv4',
});

export const TPU_TYPES: Readonly<Record<string, TpuType>> = {
  'v5litepod-1': v5e('1x1', 'ct5lp-hightpu-1t', 1, 1),
  'v5litepod-4': v5e('2x2', 'ct5lp-hightpu-4t', 4, 1),
  'v5litepod-8': v5e('2x4', 'ct5lp-hightpu-8t', 8, 1),
  'v5litepod-16': v5e('4x4', 'ct5lp-hightpu-4t', 4, 4),
  'v5litepod-32': v5e('4x8', 'ct5lp-hightpu-4t', 4, 8),
  'v5litepod-64': v5e('8x8', 'ct5lp-hightpu-4t', 4, 16),
  'v5litepod-128': v5e('8x16', 'ct5lp-hightpu-4t', 4, 32),
  'v5litepod-256': v5e('16x16', 'ct5lp-hightpu-4t', 4, 64),
  'v4-8': v4('2x2x1', 1),
  'v4-16': v4('2x2x2', 2),
  'v4-32': v4('2x2x4', 4),
  'v4-64': v4('2x4x4', 8),
  'v4-128': v4('4x4x4', 16),
  'v4-256': v4('4x4x8', 32),
  'v4-512': v4('4x8x8', 64),
  'v4-1024': v4('8x8x8', 128),
  'v4-1536': v4('8x8x12', 192),
  'v4-2048': v4('8x8x16', 256),
  'v4-4096': v4('8x16x16', 512),
};

export const SINGLE_HOST_TPU_TYPES = Object.keys(TPU_TYPES).filter((t) => TPU_TYPES[t]!.hosts === 1);

export function tpuType(name: string): TpuType | undefined {
  return Object.hasOwn(TPU_TYPES, name) ? TPU_TYPES[name] : undefined;
}

/** Why a type cannot be used, or undefined when it can. */
export function tpuTypeProblem(name: string): string | undefined {
  const type = tpuType(name);
  if (!type) return `unknown TPU type "${name}"; supported: ${SINGLE_HOST_TPU_TYPES.join(', ')}`;
  if (type.hosts > 1) {
    const sameFamily = SINGLE_HOST_TPU_TYPES.filter((t) => TPU_TYPES[t]!.accelerator === type.accelerator);
    return (
      `${name} is a multi-host slice (${type.hosts} VMs, topology ${type.topology}); one Saxml model server ` +
      `per slice needs a single host, which multi-host serving does not yet support. ` +
      `Use a single-host type instead (${sameFamily.join(', ')}), e.g. one pool per model replica`
    );
  }
  return undefined;
}

/**
 * Why a (single-host, known) TPU type cannot go in that zone of that region: no zone of the region
 * offers it (then say which regions do), or another zone of the region does (say which).
 */
export function tpuAvailabilityProblem(name: string, region: string, zone: string): { field: 'zone' | 'type'; message: string } | undefined {
  const type = tpuType(name);
  if (!type || TPU_ZONES[type.generation].includes(zone)) return undefined;
  const here = tpuZonesIn(type.generation, region);
  if (here.length) {
    return { field: 'zone', message: `${zone} does not offer TPU ${type.generation} (${name}); in ${region} use ${here.join(', ')}` };
  }
  const elsewhere = tpuRegions(type.generation);
  return {
    field: 'type',
    message: `no zone of ${region} offers TPU ${type.generation} (${name}); it is offered in ${elsewhere.join(', ')} ` +
      `(zones ${TPU_ZONES[type.generation].join(', ')})`,
  };
}
