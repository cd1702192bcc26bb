/**
 * Defaults that reproduce the public "Saxml on GKE" reference guide
 * (../shared/reference/saxml-on-gke.md §1–§4), with its known defects avoided (§8).
 */

/** Stage-0 module defaults (§1.1), plus what perf testing needs and the era-A root's aiplatform. */
export const DEFAULT_SERVICES = [
  'accesscontextmanager.googleapis.com',
  'aiplatform.googleapis.com',
  'artifactregistry.googleapis.com',
  'cloudbuild.googleapis.com',
  'cloudkms.googleapis.com',
  'cloudresourcemanager.googleapis.com',
  'compute.googleapis.com',
  'container.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'serviceusage.googleapis.com',
  'sourcerepo.googleapis.com',
  'stackdriver.googleapis.com',
  'storage-component.googleapis.com',
  'storage.googleapis.com',
  'sts.googleapis.com',
] as const;

/** Added when the perf stage is enabled (defect 11: era A forgot them). */
export const PERF_SERVICES = ['bigquery.googleapis.com', 'pubsub.googleapis.com'] as const;

/** Automation service account project roles (§1.1 defaults). */
export const DEFAULT_AUTOMATION_ROLES = [
  'roles/iam.securityAdmin',
  'roles/iam.serviceAccountAdmin',
  'roles/compute.networkAdmin',
  'roles/container.admin',
  'roles/iam.serviceAccountUser',
  'roles/storage.admin',
  'roles/artifactregistry.admin',
] as const;

export const PERF_AUTOMATION_ROLES = ['roles/pubsub.editor', 'roles/bigquery.admin'] as const;

/** Node-pool service account roles (era B, §2.1 row 7). */
export const NODE_POOL_SA_ROLES = [
  'roles/storage.objectAdmin',
  'roles/logging.logWriter',
  'roles/artifactregistry.reader',
] as const;

/** Workload-identity service account roles: era B′ plus pubsub.publisher (defect 5). */
export const WORKLOAD_SA_ROLES = ['roles/storage.admin', 'roles/logging.logWriter', 'roles/pubsub.publisher'] as const;

/** §2.2 vpc_config defaults. */
export const DEFAULT_SUBNET_CIDR = '10.129.0.0/20';
export const DEFAULT_PODS_CIDR = '192.168.64.0/20';
export const DEFAULT_SERVICES_CIDR = '192.168.80.0/20';

/** §2.3: the guide's four CPU pools. */
export const DEFAULT_CPU_NODE_POOLS = [
  {
    name: 'saxml-admin-node-pool', machineType: 'n1-standard-8', diskSizeGb: 100, minNodeCount: 1, maxNodeCount: 1,
    taints: [{ key: 'saxml-admin-node-pool', value: 'true', effect: 'NO_SCHEDULE' as const }],
    labels: { 'saxml-admin-node-pool': 'true' },
  },
  {
    name: 'default-node-pool', machineType: 'n1-standard-8', diskSizeGb: 200, minNodeCount: 1, maxNodeCount: 3,
    taints: [], labels: {},
  },
  {
    name: 'large-workloads-node-pool', machineType: 'n2-highmem-32', diskSizeGb: 500, minNodeCount: 0, maxNodeCount: 3,
    taints: [], labels: {},
  },
  {
    name: 'saxml-proxy-node-pool', machineType: 'n1-standard-8', diskSizeGb: 100, minNodeCount: 1, maxNodeCount: 3,
    taints: [{ key: 'saxml-proxy-node-pool', value: 'true', effect: 'NO_SCHEDULE' as const }],
    labels: { 'saxml-proxy-node-pool': 'true' },
  },
];

/** §4.1 images (google/saxml v1.1.0), §4.2 cell. */
export const SAXML_IMAGES = {
  adminServer: 'us-docker.pkg.dev/cloud-tpu-images/inference/sax-admin-server:v1.1.0',
  modelServer: 'us-docker.pkg.dev/cloud-tpu-images/inference/sax-model-server:v1.1.0',
  util: 'us-docker.pkg.dev/cloud-tpu-images/inference/sax-util:v1.1.0',
} as const;
export const SAXML_CELL = '/sax/test';

/** §3, era B names: naming.ts joins them to the environment prefix with `_`, all but the table. */
export const PERF_NAMES = {
  schema: 'metrics_schema',
  topic: 'metrics_pubsub_sink',
  subscription: 'metrics_pubsub_bq_sub',
  dataset: 'metrics_dataset',
  table: 'performance_metrics',
} as const;
