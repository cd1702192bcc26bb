/**
 * GKE rules the sandbox simulates: cluster and node pool validation (locations, TPU availability,
 * boot disk types, the APIs a feature needs), stockouts, and the rendering of Cluster/NodePool as
 * container v1 returns them — at their real size (a cluster object is tens of KB).
 */
import { isZone, tpuGenerationOf, TPU_ZONES } from '../domain/locations.js';
import { supportedDiskTypes } from '../domain/machines.js';
import { rfc3339 } from './clock.js';
import { failedPrecondition, GoogleApiError, invalidArgument } from './errors.js';
import { readyRec, refKey } from './compute-resources.js';
import { hash32, type ClusterRec, type NodePoolRec, type World } from './state.js';

export const GKE_VERSION = '1.31.6-gke.1020000';
/** GKE names (clusters and node pools): RFC 1035 labels of at most 40 characters. */
export const GKE_NAME = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;
export const GKE_NAME_RULE = "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)'";

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

/** A zone that is not one of Google's (the URL's region is checked by the route). */
export const unknownLocation = (location: string) => invalidArgument(`Location "${location}" does not exist.`);

/**
 * A node pool's name, zones (Google's, in the cluster's region), machine type (a TPU machine only
 * where its generation is offered) and boot disk type (one the machine series supports).
 */
export function validatePool(pool: PoolBody, clusterLocations: string[] | undefined, location: string, at: string): void {
  if (!pool.name || !GKE_NAME.test(pool.name)) {
    throw invalidArgument(`Invalid value for field "${at}.name": "${pool.name ?? ''}". ${GKE_NAME_RULE}.`);
  }
  const region = regionOf(location);
  for (const zone of pool.locations ?? []) {
    if (!isZone(zone)) throw unknownLocation(zone);
    if (regionOf(zone) !== region) {
      throw invalidArgument(`Location "${zone}" of node pool "${pool.name}" is not in region "${region}".`);
    }
  }
  const machineType = pool.config?.machineType ?? 'e2-medium';
  const generation = tpuGenerationOf(machineType);
  if (generation) {
    for (const zone of poolZones(pool, clusterLocations, location)) {
      if (!TPU_ZONES[generation].includes(zone)) {
        throw invalidArgument(`Machine type with name '${machineType}' does not exist in zone '${zone}'.`);
      }
    }
  }
  const diskType = pool.config?.diskType as string | undefined;
  if (diskType !== undefined && !supportedDiskTypes(machineType).includes(diskType as never)) {
    throw invalidArgument(`Machine type ${machineType} does not support disk type ${diskType} (${at}.config.disk_type).`);
  }
}

/** Features of a cluster body that need an API besides GKE's (each refused while it is disabled). */
export function requiredApis(cluster: Record<string, unknown>): { service: string; title: string; feature: string }[] {
  const pools = (cluster.nodePools as PoolBody[] | undefined) ?? [];
  const needs: { service: string; title: string; feature: string }[] = [];
  const streaming = pools.some((p) => (p.config?.gcfsConfig as { enabled?: boolean } | undefined)?.enabled)
    || (cluster.nodePoolDefaults as { nodeConfigDefaults?: { gcfsConfig?: { enabled?: boolean } } } | undefined)?.nodeConfigDefaults?.gcfsConfig?.enabled;
  if (streaming) needs.push({ service: 'containerfilesystem.googleapis.com', title: 'Container File System API', feature: 'Image streaming (gcfsConfig)' });
  const dns = (cluster.networkConfig as { dnsConfig?: { clusterDns?: string } } | undefined)?.dnsConfig?.clusterDns;
  if (dns === 'CLOUD_DNS') needs.push({ service: 'dns.googleapis.com', title: 'Cloud DNS API', feature: 'Cloud DNS for GKE (clusterDns CLOUD_DNS)' });
  return needs;
}

/** GKE refuses a feature whose API the project has not enabled (400 FAILED_PRECONDITION). */
export function checkRequiredApis(world: World, project: string, needs: { service: string; title: string; feature: string }[]): void {
  for (const need of needs) {
    if (!world.isServiceEnabled(project, need.service)) {
      throw failedPrecondition(
        `${need.feature} requires the ${need.title} (${need.service}) to be enabled in project ` +
          `${world.project(project).projectNumber}. Enable it and retry.`,
      );
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

/**
 * What GKE reports when the zone has no capacity for the pool's machines: the managed instance
 * group's error, ending with Compute Engine's "Try a different zone, or try again later." (which
 * names no zone: choosing one is the caller's business).
 */
export function stockoutError(world: World, cluster: ClusterRec, pool: { name: string }, stockedOut: string[]): GoogleApiError {
  const instance = `gke-${cluster.name}-${pool.name}-${world.hex(8)}-${world.hex(4)}`.slice(0, 63);
  const zone = `projects/${cluster.project}/zones/${stockedOut[0]}`;
  const message =
    'Google Compute Engine: Not all instances running in IGM after 1m0s. Expected 1, running 0, transitioning 1. ' +
    `Current errors: [GCE_STOCKOUT]: Instance '${instance}' creation failed: The zone '${zone}' does not have ` +
    'enough resources available to fulfill the request. Try a different zone, or try again later.';
  return new GoogleApiError(429, 'RESOURCE_EXHAUSTED', message, { reason: 'GCE_STOCKOUT' });
}

const clusterLink = (cl: ClusterRec, containerBase: string) =>
  `${containerBase}/v1/projects/${cl.project}/locations/${cl.location}/clusters/${cl.name}`;

const computeLink = (containerBase: string, rel: string) =>
  `${containerBase.replace(/\/container$/, '/compute')}/compute/v1/${rel}`;

/** A node pool as GKE returns it: what was asked, plus every default GKE fills in. */
export function renderNodePool(cluster: ClusterRec, pool: NodePoolRec, containerBase: string) {
  const body = pool.body as PoolBody;
  const zones = poolZones(body, cluster.body.locations as string[] | undefined, cluster.location);
  const short = `${cluster.name}-${pool.name}`.slice(0, 30);
  const groups = zones.map((z) => computeLink(containerBase, `projects/${cluster.project}/zones/${z}/instanceGroupManagers/gke-${short}-${hash32(pool.name + z).toString(16).slice(0, 8)}-grp`));
  return {
    ...body,
    name: pool.name,
    config: {
      machineType: 'e2-medium',
      diskSizeGb: 100,
      diskType: 'pd-balanced',
      imageType: 'COS_CONTAINERD',
      serviceAccount: 'default',
      oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
      metadata: { 'disable-legacy-endpoints': 'true' },
      shieldedInstanceConfig: { enableIntegrityMonitoring: true },
      kubeletConfig: { insecureKubeletReadonlyPortEnabled: false, maxParallelImagePulls: 2 },
      resourceLabels: { 'goog-gke-node-pool-provisioning-model': body.config?.spot ? 'spot' : 'on-demand' },
      windowsNodeConfig: {},
      loggingConfig: { variantConfig: { variant: 'DEFAULT' } },
      containerdConfig: {},
      advancedMachineFeatures: {},
      effectiveCgroupMode: 'EFFECTIVE_CGROUP_MODE_V2',
      bootDisk: { diskType: body.config?.diskType ?? 'pd-balanced', sizeGb: String(body.config?.diskSizeGb ?? 100) },
      ...body.config,
    },
    initialNodeCount: body.initialNodeCount ?? 0,
    locations: zones,
    management: {
      autoUpgrade: true,
      autoRepair: true,
      upgradeOptions: {
        autoUpgradeStartTime: rfc3339(pool.createdAt + 14 * 86_400_000),
        description: `Next automatic upgrade may happen in a maintenance window after ${rfc3339(pool.createdAt + 14 * 86_400_000)}: ` +
          `the node pool will be upgraded to the release channel's default version.`,
      },
      ...(body.management as object),
    },
    networkConfig: {
      podRange: 'pods',
      podIpv4CidrBlock: '192.168.64.0/20',
      enablePrivateNodes: false,
      podIpv4RangeUtilization: 0.0625,
      subnetwork: computeLink(containerBase, cluster.subnetwork),
      networkTierConfig: { networkTier: 'NETWORK_TIER_DEFAULT' },
    },
    maxPodsConstraint: { maxPodsPerNode: '110' },
    podIpv4CidrSize: 24,
    upgradeSettings: {
      maxSurge: 1,
      strategy: 'SURGE',
      blueGreenSettings: { standardRolloutPolicy: { batchPercentage: 1, batchSoakDuration: '0s' }, nodePoolSoakDuration: '3600s' },
    },
    queuedProvisioning: {},
    conditions: [],
    selfLink: `${clusterLink(cluster, containerBase)}/nodePools/${pool.name}`,
    version: GKE_VERSION,
    instanceGroupUrls: groups,
    status: pool.status,
    ...(pool.statusMessage
      ? { statusMessage: pool.statusMessage, conditions: [{ code: 'GCE_STOCKOUT', message: pool.statusMessage, canonicalCode: 'RESOURCE_EXHAUSTED' }] }
      : {}),
    etag: Buffer.from(`${pool.name}-${pool.createdAt}-${pool.status}`).toString('base64').slice(0, 16),
  };
}

/** GKE's fingerprint of a cluster's labels: it changes with every change of them (setResourceLabels checks it). */
export const labelFingerprint = (labels: unknown): string => hash32(JSON.stringify(labels ?? {})).toString(16).padStart(8, '0');

/**
 * A well-formed PEM of a real certificate's size (≈1.1 KB, base64-encoded again as
 * `masterAuth.clusterCaCertificate` is), not a usable one.
 */
function fakeCa(seed: string): string {
  const der = Buffer.alloc(800);
  for (let i = 0; i < der.length; i += 4) der.writeUInt32BE(hash32(`${seed}/${i}`), i);
  const lines = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`).toString('base64');
}

export function fakeEndpoint(key: string): string {
  const h = hash32(key);
  return `34.${(h % 200) + 10}.${(h >>> 8) % 256}.${(h >>> 16) % 256}`;
}

/** A cluster as GKE returns it: what was asked, its node pools, and the many fields GKE fills in. */
export function renderCluster(cluster: ClusterRec, containerBase: string) {
  const region = regionOf(cluster.location);
  const short = (key: string) => key.split('/').pop()!;
  const body = { ...cluster.body };
  delete body.nodePools;
  const zones = poolZones({}, body.locations as string[] | undefined, cluster.location);
  const nodePools = [...cluster.nodePools.values()].map((p) => renderNodePool(cluster, p, containerBase));
  return {
    ...body,
    name: cluster.name,
    id: cluster.id,
    network: short(cluster.network),
    subnetwork: short(cluster.subnetwork),
    // GKE still returns the deprecated copies of the first pool's config and of every group.
    ...(nodePools[0] ? { nodeConfig: nodePools[0].config, initialNodeCount: nodePools[0].initialNodeCount } : {}),
    instanceGroupUrls: nodePools.flatMap((p) => p.instanceGroupUrls),
    nodePools,
    locations: zones,
    location: cluster.location,
    zone: cluster.location,
    selfLink: clusterLink(cluster, containerBase),
    endpoint: cluster.endpoint,
    masterAuth: { clusterCaCertificate: cluster.caBase64 ?? fakeCa(cluster.id) },
    loggingService: 'logging.googleapis.com/kubernetes',
    monitoringService: 'monitoring.googleapis.com/kubernetes',
    addonsConfig: {
      httpLoadBalancing: {},
      horizontalPodAutoscaling: {},
      kubernetesDashboard: { disabled: true },
      networkPolicyConfig: { disabled: true },
      dnsCacheConfig: {},
      gcePersistentDiskCsiDriverConfig: { enabled: true },
      gcpFilestoreCsiDriverConfig: {},
      gcsFuseCsiDriverConfig: {},
      ...(body.addonsConfig as object),
    },
    clusterIpv4Cidr: '192.168.64.0/20',
    servicesIpv4Cidr: '192.168.80.0/20',
    nodeIpv4CidrSize: 24,
    ipAllocationPolicy: {
      useIpAliases: true,
      clusterIpv4Cidr: '192.168.64.0/20',
      clusterIpv4CidrBlock: '192.168.64.0/20',
      servicesIpv4Cidr: '192.168.80.0/20',
      servicesIpv4CidrBlock: '192.168.80.0/20',
      stackType: 'IPV4',
      podCidrOverprovisionConfig: {},
      defaultPodIpv4RangeUtilization: 0.0625,
      ...(body.ipAllocationPolicy as object),
    },
    networkConfig: {
      network: cluster.network,
      subnetwork: cluster.subnetwork,
      defaultSnatStatus: {},
      serviceExternalIpsConfig: {},
      datapathProvider: 'LEGACY_DATAPATH',
      ...(body.networkConfig as object),
    },
    privateClusterConfig: { privateEndpoint: '10.129.0.2', publicEndpoint: cluster.endpoint },
    controlPlaneEndpointsConfig: {
      dnsEndpointConfig: { endpoint: `gke-${cluster.id.slice(-12)}.${region}.gke.goog`, allowExternalTraffic: true },
      ipEndpointsConfig: { enabled: true, enablePublicEndpoint: true, globalAccess: false, publicEndpoint: cluster.endpoint, privateEndpoint: '10.129.0.2' },
    },
    legacyAbac: {},
    masterAuthorizedNetworksConfig: { gcpPublicCidrsAccessEnabled: true },
    maintenancePolicy: { resourceVersion: 'e3b0c442' },
    binaryAuthorization: {},
    autoscaling: { autoscalingProfile: 'BALANCED' },
    defaultMaxPodsConstraint: { maxPodsPerNode: '110' },
    authenticatorGroupsConfig: {},
    databaseEncryption: { state: 'DECRYPTED', currentState: 'CURRENT_STATE_DECRYPTED' },
    shieldedNodes: { enabled: true },
    notificationConfig: { pubsub: {} },
    nodePoolDefaults: { nodeConfigDefaults: { loggingConfig: { variantConfig: { variant: 'DEFAULT' } }, nodeKubeletConfig: { insecureKubeletReadonlyPortEnabled: false } } },
    monitoringConfig: {
      componentConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'STORAGE', 'HPA', 'POD', 'DAEMONSET', 'DEPLOYMENT', 'STATEFULSET', 'CADVISOR', 'KUBELET', 'DCGM'] },
      managedPrometheusConfig: { enabled: true },
      advancedDatapathObservabilityConfig: {},
    },
    loggingConfig: { componentConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'WORKLOADS'] }, ...(body.loggingConfig as object) },
    securityPostureConfig: { mode: 'BASIC', vulnerabilityMode: 'VULNERABILITY_MODE_UNSPECIFIED' },
    enterpriseConfig: { clusterTier: 'STANDARD' },
    nodePoolAutoConfig: { nodeKubeletConfig: { insecureKubeletReadonlyPortEnabled: false } },
    rbacBindingConfig: { enableInsecureBindingSystemUnauthenticated: false, enableInsecureBindingSystemAuthenticated: false },
    initialClusterVersion: GKE_VERSION,
    currentMasterVersion: GKE_VERSION,
    currentNodeVersion: GKE_VERSION,
    currentNodeCount: [...cluster.nodePools.values()].reduce((n, p) => n + Number((p.body as PoolBody).initialNodeCount ?? 0), 0),
    createTime: rfc3339(cluster.createdAt),
    status: cluster.status,
    labelFingerprint: labelFingerprint(cluster.body.resourceLabels),
    ...(cluster.statusMessage ? { statusMessage: cluster.statusMessage } : {}),
    ...(cluster.status === 'ERROR' || cluster.status === 'DEGRADED'
      ? { conditions: [{ code: cluster.status === 'ERROR' ? 'GCE_STOCKOUT' : 'UNKNOWN', message: cluster.statusMessage, canonicalCode: cluster.status === 'ERROR' ? 'RESOURCE_EXHAUSTED' : 'FAILED_PRECONDITION' }] }
      : {}),
    satisfiesPzs: false,
    satisfiesPzi: false,
    etag: Buffer.from(`${cluster.id}-${cluster.status}`).toString('base64').slice(0, 16),
  };
}
