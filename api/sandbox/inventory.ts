/**
 * What exists in the sandbox. Resources (things a teardown must delete) are listed by
 * `GET /_sandbox/inventory`; enabled services and IAM bindings are project *settings*, not resources,
 * and appear only with `?include=settings`, so "inventory empty after teardown" stays meaningful even
 * though a teardown rightly leaves shared bootstrap settings in place.
 */
import type { World } from './state.js';

export interface InventoryItem {
  type: string;
  name: string;
  project: string;
  location: string;
}

export interface SandboxSettings {
  services: { project: string; service: string; state: 'ENABLED' | 'DISABLED' }[];
  iamPolicies: { resource: string; bindings: { role: string; members: string[] }[] }[];
}

/** Every live resource, including those still being created or deleted, sorted. */
export function inventory(world: World): InventoryItem[] {
  world.settle();
  const items: InventoryItem[] = [];
  const add = (type: string, name: string, project: string, location: string) =>
    items.push({ type, name, project, location });
  for (const sa of world.serviceAccounts.values()) add('iam.serviceAccount', sa.email, sa.project, 'global');
  for (const b of world.buckets.values()) {
    add('storage.bucket', b.name, b.project, String(b.body.location ?? 'US').toUpperCase());
  }
  for (const r of world.compute.values()) add(`compute.${r.type}`, r.name, r.project, r.region ?? 'global');
  for (const cl of world.clusters.values()) {
    add('container.cluster', cl.name, cl.project, cl.location);
    for (const p of cl.nodePools.values()) add('container.nodePool', `${cl.name}/${p.name}`, cl.project, cl.location);
  }
  for (const s of world.schemas.values()) add('pubsub.schema', s.id, s.project, 'global');
  for (const t of world.topics.values()) add('pubsub.topic', t.id, t.project, 'global');
  for (const s of world.subscriptions.values()) add('pubsub.subscription', s.id, s.project, 'global');
  for (const ds of world.datasets.values()) {
    const location = String(ds.body.location ?? 'US');
    add('bigquery.dataset', ds.id, ds.project, location);
    for (const t of ds.tables.values()) add('bigquery.table', `${ds.id}.${t.id}`, ds.project, location);
  }
  for (const r of world.repositories.values()) add('artifactregistry.repository', r.id, r.project, r.location);
  items.push(...world.kubernetes.inventory());
  const order = (i: InventoryItem) => `${i.type}\u0000${i.project}\u0000${i.location}\u0000${i.name}`;
  return items.sort((a, b) => order(a).localeCompare(order(b)));
}

export function settings(world: World): SandboxSettings {
  world.settle();
  const display = (key: string) => {
    if (key.startsWith('serviceAccounts/')) return `projects/-/${key}`;
    if (key.startsWith('b/')) return `projects/_/buckets/${key.slice(2)}`;
    return key;
  };
  const iamPolicies = [...world.policies.entries()]
    .map(([key, rec]) => ({
      resource: display(key),
      bindings: rec.bindings
        .filter((b) => b.members.length)
        .map((b) => ({ role: b.role, members: [...b.members].sort() })),
    }))
    .filter((p) => p.bindings.length > 0)
    .sort((a, b) => a.resource.localeCompare(b.resource));
  const services = world
    .serviceStates()
    .sort((a, b) => `${a.project}/${a.service}`.localeCompare(`${b.project}/${b.service}`));
  return { services, iamPolicies };
}
