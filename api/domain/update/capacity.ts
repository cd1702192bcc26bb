import { isDeepStrictEqual } from 'node:util';
import { gkeNodePoolName, type NormalisedSpec, type TpuNodePool } from '../spec.js';

/**
 * What a change adds of quota-consuming capacity, and the TPU pools it replaces. A replaced pool
 * (GKE cannot change its zone, TPU type, Spot, disk or reservation in place) is created beside the
 * old one when quota allows both at once — under another GKE name — else after the old one is gone.
 */

/** TPU pools of `to` that replace a pool of the same name in `from` (anything but autoscaling and the GKE name differs). */
export function replacedPools(from: NormalisedSpec, to: NormalisedSpec): TpuNodePool[] {
  const before = new Map(from.cluster.tpuNodePools.map((p) => [p.name, p]));
  const key = ({ autoscaling: _a, nodePoolName: _n, ...rest }: TpuNodePool) => rest;
  return to.cluster.tpuNodePools.filter((p) => {
    const was = before.get(p.name);
    return was && !isDeepStrictEqual(key(was), key(p));
  });
}

/**
 * The capacity `to` adds over `from`, as a spec the quota preflight can check against what the
 * project has left: new TPU pools, the replacements created beside the old pools (`alongside`),
 * and each CPU pool's increase in node counts.
 */
export function addedCapacity(from: NormalisedSpec, to: NormalisedSpec, alongside: ReadonlySet<string>): NormalisedSpec {
  const tpuBefore = new Set(from.cluster.tpuNodePools.map((p) => p.name));
  const cpuBefore = new Map(from.cluster.cpuNodePools.map((p) => [p.name, p]));
  const cpuNodePools = to.cluster.cpuNodePools.flatMap((p) => {
    const was = cpuBefore.get(p.name);
    const min = Math.max(0, p.minNodeCount - (was?.minNodeCount ?? 0));
    const max = Math.max(0, p.maxNodeCount - (was?.maxNodeCount ?? 0));
    return min || max ? [{ ...p, minNodeCount: min, maxNodeCount: Math.max(min, max) }] : [];
  });
  const tpuNodePools = to.cluster.tpuNodePools.filter((p) => !tpuBefore.has(p.name) || alongside.has(p.name));
  return { ...to, cluster: { ...to.cluster, cpuNodePools, tpuNodePools } };
}

export const addsCapacity = (capacity: NormalisedSpec): boolean =>
  capacity.cluster.cpuNodePools.length > 0 || capacity.cluster.tpuNodePools.length > 0;

/**
 * The spec with each pool of `createFirst` under a new GKE node pool name: its own name when it had
 * another one, else `<name>-r` (then `-r2`, …), at most 40 characters, taken by no other pool.
 */
export function renameReplacements(spec: NormalisedSpec, createFirst: ReadonlySet<string>): NormalisedSpec {
  const taken = new Set([...spec.cluster.cpuNodePools.map((p) => p.name), ...spec.cluster.tpuNodePools.map((p) => gkeNodePoolName(p))]);
  const tpuNodePools = spec.cluster.tpuNodePools.map((pool) => {
    if (!createFirst.has(pool.name)) return pool;
    const current = gkeNodePoolName(pool);
    const candidates = [pool.name, ...Array.from({ length: 9 }, (_, i) => `-r${i ? i + 1 : ''}`).map((suffix) => `${pool.name.slice(0, 40 - suffix.length)}${suffix}`)];
    const name = candidates.find((c) => c !== current && !taken.has(c))!;
    taken.add(name);
    const { nodePoolName: _old, ...rest } = pool;
    return name === pool.name ? rest : { ...rest, nodePoolName: name };
  });
  return { ...spec, cluster: { ...spec.cluster, tpuNodePools } };
}
