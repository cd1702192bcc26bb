/**
 * IAM policies of projects, service accounts and buckets: read-modify-write guarded by an etag, and
 * member validation with Google's eventual consistency (a new service account is unknown to IAM for a
 * few seconds; a workload identity pool exists only once a cluster with workload identity exists).
 */
import { invalidArgument, type GoogleApiError } from './errors.js';
import { hash32, type Binding, type PolicyRec, type World } from './state.js';

/** Simulated seconds after creation during which IAM does not yet know a new service account. */
export const SA_PROPAGATION_SECONDS = 5;

export const policyKey = {
  project: (project: string) => `projects/${project}`,
  serviceAccount: (email: string) => `serviceAccounts/${email}`,
  bucket: (bucket: string) => `b/${bucket}`,
};

export function readPolicy(world: World, key: string): PolicyRec {
  return world.policies.get(key) ?? { bindings: [], version: 1, etagSeq: 0 };
}

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
  for (const b of incoming.bindings ?? []) {
    if (!b.role) throw invalidArgument('Policy binding is missing a role.');
    const members = [...new Set(b.members ?? [])];
    for (const m of members) if (!known.has(m)) validateMember(world, m);
    if (members.length) bindings.push({ role: b.role, members, ...(b.condition ? { condition: b.condition } : {}) });
  }
  const rec = { bindings, version: incoming.version ?? 1, etagSeq: current.etagSeq + 1 };
  world.policies.set(key, rec);
  return rec;
}

export function hasRole(world: World, key: string, role: string, member: string): boolean {
  return readPolicy(world, key).bindings.some((b) => b.role === role && b.members.includes(member));
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
  if (isGoogleManagedServiceAccount(sa)) return;
  const rec = world.serviceAccounts.get(sa);
  const visibleAt = rec ? rec.createdAt + world.sched.scaled(SA_PROPAGATION_SECONDS) : Infinity;
  if (world.now() < visibleAt) throw invalidArgument(`Service account ${sa} does not exist.`);
}

/**
 * Service agents and default accounts Google creates itself (`service-N@gcp-sa-pubsub.iam…`,
 * `N@cloudbuild.gserviceaccount.com`, `N-compute@developer…`): always valid.
 */
export function isGoogleManagedServiceAccount(email: string): boolean {
  const domain = email.split('@')[1] ?? '';
  if (!domain.endsWith('gserviceaccount.com')) return false;
  if (!domain.endsWith('.iam.gserviceaccount.com')) return true;
  return domain.startsWith('gcp-sa-');
}

/** After a service account is deleted Google shows its bindings as `deleted:serviceAccount:…?uid=…`. */
export function markServiceAccountDeleted(world: World, email: string, uniqueId: string): void {
  const from = `serviceAccount:${email}`;
  const to = `deleted:serviceAccount:${email}?uid=${uniqueId}`;
  for (const rec of world.policies.values()) {
    for (const b of rec.bindings) b.members = b.members.map((m) => (m === from ? to : m));
  }
}
