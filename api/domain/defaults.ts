/**
 * Defaults that reproduce the public "Saxml on GKE" reference guide
 * (the team's reference notes on the guide, saxml-on-gke.md §1–§4, kept beside this repository), with its known defects avoided (§8).
 */

/**
 * The services every environment enables: only what the plan calls or its settings need. The
 * guide's others are left out on purpose: batchEnable is all-or-nothing, and
 * sourcerepo.googleapis.com cannot be enabled by organisations that never used Cloud Source
 * Repositories (since June 17, 2024), which would fail every bootstrap there; the rest
 * (accesscontextmanager, aiplatform, cloudbuild, cloudkms, sts, storage-component, stackdriver) the
 * plan never uses. Add any with `bootstrap.additionalServices`.
 */
export const DEFAULT_SERVICES = [
  // the plan's own calls (api/domain/google-apis.ts)
  'cloudresourcemanager.googleapis.com',
  'compute.googleapis.com',
  'container.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'serviceusage.googleapis.com',
  'storage.googleapis.com',
  // what the cluster's settings need (plan/gke.ts): image streaming on the CPU pools (gcfsConfig),
  // Cloud DNS as cluster DNS, and the system/workload logs and metrics GKE sends
  'containerfilesystem.googleapis.com',
  'dns.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
] as const;

/** Added when the environment has its own Artifact Registry repository. */
export const ARTIFACT_REGISTRY_SERVICES = ['artifactregistry.googleapis.com'] as const;

/** Added when the perf stage is enabled (defect 11: era A forgot them). */
export const PERF_SERVICES = ['bigquery.googleapis.com', 'pubsub.googleapis.com'] as const;

/**
 * The roles the workflow's own identity holds in every target project (infra/iam.tf grants them;
 * a test keeps the two in step): what bootstrap, which runs as that identity, needs — enabling
 * services, creating the automation account and granting it roles, its bucket.
 */
export const WORKFLOW_TARGET_ROLES = [
  'roles/serviceusage.serviceUsageAdmin',
  'roles/iam.serviceAccountAdmin',
  'roles/resourcemanager.projectIamAdmin',
  'roles/storage.admin',
] as const;

/**
 * The roles this service's own (runtime) identity holds in every target project (infra/iam.tf):
 * the quota preflight reads regional quotas and reservations (compute.viewer); the Saxml deployer
 * reads the cluster's endpoint and CA with `getCluster` (container.clusterViewer: get and list of
 * clusters, no access to their Kubernetes objects — those it reaches as the automation account).
 */
export const RUNTIME_TARGET_ROLES = ['roles/compute.viewer', 'roles/container.clusterViewer'] as const;

/**
 * A project role of the automation account: why it is needed, and one permission it grants that
 * the plan uses, which the first automation step waits for (IAM grants take minutes to propagate).
 */
export interface AutomationRole {
  role: string;
  why: string;
  probe: string;
}

/**
 * The automation account's project roles, least privilege (README "The automation account"). No
 * securityAdmin (it could rewrite any policy) and no project-wide serviceAccountUser (it could act
 * as every account of the project): projectIamAdmin writes the project policy, and actAs is granted
 * on the node-pool account only (base.node-sa.act-as), which GKE needs to run nodes as it.
 */
export const AUTOMATION_ROLES: readonly AutomationRole[] = [
  { role: 'roles/iam.serviceAccountAdmin', probe: 'iam.serviceAccounts.create',
    why: 'creates and deletes the node-pool and workload-identity accounts and writes their own policies (actAs, Workload Identity)' },
  { role: 'roles/resourcemanager.projectIamAdmin', probe: 'resourcemanager.projects.setIamPolicy',
    why: 'grants the node-pool and workload-identity accounts (and the Pub/Sub service agent) their project roles' },
  { role: 'roles/compute.networkAdmin', probe: 'compute.networks.create',
    why: 'creates and deletes the VPC network, the subnet and the Cloud Router with NAT' },
  { role: 'roles/container.admin', probe: 'container.clusters.create',
    why: 'creates and deletes the cluster and its node pools, and deploys Saxml into it' },
  { role: 'roles/storage.admin', probe: 'storage.buckets.create',
    why: 'creates and deletes the Saxml buckets and writes their IAM policies' },
];

export const ARTIFACT_REGISTRY_AUTOMATION_ROLES: readonly AutomationRole[] = [
  { role: 'roles/artifactregistry.admin', probe: 'artifactregistry.repositories.create',
    why: 'creates and deletes the serving-images repository' },
];

export const PERF_AUTOMATION_ROLES: readonly AutomationRole[] = [
  { role: 'roles/pubsub.editor', probe: 'pubsub.topics.create',
    why: 'creates and deletes the metrics schema, topic and BigQuery subscription' },
  { role: 'roles/bigquery.dataOwner', probe: 'bigquery.datasets.create',
    why: 'creates and deletes the metrics dataset and table (at project level it may create datasets)' },
];

/**
 * Node-pool service account roles. GKE's minimum for node accounts is
 * roles/container.defaultNodeServiceAccount (logs, metrics, resource metadata); image streaming
 * needs serviceUsageConsumer on the project; nodes pull the serving images from the project's
 * Artifact Registry. Bucket access is granted per bucket (storage.objectViewer), not project-wide.
 */
export const NODE_POOL_SA_ROLES = [
  'roles/container.defaultNodeServiceAccount',
  'roles/serviceusage.serviceUsageConsumer',
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
