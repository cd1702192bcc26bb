import { PERF_NAMES } from './defaults.js';
import type { FieldError } from './errors.js';
import type { EnvironmentSpec } from './spec.js';

/**
 * Every Google/Kubernetes name derived from a spec, in one place, with the limit each must meet.
 * Defaults follow the reference guide's `${prefix}-…` names; any of them can be overridden in the
 * spec, and `limitViolations` says which field to change when one is too long.
 */

export interface ResourceNames {
  automationServiceAccountId: string;
  automationServiceAccountEmail: string;
  automationBucket: string;
  automationBucketLocation: string;
  network: string;
  subnet: string;
  podsRange: string;
  servicesRange: string;
  router: string;
  nat: string;
  cluster: string;
  nodePoolServiceAccountId: string;
  nodePoolServiceAccountEmail: string;
  workloadServiceAccountId: string;
  workloadServiceAccountEmail: string;
  adminBucket: string;
  modelBucket: string;
  artifactRegistry: string;
  perfSchema: string;
  perfTopic: string;
  perfSubscription: string;
  perfDataset: string;
  perfTable: string;
  /** `<project>.svc.id.goog[<namespace>/<ksa>]` */
  workloadIdentityMember: string;
}

export const serviceAccountEmail = (id: string, project: string) => `${id}@${project}.iam.gserviceaccount.com`;

export function resourceNames(spec: EnvironmentSpec): ResourceNames {
  const p = spec.name;
  const underscored = p.replaceAll('-', '_');
  const existing = spec.network.existing;
  const nodeSa = spec.serviceAccounts.nodePool.accountId ?? `${p}-gke-node-pool-sa`;
  const workloadSa = spec.serviceAccounts.workload.accountId ?? `${p}-saxml-wid-sa`;
  return {
    automationServiceAccountId: spec.bootstrap.automationServiceAccount,
    automationServiceAccountEmail: serviceAccountEmail(spec.bootstrap.automationServiceAccount, spec.project),
    automationBucket: spec.bootstrap.automationBucket ?? `${spec.project}-saxml-automation`,
    automationBucketLocation: spec.bootstrap.automationBucketLocation ?? spec.region,
    network: existing?.network ?? spec.network.name ?? `${p}-saxml-gke-cluster-network`,
    subnet: existing?.subnet ?? spec.network.subnetName ?? `${p}-saxml-gke-cluster-subnet`,
    podsRange: existing?.podsRangeName ?? 'pods',
    servicesRange: existing?.servicesRangeName ?? 'services',
    router: `${p}-saxml-nat-router`,
    nat: `${p}-saxml-nat`,
    cluster: spec.cluster.name ?? `${p}-saxml-gke-cluster`,
    nodePoolServiceAccountId: nodeSa,
    nodePoolServiceAccountEmail: serviceAccountEmail(nodeSa, spec.project),
    workloadServiceAccountId: workloadSa,
    workloadServiceAccountEmail: serviceAccountEmail(workloadSa, spec.project),
    // Bucket names are global (anyone's `demo-saxml-admin` would block ours): the project id makes them ours.
    adminBucket: spec.buckets.admin ?? `${spec.project}-${p}-saxml-admin`,
    modelBucket: spec.buckets.modelRepository ?? `${spec.project}-${p}-saxml-model-repository`,
    artifactRegistry: spec.artifactRegistry.name ?? `${p}-serving-images`,
    perfSchema: `${underscored}_${PERF_NAMES.schema}`,
    perfTopic: `${underscored}_${PERF_NAMES.topic}`,
    perfSubscription: `${underscored}_${PERF_NAMES.subscription}`,
    perfDataset: `${underscored}_${PERF_NAMES.dataset}`,
    // Not prefixed: the Locust tooling expects exactly this table name (defect 3), and the dataset is the environment's.
    perfTable: PERF_NAMES.table,
    workloadIdentityMember: `serviceAccount:${spec.project}.svc.id.goog[${spec.saxml.namespace}/${spec.saxml.serviceAccountName}]`,
  };
}

export interface NameLimitViolation {
  /** JSON path of the field to change: the override if one was given, else `$.name`. */
  path: string;
  message: string;
}

interface Limit {
  what: string;
  value: string;
  max: number;
  min?: number;
  /** Where an override lives; undefined when the name can only come from `name`. */
  overridePath?: string;
  overridden: boolean;
}

/** Checks every derived name against its real limit (only lengths: grammar is checked by the schema). */
export function limitViolations(spec: EnvironmentSpec): NameLimitViolation[] {
  const n = resourceNames(spec);
  const limits: Limit[] = [
    { what: 'node-pool service account id', value: n.nodePoolServiceAccountId, min: 6, max: 30,
      overridePath: '$.serviceAccounts.nodePool.accountId', overridden: !!spec.serviceAccounts.nodePool.accountId },
    { what: 'workload-identity service account id', value: n.workloadServiceAccountId, min: 6, max: 30,
      overridePath: '$.serviceAccounts.workload.accountId', overridden: !!spec.serviceAccounts.workload.accountId },
    { what: 'GKE cluster name', value: n.cluster, max: 40, overridePath: '$.cluster.name', overridden: !!spec.cluster.name },
    { what: 'VPC network name', value: n.network, max: 63, overridePath: '$.network.name', overridden: !!spec.network.name },
    { what: 'subnet name', value: n.subnet, max: 63, overridePath: '$.network.subnetName', overridden: !!spec.network.subnetName },
    { what: 'Cloud Router name', value: n.router, max: 63, overridden: false },
    { what: 'Saxml admin bucket name', value: n.adminBucket, min: 3, max: 63, overridePath: '$.buckets.admin', overridden: !!spec.buckets.admin },
    { what: 'model repository bucket name', value: n.modelBucket, min: 3, max: 63,
      overridePath: '$.buckets.modelRepository', overridden: !!spec.buckets.modelRepository },
    { what: 'automation bucket name', value: n.automationBucket, min: 3, max: 63,
      overridePath: '$.bootstrap.automationBucket', overridden: !!spec.bootstrap.automationBucket },
    { what: 'Artifact Registry repository id', value: n.artifactRegistry, max: 63,
      overridePath: '$.artifactRegistry.name', overridden: !!spec.artifactRegistry.name },
    // Pub/Sub ids are 3–255 characters; BigQuery dataset ids at most 1024: only reachable with overrides.
    { what: 'Pub/Sub subscription id', value: n.perfSubscription, min: 3, max: 255, overridden: false },
  ];
  const violations: NameLimitViolation[] = [];
  for (const l of limits) {
    const tooLong = l.value.length > l.max;
    const tooShort = l.min !== undefined && l.value.length < l.min;
    if (!tooLong && !tooShort) continue;
    const range = l.min !== undefined ? `${l.min}–${l.max}` : `at most ${l.max}`;
    const base = `${l.what} "${l.value}" is ${l.value.length} characters; Google allows ${range}`;
    if (l.overridden && l.overridePath) {
      violations.push({ path: l.overridePath, message: base });
    } else {
      const fix = tooLong
        ? `use a name of at most ${spec.name.length - (l.value.length - l.max)} characters`
        : 'use a longer name';
      const alt = l.overridePath ? ` or set ${l.overridePath.slice(2)}` : '';
      violations.push({ path: '$.name', message: `${base}: ${fix}${alt}` });
    }
  }
  // The field to change: the name when it brings "google" in, else the override (derived bucket
  // names start with the project id, which a name cannot change).
  const fix = (override: string, overridden: boolean) => (!overridden && spec.name.includes('google') ? '$.name' : override);
  const buckets = [
    [n.adminBucket, fix('$.buckets.admin', !!spec.buckets.admin)],
    [n.modelBucket, fix('$.buckets.modelRepository', !!spec.buckets.modelRepository)],
    [n.automationBucket, '$.bootstrap.automationBucket'],
  ] as const;
  for (const [bucket, path] of buckets) {
    // Google refuses bucket names that start with "goog" or contain "google".
    if (bucket.startsWith('goog') || bucket.includes('google')) {
      violations.push({ path, message: `bucket name "${bucket}" may not start with "goog" or contain "google"` });
    }
  }
  // Pub/Sub topic, subscription and schema ids may not start with "goog" either.
  if (spec.perf.enabled && n.perfTopic.startsWith('goog')) {
    violations.push({ path: '$.name', message: `Pub/Sub ids may not start with "goog": "${n.perfTopic}", "${n.perfSubscription}", "${n.perfSchema}"` });
  }
  return violations;
}

/**
 * A name an environment's resource takes in its project (the project's shared bootstrap resources
 * aside): `key` identifies the resource (kind, location, name), `path` the field that sets it, and
 * `owned` whether the environment creates it (an existing network it only uses is not its own).
 */
interface ClaimedName {
  key: string;
  what: string;
  name: string;
  path: string;
  owned: boolean;
}

function claimedNames(spec: EnvironmentSpec): ClaimedName[] {
  const n = resourceNames(spec);
  const path = (override: unknown, field: string) => (override ? field : '$.name');
  const existing = spec.network.existing;
  const claims: ClaimedName[] = [
    { key: `cluster/${spec.region}/${n.cluster}`, what: 'GKE cluster', name: n.cluster, path: path(spec.cluster.name, '$.cluster.name'), owned: true },
    { key: `network/${n.network}`, what: 'VPC network', name: n.network, path: existing ? '$.network.existing.network' : path(spec.network.name, '$.network.name'), owned: !existing },
    { key: `subnet/${spec.region}/${n.subnet}`, what: 'subnet', name: n.subnet, path: existing ? '$.network.existing.subnet' : path(spec.network.subnetName, '$.network.subnetName'), owned: !existing },
    { key: `serviceAccount/${n.nodePoolServiceAccountId}`, what: 'service account', name: n.nodePoolServiceAccountId,
      path: path(spec.serviceAccounts.nodePool.accountId, '$.serviceAccounts.nodePool.accountId'), owned: true },
    { key: `serviceAccount/${n.workloadServiceAccountId}`, what: 'service account', name: n.workloadServiceAccountId,
      path: path(spec.serviceAccounts.workload.accountId, '$.serviceAccounts.workload.accountId'), owned: true },
    { key: `bucket/${n.adminBucket}`, what: 'bucket', name: n.adminBucket, path: path(spec.buckets.admin, '$.buckets.admin'), owned: true },
    { key: `bucket/${n.modelBucket}`, what: 'bucket', name: n.modelBucket, path: path(spec.buckets.modelRepository, '$.buckets.modelRepository'), owned: true },
  ];
  if (spec.artifactRegistry.enabled) {
    claims.push({ key: `repository/${spec.artifactRegistry.location}/${n.artifactRegistry}`, what: 'Artifact Registry repository', name: n.artifactRegistry,
      path: path(spec.artifactRegistry.name, '$.artifactRegistry.name'), owned: true });
  }
  return claims;
}

/**
 * Names this spec's resources would take that another live environment of the project already
 * uses (one error per name, at the field that sets it): two environments never share a resource,
 * so neither can adopt, change or delete the other's. Both must own it to collide, except that
 * using an existing network another environment created is a collision too (its delete would
 * pull the network from under this one).
 */
export function nameConflicts(spec: EnvironmentSpec, others: readonly { id: string; spec: EnvironmentSpec }[]): FieldError[] {
  const errors: FieldError[] = [];
  const mine = claimedNames(spec);
  for (const other of others) {
    const theirs = new Map(claimedNames(other.spec).map((c) => [c.key, c]));
    for (const claim of mine) {
      const taken = theirs.get(claim.key);
      if (!taken || !(claim.owned || taken.owned)) continue;
      errors.push({ path: claim.path, message: `${claim.what} "${claim.name}" is already used by environment ${other.spec.name} (${other.id}) in project ${spec.project}: pick another name` });
    }
  }
  return errors;
}
