/**
 * What each predefined role lets a principal do, for the permissions the sandbox checks. A role
 * the table does not know grants nothing the sandbox checks (strict: a plan that relies on an
 * unlisted role fails here before it fails on Google); granting it is accepted, as Google accepts
 * any predefined role. Patterns end in `*` to cover a family (`compute.networks.*`).
 *
 * Source: IAM's predefined roles reference (https://cloud.google.com/iam/docs/roles-permissions),
 * reduced to the permissions of the methods the sandbox serves. Checked 2026-12.
 */

const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/owner': ['*'],
  // Editor may do everything but manage access (no *.setIamPolicy, no token minting).
  'roles/editor': ['!*.setIamPolicy', '!iam.serviceAccounts.getAccessToken', '!iam.serviceAccounts.actAs', '*'],
  'roles/viewer': ['*.get', '*.list', '*.getIamPolicy'],
  'roles/serviceusage.serviceUsageAdmin': ['serviceusage.*'],
  'roles/serviceusage.serviceUsageConsumer': ['serviceusage.services.use', 'serviceusage.services.get', 'serviceusage.services.list'],
  'roles/iam.serviceAccountAdmin': ['iam.serviceAccounts.create', 'iam.serviceAccounts.get', 'iam.serviceAccounts.list', 'iam.serviceAccounts.delete',
    'iam.serviceAccounts.update', 'iam.serviceAccounts.getIamPolicy', 'iam.serviceAccounts.setIamPolicy', 'resourcemanager.projects.get'],
  'roles/iam.serviceAccountUser': ['iam.serviceAccounts.actAs', 'iam.serviceAccounts.get', 'iam.serviceAccounts.list', 'resourcemanager.projects.get'],
  'roles/iam.serviceAccountTokenCreator': ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.getOpenIdToken', 'iam.serviceAccounts.signBlob',
    'iam.serviceAccounts.signJwt', 'iam.serviceAccounts.get', 'iam.serviceAccounts.list'],
  'roles/iam.securityAdmin': ['*.getIamPolicy', '*.setIamPolicy', 'iam.serviceAccounts.get', 'iam.serviceAccounts.list', 'resourcemanager.projects.get'],
  'roles/resourcemanager.projectIamAdmin': ['resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'resourcemanager.projects.setIamPolicy'],
  'roles/storage.admin': ['storage.*', 'resourcemanager.projects.get'],
  'roles/storage.objectAdmin': ['storage.objects.*'],
  'roles/storage.objectViewer': ['storage.objects.get', 'storage.objects.list'],
  'roles/storage.legacyBucketReader': ['storage.buckets.get', 'storage.objects.list'],
  'roles/storage.legacyBucketOwner': ['storage.buckets.get', 'storage.buckets.update', 'storage.buckets.getIamPolicy', 'storage.buckets.setIamPolicy', 'storage.objects.list'],
  'roles/compute.networkAdmin': ['compute.networks.*', 'compute.subnetworks.*', 'compute.routers.*', 'compute.forwardingRules.*',
    'compute.globalOperations.get', 'compute.regionOperations.get', 'resourcemanager.projects.get'],
  'roles/compute.viewer': ['compute.*.get', 'compute.*.list', 'resourcemanager.projects.get'],
  'roles/container.admin': ['container.*', 'resourcemanager.projects.get'],
  // Get and list clusters only: none of their Kubernetes objects.
  'roles/container.clusterViewer': ['container.clusters.get', 'container.clusters.list', 'resourcemanager.projects.get'],
  // The cluster's Kubernetes objects, not the cluster itself.
  'roles/container.developer': ['container.clusters.get', 'container.clusters.list', 'container.operations.get', 'container.pods.*',
    'container.deployments.*', 'container.jobs.*', 'container.services.*', 'container.configMaps.*', 'container.namespaces.*', 'container.serviceAccounts.*'],
  'roles/artifactregistry.admin': ['artifactregistry.*'],
  'roles/pubsub.editor': ['!pubsub.*.setIamPolicy', 'pubsub.*'],
  'roles/bigquery.admin': ['bigquery.*'],
  'roles/bigquery.dataEditor': ['bigquery.datasets.get', 'bigquery.tables.get', 'bigquery.tables.getData', 'bigquery.tables.updateData', 'bigquery.tables.create'],
  'roles/bigquery.dataOwner': ['bigquery.datasets.*', 'bigquery.tables.*'],
  'roles/bigquery.metadataViewer': ['bigquery.datasets.get', 'bigquery.tables.get', 'bigquery.tables.list'],
};

function matches(pattern: string, permission: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return permission.endsWith(pattern.slice(1));
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === permission;
  // `pubsub.*.setIamPolicy`, `compute.networks.*`
  const [head, tail] = [pattern.slice(0, star), pattern.slice(star + 1)];
  return permission.startsWith(head) && permission.endsWith(tail) && permission.length >= head.length + tail.length;
}

/** True when `role` contains `permission` (patterns prefixed `!` exclude, and are read first). */
export function roleGrants(role: string, permission: string): boolean {
  const patterns = ROLE_PERMISSIONS[role];
  if (!patterns) return false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matches(p.slice(1), permission)) return false;
    } else if (matches(p, permission)) return true;
  }
  return false;
}

