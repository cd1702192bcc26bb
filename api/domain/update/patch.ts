import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { apply as applyMergePatch } from 'json-merge-patch';
import type { FieldError } from '../errors.js';
import { jsonPath } from '../field-errors.js';
import type { NormalisedSpec } from '../spec.js';
import { parseSpec } from '../validate.js';

/**
 * PATCH /environments/{id}, pure: a JSON merge patch (RFC 7396, applied by the json-merge-patch
 * library) of the stored spec, normalised again like a create's body, then checked against what may
 * change. What may change is what an update plan can converge to in place or by replacement
 * (plan/update.ts); everything else — names, project, region, CIDRs, derived names — is refused
 * with one entry per field.
 */

/**
 * What a PATCH may change (JSON paths without `$.`; everything below a listed path). The CPU pools'
 * node counts are checked per pool (matched by name) in `immutableChanges`.
 */
export const MUTABLE_FIELDS = [
  'labels',
  'deletionProtection',
  'notifications',
  'network.nat',
  'perf.enabled',
  'cluster.tpuNodePools',
  'saxml.images',
  'saxml.proxy',
  'saxml.models',
  'expireTime',
  'ttl',
] as const;

/** CPU pool fields a PATCH may change: node counts (and with them autoscaling, on when min < max). */
export const MUTABLE_CPU_POOL_FIELDS = ['minNodeCount', 'maxNodeCount'] as const;

/** Fields whose change needs no Google call: recorded at once, no operation. */
export const RECORD_ONLY_FIELDS = ['deletionProtection', 'notifications', 'expireTime', 'ttl'] as const;

/** Whether a change moves the environment's expiry (recomputed from the creation, notices sent again). */
export const changesExpiry = (changed: readonly string[]): boolean => changed.some((path) => under(path, ['expireTime', 'ttl']));

export type PatchResult =
  | { ok: true; spec: NormalisedSpec; changed: string[] }
  | { ok: false; errors: FieldError[] };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The spec after `patch`: merged, normalised (defaults filled for what the patch adds), checked.
 * `current` is the stored spec; its notification URLs are redacted (the targets are sealed in the
 * record), so targets are validated only when the patch replaces them, and kept as they are
 * otherwise. A TPU pool sent without `nodePoolName` keeps the GKE node pool it has (merge patch
 * replaces arrays whole, so a client cannot be expected to echo a name the service chose).
 */
export function patchSpec(current: NormalisedSpec, patch: unknown): PatchResult {
  if (!isObject(patch)) return { ok: false, errors: [{ path: '$', message: 'a JSON merge patch of the spec must be a JSON object' }] };
  const merged = applyMergePatch(structuredClone(current), patch) as Record<string, unknown>;
  const replacesTargets = 'notifications' in patch;
  if (!replacesTargets) merged.notifications = [];
  carryNodePoolNames(current, merged);
  const parsed = parseSpec(merged);
  if (!parsed.ok) {
    // What may not change is said first: the rules it then breaks (zones of another region) follow from it.
    const immutable = immutableChanges(current, merged as NormalisedSpec);
    const seen = new Set(immutable.map((e) => e.path));
    return { ok: false, errors: [...immutable, ...parsed.errors.filter((e) => !seen.has(e.path))] };
  }
  const spec: NormalisedSpec = replacesTargets ? parsed.spec : { ...parsed.spec, notifications: current.notifications };
  const errors = immutableChanges(current, spec);
  if (errors.length) return { ok: false, errors };
  return { ok: true, spec, changed: changedPaths(current, spec, replacesTargets) };
}

function carryNodePoolNames(current: NormalisedSpec, merged: Record<string, unknown>): void {
  const pools = (merged.cluster as { tpuNodePools?: unknown } | undefined)?.tpuNodePools;
  if (!Array.isArray(pools)) return;
  const before = new Map(current.cluster.tpuNodePools.map((p) => [p.name, p.nodePoolName]));
  for (const pool of pools) {
    if (!isObject(pool) || pool.nodePoolName !== undefined || typeof pool.name !== 'string') continue;
    const name = before.get(pool.name);
    if (name) pool.nodePoolName = name;
  }
}

const under = (path: string, prefixes: readonly string[]) => prefixes.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));

/**
 * One entry per field that changed and may not: its JSON path and what it was. `after` may also be
 * a merged spec that failed validation (its immutable changes are reported with the other errors).
 */
export function immutableChanges(before: NormalisedSpec, after: NormalisedSpec): FieldError[] {
  const errors: FieldError[] = [];
  const refuse = (path: (string | number)[], was: unknown, why = 'cannot be changed once the environment exists') =>
    errors.push({ path: jsonPath(path), message: `${why}${was === undefined ? '' : ` (it is ${short(was)})`}` });

  const walk = (a: unknown, b: unknown, path: (string | number)[]) => {
    const dotted = jsonPath(path, '').replace(/^\./, '');
    if (path.length && under(dotted, MUTABLE_FIELDS)) return;
    if (dotted === 'cluster.cpuNodePools' && Array.isArray(a) && Array.isArray(b) && b.every(isObject)) {
      return cpuPools(a as NormalisedSpec['cluster']['cpuNodePools'], b as NormalisedSpec['cluster']['cpuNodePools']);
    }
    if (isDeepStrictEqual(a, b)) return;
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], [...path, key]);
      return;
    }
    refuse(path, a);
  };

  const cpuPools = (a: NormalisedSpec['cluster']['cpuNodePools'], b: NormalisedSpec['cluster']['cpuNodePools']) => {
    const old = new Map(a.map((p) => [p.name, p]));
    const kept = new Set(b.map((p) => p.name));
    b.forEach((pool, i) => {
      const was = old.get(pool.name);
      const at = ['cluster', 'cpuNodePools', i];
      if (!was) return refuse([...at, 'name'], undefined, `CPU node pools cannot be added (only their node counts change); "${pool.name}" is new`);
      for (const key of new Set([...Object.keys(was), ...Object.keys(pool)]) as Set<keyof typeof pool>) {
        if ((MUTABLE_CPU_POOL_FIELDS as readonly string[]).includes(key) || isDeepStrictEqual(was[key], pool[key])) continue;
        refuse([...at, key], was[key], 'only a CPU node pool\'s minNodeCount and maxNodeCount can change');
      }
    });
    a.forEach((pool, i) => {
      if (!kept.has(pool.name)) refuse(['cluster', 'cpuNodePools', i], undefined, `CPU node pools cannot be removed (only their node counts change); "${pool.name}" is missing`);
    });
  };

  walk(before, after, []);
  // A TPU pool's GKE name is derived (the service changes it only when it replaces the pool).
  const names = new Map(before.cluster.tpuNodePools.map((p) => [p.name, p.nodePoolName]));
  const pools: unknown = (after as { cluster?: { tpuNodePools?: unknown } }).cluster?.tpuNodePools;
  (Array.isArray(pools) ? pools.filter(isObject) as NormalisedSpec['cluster']['tpuNodePools'] : []).forEach((pool, i) => {
    if (names.has(pool.name) && pool.nodePoolName !== undefined && pool.nodePoolName !== names.get(pool.name)) {
      refuse(['cluster', 'tpuNodePools', i, 'nodePoolName'], names.get(pool.name) ?? pool.name, 'is chosen by the service when it replaces the pool');
    }
  });
  return errors;
}

const short = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

/**
 * A readable diff of the spec: the paths that changed (objects by field, arrays by index), e.g.
 * `saxml.models[1]`, `cluster.cpuNodePools[1].maxNodeCount`. Notification targets are named as a
 * whole, never by their (secret) content.
 */
export function changedPaths(before: NormalisedSpec, after: NormalisedSpec, targetsReplaced = false): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: (string | number)[]) => {
    if (path.length === 1 && path[0] === 'notifications') {
      if (targetsReplaced) out.push('notifications');
      return;
    }
    if (isDeepStrictEqual(a, b)) return;
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], [...path, key]);
    } else if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], [...path, i]);
    } else {
      out.push(jsonPath(path, '').replace(/^\./, ''));
    }
  };
  walk(before, after, []);
  return out;
}

/** Whether every change is one that needs no Google call (deletionProtection, notification targets, expiry). */
export const recordOnly = (changed: readonly string[]): boolean => changed.every((path) => under(path, RECORD_ONLY_FIELDS));

/** A short, stable hash of a normalised spec: which spec an operation applied (sorted keys, SHA-256). */
export function specHash(spec: NormalisedSpec): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical(spec))).digest('hex').slice(0, 16)}`;
}
