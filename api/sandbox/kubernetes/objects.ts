/**
 * Stored objects of a fake cluster and server-side apply "as far as our objects need": every field
 * manager's last applied configuration is kept; the object is their merge (maps merged, lists
 * atomic), so re-applying without a field removes it, and another manager's fields stay. Without
 * `force`, a leaf another manager set to a different value is a 409 conflict, as Kubernetes says it.
 */
import type { KindInfo } from './kinds.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface StoredObject {
  kind: KindInfo;
  name: string;
  namespace?: string;
  uid: string;
  createdAt: number;
  resourceVersion: number;
  generation: number;
  /** Field manager → its last applied configuration (without metadata other than labels/annotations). */
  applied: Map<string, JsonObject>;
  appliedAt: Map<string, number>;
  finalizers: string[];
  deletionAt?: number;
  /** Controller state: the pods of a workload, a load balancer's forwarding rule. */
  pods?: PodSlot[];
  loadBalancer?: { ruleKey?: string; address?: string };
  /** Objects made by the test API (another controller's, in the scenario): never applied to. */
  foreign?: true;
}

/** One replica of a workload: where and when it was scheduled, or why it could not be. */
export interface PodSlot {
  name: string;
  uid: string;
  createdAt: number;
  node?: string;
  scheduledAt?: number;
  /** The last time it was seen unschedulable: a pod placed later was placed no earlier than that. */
  lastBlockedAt?: number;
  unschedulable?: string;
}

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps merge recursively; anything else (lists included) is replaced. */
export function merge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return out;
}

/** Leaf paths of a configuration (`.spec.replicas`), with their values. */
function leaves(value: Json, path = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) for (const [p, leaf] of leaves(v, `${path}.${key}`)) out.set(p, leaf);
  } else {
    out.set(path, JSON.stringify(value));
  }
  return out;
}

/** Leaves `config` sets differently from what other managers own: Kubernetes' apply conflicts. */
export function conflicts(object: StoredObject, manager: string, config: JsonObject): { manager: string; path: string }[] {
  const mine = leaves(config);
  const found: { manager: string; path: string }[] = [];
  for (const [other, theirs] of object.applied) {
    if (other === manager) continue;
    for (const [path, value] of leaves(theirs)) {
      if (path.startsWith('.metadata.name') || path.startsWith('.metadata.namespace') || path === '.apiVersion' || path === '.kind') continue;
      const mineValue = mine.get(path);
      if (mineValue !== undefined && mineValue !== value) found.push({ manager: other, path });
    }
  }
  return found;
}

/** Removes from `config` the leaves at `paths` (another manager took them over by a forced apply). */
export function withoutLeaves(config: JsonObject, paths: Set<string>, prefix = ''): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    const path = `${prefix}.${key}`;
    if (paths.has(path)) continue;
    out[key] = isObject(value) ? withoutLeaves(value, paths, path) : value;
  }
  return out;
}

/** The object's user content: every manager's configuration merged, in the order they first applied. */
export function content(object: StoredObject): JsonObject {
  let out: JsonObject = {};
  for (const config of object.applied.values()) out = merge(out, config);
  return out;
}

/** `metadata.managedFields`, one Apply entry per manager, in FieldsV1 form (lists owned whole). */
export function managedFields(object: StoredObject, apiVersion: string) {
  const fields = (value: Json): Json => {
    if (!isObject(value)) return {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fields(v)]));
  };
  return [...object.applied].map(([manager, config]) => {
    const { apiVersion: _a, kind: _k, ...rest } = config;
    const metadata = isObject(rest.metadata) ? rest.metadata : {};
    const { name: _n, namespace: _ns, ...meta } = metadata;
    return {
      manager,
      operation: 'Apply',
      apiVersion,
      time: new Date(object.appliedAt.get(manager) ?? object.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      fieldsType: 'FieldsV1',
      fieldsV1: fields({ ...rest, metadata: meta }),
    };
  });
}

export const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
