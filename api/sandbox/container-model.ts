/**
 * GKE rules the sandbox simulates: cluster and node pool validation, TPU placement and stockouts,
 * and the rendering of Cluster/NodePool as container v1 returns them.
 */
import { rfc3339 } from './clock.js';
import { GoogleApiError, invalidArgument } from './errors.js';
import { readyRec, refKey } from './compute-resources.js';
import { hash32, type ClusterRec, type NodePoolRec, type World } from './state.js';

export const GKE_VERSION = '1.31.6-gke.1020000';
/** GKE names (clusters and node pools): RFC 1035 labels of at most 40 characters. */
export const GKE_NAME = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;
export const GKE_NAME_RULE = "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)'";

/** Zones that offer each TPU family (by machine-type prefix); the stockout message suggests these. */
export const TPU_ZONES: Record<string, string[]> = {
  ct4p: ['us-central2-b'],
  ct5lp: [
    'us-central1-a',
    'us-south1-a',
    'us-west1-c',
    'us-west4-a',
    'us-east1-c',
    'us-east5-b',
    'europe-west4-b',
    'asia-southeast1-b',
  ],
  ct5p: ['us-central1-a', 'us-east5-a', 'europe-west4-b'],
  ct6e: ['us-east1-d', 'us-east5-b', 'europe-west4-a', 'asia-northeast1-b'],
};

export const regionOf = (location: string): string => (/-[a-z]$/.test(location) ? location.slice(0, -2) : location);

export const tpuFamily = (machineType: unknown): string | null =>
  typeof machineType === 'string' && /^ct\d/.test(machineType) ? machineType.split('-')[0]! : null;

export interface PoolBody {
  name?: string;
  config?: { machineType?: string } & Record<string, unknown>;
  locations?: string[];
  initialNodeCount?: number;
  [k: string]: unknown;
}

/** Zones a pool's nodes go to: its own `locations`, else the cluster's, else three zones of the region. */
export function poolZones(pool: PoolBody, clusterLocations: string[] | undefined, location: string): string[] {
  if (pool.locations?.length) return pool.locations;
  if (clusterLocations?.length) return clusterLocations;
  if (location !== regionOf(location)) return [location];
  return ['a', 'b', 'c'].map((z) => `${location}-${z}`);
}

export function validatePool(pool: PoolBody, location: string, at: string): void {
  if (!pool.name || !GKE_NAME.test(pool.name)) {
    throw invalidArgument(`Invalid value for field "${at}.name": "${pool.name ?? ''}". ${GKE_NAME_RULE}.`);
  }
  const region = regionOf(location);
  for (const zone of pool.locations ?? []) {
    if (regionOf(zone) !== region) {
      throw invalidArgument(`Location "${zone}" of node pool "${pool.name}" is not in region "${region}".`);
    }
  }
}

/** Checks the cluster's network, subnetwork, secondary ranges and workload pool; returns their keys. */
export function validateClusterNetwork(
  world: World,
  project: string,
  location: string,
  cluster: Record<string, unknown>,
): { network: string; subnetwork: string; workloadPool?: string } {
  const region = regionOf(location);
  const networkRef = typeof cluster.network === 'string' && cluster.network ? cluster.network : 'default';
  const network = refKey(networkRef, 'network', project, null);
  if (!readyRec(world, network)) throw invalidArgument(`Network "${networkRef}" does not exist.`);
  if (typeof cluster.subnetwork !== 'string' || !cluster.subnetwork) {
    throw invalidArgument(`Network "${networkRef}" is not an auto-subnet mode network; please specify a subnetwork.`);
  }
  const subnetwork = refKey(cluster.subnetwork, 'subnetwork', project, region);
  const subnet = readyRec(world, subnetwork);
  if (!subnet) throw invalidArgument(`Subnetwork "${cluster.subnetwork}" does not exist in region "${region}".`);
  if (!subnet.uses.includes(network)) {
    throw invalidArgument(`Subnetwork "${cluster.subnetwork}" is not in network "${networkRef}".`);
  }

  const ranges = ((subnet.body.secondaryIpRanges as { rangeName?: string }[]) ?? []).map((r) => r.rangeName);
  const policy = (cluster.ipAllocationPolicy ?? {}) as Record<string, unknown>;
  for (const field of ['clusterSecondaryRangeName', 'servicesSecondaryRangeName'] as const) {
    const name = policy[field];
    if (typeof name === 'string' && !ranges.includes(name)) {
      throw invalidArgument(
        `Secondary range "${name}" (ipAllocationPolicy.${field}) does not exist in subnetwork "${subnetwork}".`,
      );
    }
  }
  const pool = (cluster.workloadIdentityConfig as { workloadPool?: string } | undefined)?.workloadPool;
  if (pool !== undefined && pool !== `${project}.svc.id.goog`) {
    throw invalidArgument(
      `Workload Identity Pool "${pool}" is invalid; the only supported pool is "${project}.svc.id.goog".`,
    );
  }
  return { network, subnetwork, workloadPool: pool };
}

export function stockoutError(world: World, cluster: ClusterRec, pool: PoolBody, stockedOut: string[]): GoogleApiError {
  const family = tpuFamily(pool.config?.machineType) ?? 'ct5lp';
  const available = (TPU_ZONES[family] ?? []).filter((z) => !world.faults.stockoutZones.includes(z));
  const instance = `gke-${cluster.name}-${pool.name}-${world.hex(8)}-${world.hex(4)}`.slice(0, 63);
  const zone = `projects/${cluster.project}/zones/${stockedOut[0]}`;
  const message =
    'Google Compute Engine: Not all instances running in IGM after 1m0s. Expected 1, running 0, transitioning 1. ' +
    `Current errors: [GCE_STOCKOUT]: Instance '${instance}' creation failed: The zone '${zone}' does not have ` +
    'enough resources available to fulfill the request. ' +
    `Try a different zone: ${available.join(', ') || '(none)'}, or try again later.`;
  return new GoogleApiError(429, 'RESOURCE_EXHAUSTED', message, { reason: 'GCE_STOCKOUT' });
}

const clusterLink = (cl: ClusterRec, containerBase: string) =>
  `${containerBase}/v1/projects/${cl.project}/locations/${cl.location}/clusters/${cl.name}`;

const STATUS = { creating: 'PROVISIONING', ready: 'RUNNING', deleting: 'STOPPING' } as const;

export function renderNodePool(cluster: ClusterRec, pool: NodePoolRec, containerBase: string) {
  const body = pool.body as PoolBody;
  return {
    ...body,
    name: pool.name,
    config: {
      diskSizeGb: 100,
      diskType: 'pd-balanced',
      imageType: 'COS_CONTAINERD',
      serviceAccount: 'default',
      oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      ...body.config,
    },
    initialNodeCount: body.initialNodeCount ?? 0,
    locations: poolZones(body, cluster.body.locations as string[] | undefined, cluster.location),
    management: { autoUpgrade: true, autoRepair: true, ...(body.management as object) },
    podIpv4CidrSize: 24,
    selfLink: `${clusterLink(cluster, containerBase)}/nodePools/${pool.name}`,
    version: GKE_VERSION,
    instanceGroupUrls: [],
    status: STATUS[pool.phase],
    etag: Buffer.from(`${pool.name}-${pool.createdAt}`).toString('base64').slice(0, 16),
  };
}

/** GKE's fingerprint of a cluster's labels: it changes with every change of them (setResourceLabels checks it). */
export const labelFingerprint = (labels: unknown): string => hash32(JSON.stringify(labels ?? {})).toString(16).padStart(8, '0');

/** A fake but well-formed PEM, base64-encoded as `masterAuth.clusterCaCertificate` is. */
const FAKE_CA = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nU0FOREJPWC1DTFVTVEVSLUNBLU5PVC1BLVJFQUwtQ0VSVElGSUNBVEU=\n-----END CERTIFICATE-----\n',
).toString('base64');

export function fakeEndpoint(key: string): string {
  const h = hash32(key);
  return `34.${(h % 200) + 10}.${(h >>> 8) % 256}.${(h >>> 16) % 256}`;
}

export function renderCluster(cluster: ClusterRec, containerBase: string) {
  const region = regionOf(cluster.location);
  const short = (key: string) => key.split('/').pop()!;
  const body = { ...cluster.body };
  delete body.nodePools;
  const zones = poolZones({}, body.locations as string[] | undefined, cluster.location);
  return {
    ...body,
    name: cluster.name,
    id: cluster.id,
    network: short(cluster.network),
    subnetwork: short(cluster.subnetwork),
    networkConfig: { network: cluster.network, subnetwork: cluster.subnetwork },
    nodePools: [...cluster.nodePools.values()].map((p) => renderNodePool(cluster, p, containerBase)),
    locations: zones,
    location: cluster.location,
    zone: cluster.location,
    selfLink: clusterLink(cluster, containerBase),
    endpoint: cluster.endpoint,
    masterAuth: { clusterCaCertificate: cluster.caBase64 ?? FAKE_CA },
    controlPlaneEndpointsConfig: {
      dnsEndpointConfig: { endpoint: `gke-${cluster.id.slice(-12)}.${region}.gke.goog`, allowExternalTraffic: true },
      ipEndpointsConfig: { enabled: true, publicEndpoint: cluster.endpoint },
    },
    initialClusterVersion: GKE_VERSION,
    currentMasterVersion: GKE_VERSION,
    currentNodeVersion: GKE_VERSION,
    createTime: rfc3339(cluster.createdAt),
    status: STATUS[cluster.phase],
    labelFingerprint: labelFingerprint(cluster.body.resourceLabels),
    loggingService: 'logging.googleapis.com/kubernetes',
    monitoringService: 'monitoring.googleapis.com/kubernetes',
    etag: Buffer.from(`${cluster.id}-${cluster.phase}`).toString('base64').slice(0, 16),
  };
}
