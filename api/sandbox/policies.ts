/**
 * IAM policies of projects, service accounts and buckets: read-modify-write guarded by an etag,
 * member validation with Google's eventual consistency (a new service account is unknown to IAM for a
 * few seconds; a workload identity pool exists only once a cluster with workload identity exists),
 * and authorisation: a principal may call a method when a role it holds on the project, the resource
 * or the organisation (`inherited`) contains the method's permission. A grant takes effect only once
 * it has propagated (IAM_PROPAGATION_SECONDS by default); a revocation takes effect at once (the
 * stricter of Google's two eventual behaviours).
 */
import { invalidArgument, type GoogleApiError } from './errors.js';
import { roleGrants } from './roles.js';
import { hash32, type Binding, type PolicyRec, type World } from './state.js';

/** Simulated seconds after creation during which IAM does not yet know a new service account. */
export const SA_PROPAGATION_SECONDS = 5;

export const policyKey = {
  project: (project: string) => `projects/${project}`,
  serviceAccount: (email: string) => `serviceAccounts/${email}`,
  bucket: (bucket: string) => `b/${bucket}`,
};

export function readPolicy(world: World, key: string): PolicyRec {
  return world.policies.get(key) ?? { bindings: [], version: 1, etagSeq: 0, grantedAt: {} };
}

const grantKey = (role: string, member: string) => `${role}\n${member}`;

/** An opaque base64 etag (8 bytes, like Google's `BwXhqDWJ2L0=`) that changes with every write. */
export function etagOf(key: string, rec: PolicyRec): string {
  const buf = Buffer.alloc(8);
  buf.writeUInt32BE(hash32(key));
  buf.writeUInt32BE(rec.etagSeq, 4);
  return buf.toString('base64');
}

export function renderPolicy(key: string, rec: PolicyRec) {
  const bindings = rec.bindings
    .filter((b) => b.members.length > 0)
    .map((b) => ({ role: b.role, members: [...b.members].sort(), ...(b.condition ? { condition: b.condition } : {}) }))
    .sort((a, b) => a.role.localeCompare(b.role));
  return { version: rec.version, etag: etagOf(key, rec), ...(bindings.length ? { bindings } : {}) };
}

export interface IncomingPolicy {
  bindings?: { role?: string | null; members?: string[] | null; condition?: unknown }[] | null;
  etag?: string | null;
  version?: number | null;
}

/**
 * Replaces the policy. A present etag must match the current one (else `stale()`, which is 409 ABORTED
 * for projects and service accounts and 412 for buckets); a missing etag overwrites, as on Google.
 */
export function writePolicy(
  world: World,
  key: string,
  incoming: IncomingPolicy,
  stale: () => GoogleApiError,
): PolicyRec {
  const current = readPolicy(world, key);
  if (incoming.etag && incoming.etag !== etagOf(key, current)) throw stale();
  const known = new Set(current.bindings.flatMap((b) => b.members));
  const bindings: Binding[] = [];
  // Unchanged grants keep their time (they may have propagated long ago); new ones start now.
  const grantedAt: Record<string, number> = {};
  for (const b of incoming.bindings ?? []) {
    if (!b.role) throw invalidArgument('Policy binding is missing a role.');
    const members = [...new Set(b.members ?? [])];
    for (const m of members) if (!known.has(m)) validateMember(world, m);
    if (!members.length) continue;
    bindings.push({ role: b.role, members, ...(b.condition ? { condition: b.condition } : {}) });
    if (b.condition) continue;
    for (const m of members) {
      const k = grantKey(b.role, m);
      const before = current.grantedAt[k];
      const held = current.bindings.some((cb) => !cb.condition && cb.role === b.role && cb.members.includes(m));
      grantedAt[k] = held ? (before ?? Number.NEGATIVE_INFINITY) : world.now();
    }
  }
  const rec: PolicyRec = { bindings, version: incoming.version ?? 1, etagSeq: current.etagSeq + 1, grantedAt };
  world.policies.set(key, rec);
  return rec;
}

/**
 * True when `member` holds `role` in the policy at `key` and the grant has propagated. Conditional
 * bindings are never honoured (the sandbox evaluates no conditions: stricter, never more lenient).
 */
export function holdsRole(world: World, key: string, role: string, member: string): boolean {
  const rec = world.policies.get(key);
  if (!rec) return false;
  const held = rec.bindings.some((b) => !b.condition && b.role === role && b.members.includes(member));
  if (!held) return false;
  const at = rec.grantedAt[grantKey(role, member)] ?? Number.NEGATIVE_INFINITY;
  return world.now() >= at + world.sched.scaled(world.iamPropagationSeconds);
}

/**
 * Whether `member` may use `permission` through the organisation's grants, the project's policy or
 * the resource's own policies (`resourcePolicies`: bucket or service account policy keys).
 */
export function isAllowed(
  world: World,
  member: string,
  permission: string,
  where: { project?: string; resourcePolicies?: string[] },
): boolean {
  if (world.inherited.some((g) => g.member === member && g.roles.some((r) => roleGrants(r, permission)))) return true;
  const keys = [...(where.project ? [policyKey.project(where.project)] : []), ...(where.resourcePolicies ?? [])];
  return keys.some((key) => {
    const rec = world.policies.get(key);
    return rec?.bindings.some((b) => !b.condition && b.members.includes(member) && roleGrants(b.role, permission) && holdsRole(world, key, b.role, member));
  });
}

const PLAIN_MEMBER = /^(user|group|domain):\S+$/;
const SPECIAL_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);

/** Throws 400 INVALID_ARGUMENT as IAM does for a member it cannot resolve. */
export function validateMember(world: World, member: string): void {
  if (SPECIAL_MEMBERS.has(member) || PLAIN_MEMBER.test(member)) return;
  if (/^(deleted:|principal:\/\/|principalSet:\/\/|project(Owner|Editor|Viewer):)/.test(member)) return;
  const sa = /^serviceAccount:(.+)$/.exec(member)?.[1];
  if (!sa) throw invalidArgument(`Invalid member name "${member}".`);

  const pool = /^([a-z][-a-z0-9]*)\.svc\.id\.goog\[[^/\]]+\/[^\]]+\]$/.exec(sa);
  if (pool) {
    const project = pool[1]!;
    const hasPool = [...world.clusters.values()].some((c) => c.project === project && c.workloadPool);
    if (!hasPool) {
      throw invalidArgument(
        `Identity Pool does not exist (${project}.svc.id.goog). Please check that you specified a valid ` +
          'resource name as returned in the `name` attribute in the configuration API.',
      );
    }
    return;
  }
  const domain = sa.split('@')[1] ?? '';
  // Default accounts Google keeps in every project (`N@cloudbuild…`, `N-compute@developer…`).
  if (domain.endsWith('gserviceaccount.com') && !domain.endsWith('.iam.gserviceaccount.com')) return;
  // Service agents (`service-N@gcp-sa-pubsub…`) exist once generated; accounts once created. IAM
  // knows either only a few seconds later.
  const rec = domain.startsWith('gcp-sa-') ? world.serviceAgents.get(sa) : world.serviceAccounts.get(sa);
  const visibleAt = rec ? rec.createdAt + world.sched.scaled(SA_PROPAGATION_SECONDS) : Infinity;
  if (world.now() < visibleAt) throw invalidArgument(`Service account ${sa} does not exist.`);
}

/** After a service account is deleted Google shows its bindings as `deleted:serviceAccount:…?uid=…`. */
export function markServiceAccountDeleted(world: World, email: string, uniqueId: string): void {
  const from = `serviceAccount:${email}`;
  const to = `deleted:serviceAccount:${email}?uid=${uniqueId}`;
  for (const rec of world.policies.values()) {
    for (const b of rec.bindings) b.members = b.members.map((m) => (m === from ? to : m));
  }
}
