import type { cloudresourcemanager_v1 } from '@googleapis/cloudresourcemanager';
import type { compute_v1 } from '@googleapis/compute';
import type { container_v1 } from '@googleapis/container';
import type { iam_v1 } from '@googleapis/iam';
import type { serviceusage_v1 } from '@googleapis/serviceusage';
import type { storage_v1 } from '@googleapis/storage';
import type { artifactregistry_v1 } from '../../../vendor/googleapis/artifactregistry.js';
import type { bigquery_v2 } from '../../../vendor/googleapis/bigquery.js';
import type { pubsub_v1 } from '../../../vendor/googleapis/pubsub.js';
import type { ApiBases, GoogleApi } from '../google-apis.js';

/**
 * Google REST URLs the plan calls, built from the configured base per API (production or sandbox),
 * and the request body types from Google's discovery documents. Each URL names the discovery method
 * whose path template it fills, so a reader can check it against the package or, for the APIs Google
 * publishes no per-API package of, vendor/googleapis/methods.json (and a unit test does).
 */

/** Request bodies, typed with Google's discovery schemas: a field Google does not define does not compile. */
export type Bodies = {
  batchEnable: serviceusage_v1.Schema$BatchEnableServicesRequest;
  getProjectIamPolicy: cloudresourcemanager_v1.Schema$GetIamPolicyRequest;
  testIamPermissions: cloudresourcemanager_v1.Schema$TestIamPermissionsRequest;
  createServiceAccount: iam_v1.Schema$CreateServiceAccountRequest;
  bucket: storage_v1.Schema$Bucket;
  network: compute_v1.Schema$Network;
  subnetwork: compute_v1.Schema$Subnetwork;
  router: compute_v1.Schema$Router;
  createCluster: container_v1.Schema$CreateClusterRequest;
  cluster: container_v1.Schema$Cluster;
  nodePool: container_v1.Schema$NodePool;
  nodeConfig: container_v1.Schema$NodeConfig;
  createNodePool: container_v1.Schema$CreateNodePoolRequest;
  setClusterLabels: container_v1.Schema$SetLabelsRequest;
  setNodePoolSize: container_v1.Schema$SetNodePoolSizeRequest;
  setNodePoolAutoscaling: container_v1.Schema$SetNodePoolAutoscalingRequest;
  repository: artifactregistry_v1.Schema$Repository;
  pubsubSchema: pubsub_v1.Schema$Schema;
  topic: pubsub_v1.Schema$Topic;
  subscription: pubsub_v1.Schema$Subscription;
  dataset: bigquery_v2.Schema$Dataset;
  table: bigquery_v2.Schema$Table;
  tableField: bigquery_v2.Schema$TableFieldSchema;
};

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * One path segment: every value from a spec is encoded, so `/`, `?`, `#` or `%` cannot leave its
 * segment — though validation already refuses such values: this is the defence in depth. `@` stays
 * as Google writes service account emails in its paths. An empty, `.` or `..` segment cannot be
 * written at all (URL parsers resolve `%2E%2E` as `..` too), so it is refused.
 */
export function segment(value: string): string {
  if (value === '' || value === '.' || value === '..') throw new Error(`"${value}" cannot be a URL path segment (the spec should have been validated)`);
  return encodeURIComponent(value).replace(/%40/g, '@');
}

/** A query parameter's value. */
const param = (value: string) => encodeURIComponent(value);

/**
 * URL builders for one project. Bases lose a trailing slash so `base + '/v1/…'` never doubles it;
 * every value is a `segment` (or a `param`), so it keeps the place the method's template gives it.
 */
export function googleUrls(apis: ApiBases, projectId: string) {
  const base = (api: GoogleApi) => apis[api].replace(/\/+$/, '');
  const project = segment(projectId);
  const su = base('serviceusage');
  const crm = base('cloudresourcemanager');
  const iam = base('iam');
  const creds = base('iamcredentials');
  const gcs = base('storage');
  const gce = `${base('compute')}/compute/v1/projects/${project}`;
  const gke = base('container');
  const ps = `${base('pubsub')}/v1/projects/${project}`;
  const bq = `${base('bigquery')}/bigquery/v2/projects/${project}`;
  const ar = base('artifactregistry');
  const sa = (email: string) => `${iam}/v1/projects/${project}/serviceAccounts/${segment(email)}`;
  const cluster = (location: string, name: string) => `${gke}/v1/projects/${project}/locations/${segment(location)}/clusters/${segment(name)}`;

  return {
    base,
    serviceusage: {
      /** serviceusage.services.batchEnable: POST v1/{+parent}/services:batchEnable (≤ 20 services). */
      batchEnable: `${su}/v1/projects/${project}/services:batchEnable`,
      /**
       * serviceusage.services.generateServiceIdentity: POST v1beta1/{+parent}:generateServiceIdentity,
       * parent `projects/<number>/services/<service>` (the documented form names the project by number).
       */
      generateServiceIdentity: (projectNumber: string, service: string) =>
        `${su}/v1beta1/projects/${projectNumber}/services/${service}:generateServiceIdentity`,
    },
    resourcemanager: {
      /** cloudresourcemanager.projects.get: GET v1/projects/{projectId} */
      project: `${crm}/v1/projects/${project}`,
      /** cloudresourcemanager.projects.getIamPolicy: POST v1/projects/{resource}:getIamPolicy */
      getIamPolicy: `${crm}/v1/projects/${project}:getIamPolicy`,
      /** cloudresourcemanager.projects.setIamPolicy: POST v1/projects/{resource}:setIamPolicy */
      setIamPolicy: `${crm}/v1/projects/${project}:setIamPolicy`,
      /** cloudresourcemanager.projects.testIamPermissions: POST v1/projects/{resource}:testIamPermissions */
      testIamPermissions: `${crm}/v1/projects/${project}:testIamPermissions`,
    },
    iam: {
      /** iam.projects.serviceAccounts.create: POST v1/{+name}/serviceAccounts */
      serviceAccounts: `${iam}/v1/projects/${project}/serviceAccounts`,
      /** iam.projects.serviceAccounts.get / delete: GET|DELETE v1/{+name} */
      serviceAccount: sa,
      /** iam.projects.serviceAccounts.getIamPolicy: POST v1/{+resource}:getIamPolicy */
      getIamPolicy: (email: string) => `${sa(email)}:getIamPolicy`,
      /** iam.projects.serviceAccounts.setIamPolicy: POST v1/{+resource}:setIamPolicy */
      setIamPolicy: (email: string) => `${sa(email)}:setIamPolicy`,
    },
    iamcredentials: {
      /** iamcredentials.projects.serviceAccounts.generateAccessToken: POST v1/{+name}:generateAccessToken */
      generateAccessToken: (email: string) => `${creds}/v1/projects/-/serviceAccounts/${segment(email)}:generateAccessToken`,
    },
    storage: {
      /** storage.buckets.insert: POST storage/v1/b?project= */
      buckets: `${gcs}/storage/v1/b?project=${param(projectId)}`,
      /** storage.buckets.get / patch / delete: GET|PATCH|DELETE storage/v1/b/{bucket} */
      bucket: (name: string) => `${gcs}/storage/v1/b/${segment(name)}`,
      /**
       * storage.objects.list: GET storage/v1/b/{bucket}/o (first page: the teardown lists again
       * until nothing is left); storage.objects.delete: DELETE storage/v1/b/{bucket}/o/{object}, the
       * object name URL-encoded (the workflow appends it).
       */
      objects: (name: string) => `${gcs}/storage/v1/b/${segment(name)}/o?fields=items(name)&maxResults=1000`,
      object: (name: string) => `${gcs}/storage/v1/b/${segment(name)}/o/`,
      /** storage.buckets.getIamPolicy / setIamPolicy: GET|PUT storage/v1/b/{bucket}/iam */
      bucketIam: (name: string) => `${gcs}/storage/v1/b/${segment(name)}/iam`,
    },
    compute: {
      /** A region as Compute names it in bodies (Subnetwork.region: "URL of the region"). */
      region: (region: string) => `${gce}/regions/${region}`,
      /** compute.networks.insert: POST compute/v1/projects/{project}/global/networks */
      networks: `${gce}/global/networks`,
      /** compute.networks.get / delete */
      network: (name: string) => `${gce}/global/networks/${segment(name)}`,
      /** compute.subnetworks.insert: POST …/regions/{region}/subnetworks */
      subnetworks: (region: string) => `${gce}/regions/${segment(region)}/subnetworks`,
      subnetwork: (region: string, name: string) => `${gce}/regions/${segment(region)}/subnetworks/${segment(name)}`,
      /** compute.routers.insert: POST …/regions/{region}/routers */
      routers: (region: string) => `${gce}/regions/${segment(region)}/routers`,
      router: (region: string, name: string) => `${gce}/regions/${segment(region)}/routers/${segment(name)}`,
    },
    container: {
      /** container.projects.locations.clusters.create: POST v1/{+parent}/clusters */
      clusters: (location: string) => `${gke}/v1/projects/${project}/locations/${segment(location)}/clusters`,
      /** container.projects.locations.clusters.get / delete: GET|DELETE v1/{+name} */
      cluster,
      /** container.projects.locations.clusters.setResourceLabels: POST v1/{+name}:setResourceLabels */
      setResourceLabels: (location: string, clusterName: string) => `${cluster(location, clusterName)}:setResourceLabels`,
      /** container.projects.locations.clusters.nodePools.create: POST v1/{+parent}/nodePools */
      nodePools: (location: string, clusterName: string) => `${cluster(location, clusterName)}/nodePools`,
      /** container.projects.locations.clusters.nodePools.get / delete: GET|DELETE v1/{+name} */
      nodePool: (location: string, clusterName: string, pool: string) => `${cluster(location, clusterName)}/nodePools/${segment(pool)}`,
      /**
       * container.projects.locations.clusters.nodePools.setSize / setAutoscaling:
       * POST v1/{+name}:setSize | :setAutoscaling
       */
      setNodePoolSize: (location: string, clusterName: string, pool: string) => `${cluster(location, clusterName)}/nodePools/${segment(pool)}:setSize`,
      setNodePoolAutoscaling: (location: string, clusterName: string, pool: string) => `${cluster(location, clusterName)}/nodePools/${segment(pool)}:setAutoscaling`,
    },
    pubsub: {
      /** pubsub.projects.schemas.create: POST v1/{+parent}/schemas?schemaId= */
      schemas: (id: string) => `${ps}/schemas?schemaId=${param(id)}`,
      /** pubsub.projects.schemas.get / delete: GET|DELETE v1/{+name} */
      schema: (id: string) => `${ps}/schemas/${segment(id)}`,
      /** pubsub.projects.topics.create / get / delete: PUT|GET|DELETE v1/{+name} */
      topic: (id: string) => `${ps}/topics/${segment(id)}`,
      /** pubsub.projects.subscriptions.create / get / delete: PUT|GET|DELETE v1/{+name} */
      subscription: (id: string) => `${ps}/subscriptions/${segment(id)}`,
    },
    bigquery: {
      /** bigquery.datasets.insert: POST bigquery/v2/projects/{+projectId}/datasets */
      datasets: `${bq}/datasets`,
      /** bigquery.datasets.get / delete: GET|DELETE …/datasets/{+datasetId} (delete takes ?deleteContents=) */
      dataset: (id: string) => `${bq}/datasets/${segment(id)}`,
      /** bigquery.tables.insert: POST …/datasets/{+datasetId}/tables */
      tables: (dataset: string) => `${bq}/datasets/${segment(dataset)}/tables`,
      /** bigquery.tables.get / delete: GET|DELETE …/datasets/{+datasetId}/tables/{+tableId} */
      table: (dataset: string, id: string) => `${bq}/datasets/${segment(dataset)}/tables/${segment(id)}`,
    },
    artifactregistry: {
      /** artifactregistry.projects.locations.repositories.create: POST v1/{+parent}/repositories?repositoryId= */
      repositories: (location: string, id: string) =>
        `${ar}/v1/projects/${project}/locations/${segment(location)}/repositories?repositoryId=${param(id)}`,
      /** artifactregistry.projects.locations.repositories.get / delete: GET|DELETE v1/{+name} */
      repository: (location: string, id: string) => `${ar}/v1/projects/${project}/locations/${segment(location)}/repositories/${segment(id)}`,
    },
  };
}

export type GoogleUrls = ReturnType<typeof googleUrls>;

/**
 * Drops properties whose value is `undefined`, at every depth. Bodies spell optional fields as
 * `field: condition ? value : undefined` — unlike a conditional spread, that keeps TypeScript's
 * excess-property check on every field name — and this keeps the `undefined`s out of the plan.
 */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => compact(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = compact(v);
  return out as T;
}

/** Labels only when there are some: an empty map is noise in every body. */
export const nonEmpty = <T extends object>(value: T): T | undefined => (Object.keys(value).length ? value : undefined);
