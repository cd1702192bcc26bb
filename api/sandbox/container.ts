/**
 * Kubernetes Engine v1: clusters, node pools and their operations. A cluster is visible while it is
 * PROVISIONING (GKE shows it at once) and STOPPING. GKE allows one cluster-level operation at a time
 * (create, delete), which excludes every other; node pool operations run beside one another, one per
 * node pool ("You can manually create, update, or delete a node pool while another node pool is
 * already being created"). A refused mutation is 400 FAILED_PRECONDITION with GKE's message.
 * A create that fails (TPU or CPU stockout) leaves the node pool or cluster in ERROR, as GKE does:
 * deleting it is the caller's business.
 */
import { isRegion, isZone } from '../domain/locations.js';
import {
  alreadyExists,
  failedPrecondition,
  GoogleApiError,
  invalidArgument,
  notFound,
  quotaExceeded,
} from './errors.js';
import { checkLabels } from './labels.js';
import { addNotFound, createServiceApp, guard, readBody, type Ctx } from './http.js';
import { DURATIONS, renderContainerOp, type ContainerOp } from './lro.js';
import {
  GKE_NAME,
  GKE_NAME_RULE,
  checkRequiredApis,
  fakeEndpoint,
  labelFingerprint,
  poolZones,
  regionOf,
  renderCluster,
  renderNodePool,
  requiredApis,
  stockoutError,
  tpuFamily,
  unknownLocation,
  validateClusterNetwork,
  validatePool,
  type PoolBody,
} from './container-model.js';
import { assertReservationFits } from './compute-regions.js';
import { isAllowed, policyKey } from './policies.js';
import { assertPoolsFit } from './quotas.js';
import { gkeCreateClusterRequest, gkeCreateNodePoolRequest, gkeSetLabelsRequest, gkeSetNodePoolAutoscalingRequest, gkeSetNodePoolSizeRequest } from './schemas.js';
import { onEffect, type ClusterRec, type NodePoolRec, type World } from './state.js';

const API = 'container.googleapis.com';
const loc = (c: Ctx) => ({ project: c.req.param('project')!, location: c.req.param('location')! });
const clusterKey = (project: string, location: string, name: string) =>
  `projects/${project}/locations/${location}/clusters/${name}`;
const opKey = (project: string, location: string, name: string) => `projects/${project}/locations/${location}/operations/${name}`;

/** The URL's location must be one of Google's regions or zones. */
function checkLocation(location: string): void {
  if (!isRegion(location) && !isZone(location)) throw unknownLocation(location);
}

function findCluster(world: World, project: string, location: string, name: string): ClusterRec {
  const key = clusterKey(project, location, name);
  const cluster = world.clusters.get(key);
  if (!cluster) throw notFound(`Not found: ${key}.`);
  return cluster;
}

const VERB: Record<ContainerOp['operationType'], string> = {
  CREATE_CLUSTER: 'creating',
  DELETE_CLUSTER: 'deleting',
  CREATE_NODE_POOL: 'creating node pool in',
  DELETE_NODE_POOL: 'deleting node pool in',
  SET_LABELS: 'setting labels of',
  SET_NODE_POOL_SIZE: 'resizing node pool in',
  UPDATE_CLUSTER: 'updating',
};

/** A cluster-level operation is running: nothing else may start. */
function clusterBusy(world: World, cluster: ClusterRec): GoogleApiError | undefined {
  if (!cluster.currentOp) return undefined;
  const op = world.containerOps.get(opKey(cluster.project, cluster.location, cluster.currentOp));
  return failedPrecondition(
    `Operation ${cluster.currentOp} is currently ${VERB[op?.operationType ?? 'CREATE_CLUSTER']} cluster ${cluster.name}. ` +
      'Please wait and try again once it is done.',
  );
}

/** A cluster-level mutation also waits for every node pool operation. */
function requireIdleCluster(world: World, cluster: ClusterRec): void {
  const busy = clusterBusy(world, cluster);
  if (busy) throw busy;
  const poolOp = [...cluster.nodePools.values()].find((p) => p.currentOp)?.currentOp;
  if (poolOp) throw failedPrecondition(`Cluster is running incompatible operation ${poolOp}.`);
}

/** A node pool mutation waits for cluster-level operations and for its own pool's, not for other pools'. */
function requireIdlePool(cluster: ClusterRec, pool?: NodePoolRec): void {
  if (cluster.currentOp) throw failedPrecondition(`Cluster is running incompatible operation ${cluster.currentOp}.`);
  if (pool?.currentOp) {
    throw failedPrecondition(
      `Operation ${pool.currentOp} is currently operating on node pool ${pool.name}. Please wait and try again once it is done.`,
    );
  }
}

function checkQuota(world: World, pools: PoolBody[], location: string): void {
  for (const pool of pools) {
    const metric = tpuFamily(pool.config?.machineType) ? 'TPUS_PER_TPU_FAMILY' : 'CPUS';
    const hit = world.faults.exhaustedQuota([metric], regionOf(location));
    if (hit) throw quotaExceeded(API, hit.metric, hit.region ?? regionOf(location));
  }
}

/**
 * Nodes run as their pool's service account, so the caller must be allowed to act as it
 * (iam.serviceAccounts.actAs, e.g. Service Account User on the account), and it must exist.
 */
function checkActAs(world: World, c: Ctx, pools: PoolBody[]): void {
  const accounts = new Set(pools.map((p) => p.config?.serviceAccount).filter((a): a is string => !!a && a !== 'default'));
  for (const email of accounts) {
    const sa = world.serviceAccounts.get(email);
    if (!sa) throw invalidArgument(`Service account "${email}" does not exist.`);
    const may = isAllowed(world, c.var.principal.member, 'iam.serviceAccounts.actAs', {
      project: sa.project,
      resourcePolicies: [policyKey.serviceAccount(email)],
    });
    if (!may) {
      throw new GoogleApiError(
        403,
        'PERMISSION_DENIED',
        `The user does not have access to service account "${email}". Ask a project owner to grant you the ` +
          'iam.serviceAccountUser role on the service account.',
        { reason: 'forbidden' },
      );
    }
  }
}

/** What a GKE operation does when done (its record says which and how it ends). */
onEffect<{ kind: 'container'; op: string }>('container', (world, { op: key }) => {
  const op = world.containerOps.get(key);
  if (!op) return;
  const [clusterPath, poolName] = op.target.split('/nodePools/') as [string, string | undefined];
  const cluster = world.clusters.get(clusterPath);
  if (!cluster) return;
  const message = op.error?.message;
  switch (op.operationType) {
    case 'CREATE_CLUSTER':
      cluster.currentOp = undefined;
      cluster.status = message ? 'ERROR' : op.degraded ? 'DEGRADED' : 'RUNNING';
      cluster.statusMessage = message ?? op.degraded;
      for (const p of cluster.nodePools.values()) {
        p.status = message ? 'ERROR' : 'RUNNING';
        if (message) p.statusMessage = message;
        else p.readyAt = op.timed.doneAt;
      }
      return;
    case 'DELETE_CLUSTER':
      world.clusters.delete(clusterPath);
      world.kubernetes.deleted(cluster);
      return;
    case 'CREATE_NODE_POOL': {
      const pool = cluster.nodePools.get(poolName!);
      if (!pool) return;
      pool.currentOp = undefined;
      pool.status = message ? 'ERROR' : 'RUNNING';
      if (message) pool.statusMessage = message;
      else pool.readyAt = op.timed.doneAt;
      return;
    }
    case 'DELETE_NODE_POOL':
      cluster.nodePools.delete(poolName!);
      return;
    case 'SET_LABELS':
      cluster.currentOp = undefined;
      cluster.body = { ...cluster.body, ...op.change };
      return;
    case 'SET_NODE_POOL_SIZE':
    case 'UPDATE_CLUSTER': {
      const pool = cluster.nodePools.get(poolName!);
      if (!pool) return;
      pool.currentOp = undefined;
      pool.body = { ...pool.body, ...op.change };
    }
  }
});

function startOp(
  world: World,
  cluster: ClusterRec,
  operationType: ContainerOp['operationType'],
  target: string,
  seconds: number,
  outcome: { error?: GoogleApiError; degraded?: string; change?: Record<string, unknown> } = {},
): ContainerOp {
  const name = world.operationName();
  const key = opKey(cluster.project, cluster.location, name);
  const op: ContainerOp = {
    timed: world.sched.start(seconds, { kind: 'container', op: key }),
    name,
    project: cluster.project,
    location: cluster.location,
    operationType,
    target,
    ...outcome,
  };
  world.containerOps.set(key, op);
  return op;
}

const poolSeconds = (pool: PoolBody) =>
  tpuFamily(pool.config?.machineType) ? DURATIONS.tpuNodePool : DURATIONS.cpuNodePool;

/** A stockout where any of the pools' zones has no capacity for its kind of machine. */
function stockout(world: World, cluster: ClusterRec, pools: PoolBody[]): GoogleApiError | undefined {
  for (const pool of pools) {
    // Capacity a specific reservation holds is the reservation's (assertReservationFits checked it
    // fits): a zone out of on-demand capacity does not take it away.
    const affinity = pool.config?.reservationAffinity as { consumeReservationType?: string } | undefined;
    if (affinity?.consumeReservationType === 'SPECIFIC_RESERVATION') continue;
    const zones = poolZones(pool, cluster.body.locations as string[] | undefined, cluster.location);
    const out = world.faults.stockedOut(zones, tpuFamily(pool.config?.machineType) ? 'tpu' : 'cpu');
    if (out.length) return stockoutError(world, cluster, { name: pool.name! }, out);
  }
  return undefined;
}

export function containerApp(world: World) {
  const app = createServiceApp(world, 'container');
  const root = '/v1/projects/:project/locations/:location';
  const opJson = (c: Ctx, op: ContainerOp) => c.json(renderContainerOp(op, world.sched, c.var.base));

  app.post(`${root}/clusters`, async (c) => {
    const { project, location } = loc(c);
    const parent = `projects/${project}/locations/${location}`;
    guard(world, c, { permission: 'container.clusters.create', resource: parent, project, api: API });
    checkLocation(location);
    const { cluster: spec } = await readBody<{ cluster?: Record<string, unknown> }>(c, gkeCreateClusterRequest);
    if (!spec) throw invalidArgument('Required field "cluster" is missing.');
    const name = spec.name;
    if (typeof name !== 'string' || !GKE_NAME.test(name)) {
      throw invalidArgument(
        `Invalid value for field "cluster.name": "${String(name ?? '')}". ${GKE_NAME_RULE} (only alphanumerics and ` +
          "'-' allowed, must start with a letter and end with an alphanumeric, and must be no longer than 40 characters).",
      );
    }
    const key = clusterKey(project, location, name);
    if (world.clusters.has(key)) throw alreadyExists(`Already exists: ${key}.`);
    const pools = (spec.nodePools as PoolBody[] | undefined) ?? [];
    if (pools.length === 0 && !(Number(spec.initialNodeCount) > 0)) {
      throw invalidArgument('Cluster.initial_node_count must be greater than zero.');
    }
    if (pools.length > 0 && spec.initialNodeCount !== undefined) {
      throw invalidArgument('Cluster.initial_node_count and Cluster.node_pools cannot both be set.');
    }
    checkLabels(spec.resourceLabels, 'cluster.resource_labels');
    const clusterLocations = spec.locations as string[] | undefined;
    for (const zone of clusterLocations ?? []) if (!isZone(zone)) throw unknownLocation(zone);
    const names = new Set<string>();
    pools.forEach((p, i) => {
      validatePool(p, clusterLocations, location, `cluster.node_pools[${i}]`);
      checkLabels(p.config?.resourceLabels, `cluster.node_pools[${i}].config.resource_labels`);
      if (names.has(p.name!)) throw invalidArgument(`Node pool name "${p.name}" is used more than once.`);
      names.add(p.name!);
    });
    const refs = validateClusterNetwork(world, project, location, spec);
    checkRequiredApis(world, project, requiredApis(spec));
    const initialPools = pools.length ? pools : [{ initialNodeCount: Number(spec.initialNodeCount), config: spec.nodeConfig as PoolBody['config'] }];
    checkActAs(world, c, initialPools);
    checkQuota(world, initialPools, location);
    const placed = { project, location, body: spec };
    for (const pool of initialPools) assertReservationFits(world, placed, pool);
    assertPoolsFit(world, placed, initialPools);

    const now = world.now();
    const cluster: ClusterRec = {
      project,
      location,
      name,
      id: world.hex(32),
      body: spec,
      status: 'PROVISIONING',
      createdAt: now,
      nodePools: new Map(pools.map((p) => [p.name!, { name: p.name!, body: p, status: 'PROVISIONING', createdAt: now }])),
      network: refs.network,
      subnetwork: refs.subnetwork,
      endpoint: fakeEndpoint(key),
      ...(refs.workloadPool ? { workloadPool: refs.workloadPool } : {}),
    };
    world.clusters.set(key, cluster);
    await world.kubernetes.created(cluster);
    const error = stockout(world, cluster, pools);
    const degraded = !error && world.faults.degradedClusters
      ? 'Some node pools could not register their nodes: the cluster needs attention (see conditions).'
      : undefined;
    const op = startOp(world, cluster, 'CREATE_CLUSTER', key, DURATIONS.cluster, { error, degraded });
    cluster.currentOp = op.name;
    return opJson(c, op);
  });

  app.get(`${root}/clusters`, (c) => {
    const { project, location } = loc(c);
    const parent = `projects/${project}/locations/${location}`;
    guard(world, c, { permission: 'container.clusters.list', resource: parent, project, api: API });
    if (location !== '-') checkLocation(location);
    const clusters = [...world.clusters.values()]
      .filter((cl) => cl.project === project && (location === '-' || cl.location === location))
      .map((cl) => renderCluster(cl, c.var.base));
    return c.json(clusters.length ? { clusters } : {});
  });

  app.get(`${root}/clusters/:cluster`, (c) => {
    const { project, location } = loc(c);
    const key = clusterKey(project, location, c.req.param('cluster'));
    guard(world, c, { permission: 'container.clusters.get', resource: key, project, api: API });
    return c.json(renderCluster(findCluster(world, project, location, c.req.param('cluster')), c.var.base));
  });

  app.delete(`${root}/clusters/:cluster`, (c) => {
    const { project, location } = loc(c);
    const key = clusterKey(project, location, c.req.param('cluster'));
    guard(world, c, { permission: 'container.clusters.delete', resource: key, project, api: API });
    const cluster = findCluster(world, project, location, c.req.param('cluster'));
    requireIdleCluster(world, cluster);
    cluster.status = 'STOPPING';
    for (const p of cluster.nodePools.values()) p.status = 'STOPPING';
    // Load balancer forwarding rules are not the cluster's: GKE leaves them behind (see compute.ts).
    const op = startOp(world, cluster, 'DELETE_CLUSTER', key, DURATIONS.cluster);
    cluster.currentOp = op.name;
    return opJson(c, op);
  });

  app.post(`${root}/clusters/:cluster/nodePools`, async (c) => {
    const { project, location } = loc(c);
    const key = clusterKey(project, location, c.req.param('cluster'));
    guard(world, c, { permission: 'container.clusters.update', resource: key, project, api: API });
    const { nodePool: pool } = await readBody<{ nodePool?: PoolBody }>(c, gkeCreateNodePoolRequest);
    if (!pool) throw invalidArgument('Required field "node_pool" is missing.');
    const cluster = findCluster(world, project, location, c.req.param('cluster'));
    validatePool(pool, cluster.body.locations as string[] | undefined, location, 'node_pool');
    checkLabels(pool.config?.resourceLabels, 'node_pool.config.resource_labels');
    const poolKey = `${key}/nodePools/${pool.name}`;
    if (cluster.nodePools.has(pool.name!)) throw alreadyExists(`Already exists: ${poolKey}.`);
    requireIdlePool(cluster);
    if (cluster.status === 'ERROR') throw failedPrecondition(`Cluster ${cluster.name} is in ERROR state; delete it and create it again.`);
    checkActAs(world, c, [pool]);
    checkQuota(world, [pool], location);
    assertReservationFits(world, cluster, pool);
    assertPoolsFit(world, cluster, [pool]);

    const rec: NodePoolRec = { name: pool.name!, body: pool, status: 'PROVISIONING', createdAt: world.now() };
    cluster.nodePools.set(rec.name, rec);
    const op = startOp(world, cluster, 'CREATE_NODE_POOL', poolKey, poolSeconds(pool), { error: stockout(world, cluster, [pool]) });
    rec.currentOp = op.name;
    return opJson(c, op);
  });

  app.get(`${root}/clusters/:cluster/nodePools`, (c) => {
    const { project, location } = loc(c);
    const key = clusterKey(project, location, c.req.param('cluster'));
    guard(world, c, { permission: 'container.clusters.get', resource: key, project, api: API });
    const cluster = findCluster(world, project, location, c.req.param('cluster'));
    const nodePools = [...cluster.nodePools.values()].map((p) => renderNodePool(cluster, p, c.var.base));
    return c.json(nodePools.length ? { nodePools } : {});
  });

  app.get(`${root}/clusters/:cluster/nodePools/:pool`, (c) => {
    const { project, location } = loc(c);
    const key = `${clusterKey(project, location, c.req.param('cluster'))}/nodePools/${c.req.param('pool')}`;
    guard(world, c, { permission: 'container.clusters.get', resource: key, project, api: API });
    const cluster = findCluster(world, project, location, c.req.param('cluster'));
    const pool = cluster.nodePools.get(c.req.param('pool'));
    if (!pool) throw notFound(`Not found: ${key}.`);
    return c.json(renderNodePool(cluster, pool, c.var.base));
  });

  app.delete(`${root}/clusters/:cluster/nodePools/:pool`, (c) => {
    const { project, location } = loc(c);
    const key = `${clusterKey(project, location, c.req.param('cluster'))}/nodePools/${c.req.param('pool')}`;
    guard(world, c, { permission: 'container.clusters.update', resource: key, project, api: API });
    const cluster = findCluster(world, project, location, c.req.param('cluster'));
    const pool = cluster.nodePools.get(c.req.param('pool'));
    if (!pool) throw notFound(`Not found: ${key}.`);
    requireIdlePool(cluster, pool);
    pool.status = 'STOPPING';
    const op = startOp(world, cluster, 'DELETE_NODE_POOL', key, poolSeconds(pool.body as PoolBody));
    pool.currentOp = op.name;
    return opJson(c, op);
  });

  // In-place changes (update plans): a label change is cluster-level (it waits for every operation);
  // a node pool's size or autoscaling waits for cluster-level operations and its own pool's.
  app.post(`${root}/clusters/:call{[^/]+:setResourceLabels}`, async (c) => {
    const { project, location } = loc(c);
    const name = c.req.param('call').replace(/:setResourceLabels$/, '');
    const key = clusterKey(project, location, name);
    guard(world, c, { permission: 'container.clusters.update', resource: key, project, api: API });
    const body = await readBody<{ resourceLabels?: Record<string, string>; labelFingerprint?: string }>(c, gkeSetLabelsRequest);
    const cluster = findCluster(world, project, location, name);
    if (!body.labelFingerprint) throw invalidArgument('Required field "label_fingerprint" is missing.');
    checkLabels(body.resourceLabels, 'resource_labels');
    if (body.labelFingerprint !== labelFingerprint(cluster.body.resourceLabels)) {
      throw failedPrecondition('Labels could not be set due to fingerprint mismatch.');
    }
    requireIdleCluster(world, cluster);
    const op = startOp(world, cluster, 'SET_LABELS', key, DURATIONS.inPlace, { change: { resourceLabels: body.resourceLabels ?? {} } });
    cluster.currentOp = op.name;
    return opJson(c, op);
  });

  const poolCall = (verb: 'setSize' | 'setAutoscaling') => `${root}/clusters/:cluster/nodePools/:call{[^/]+:${verb}}`;
  const findPool = (c: Ctx, verb: string) => {
    const { project, location } = loc(c);
    const poolName = c.req.param('call')!.replace(new RegExp(`:${verb}$`), '');
    const key = `${clusterKey(project, location, c.req.param('cluster')!)}/nodePools/${poolName}`;
    guard(world, c, { permission: 'container.clusters.update', resource: key, project, api: API });
    const cluster = findCluster(world, project, location, c.req.param('cluster')!);
    const pool = cluster.nodePools.get(poolName);
    if (!pool) throw notFound(`Not found: ${key}.`);
    return { cluster, pool, key };
  };
  app.post(poolCall('setSize'), async (c) => {
    const body = await readBody<{ nodeCount?: number }>(c, gkeSetNodePoolSizeRequest);
    const { cluster, pool, key } = findPool(c, 'setSize');
    if (!Number.isInteger(body.nodeCount) || body.nodeCount! < 0) throw invalidArgument('Invalid value for field "node_count": must be a non-negative integer.');
    requireIdlePool(cluster, pool);
    const op = startOp(world, cluster, 'SET_NODE_POOL_SIZE', key, DURATIONS.inPlace, { change: { initialNodeCount: body.nodeCount } });
    pool.currentOp = op.name;
    return opJson(c, op);
  });
  app.post(poolCall('setAutoscaling'), async (c) => {
    const body = await readBody<{ autoscaling?: Record<string, unknown> }>(c, gkeSetNodePoolAutoscalingRequest);
    const { cluster, pool, key } = findPool(c, 'setAutoscaling');
    const a = body.autoscaling;
    if (!a) throw invalidArgument('Required field "autoscaling" is missing.');
    if (a.enabled && Number(a.minNodeCount ?? 0) > Number(a.maxNodeCount ?? 0)) {
      throw invalidArgument('Autoscaling.max_node_count must be greater than or equal to min_node_count.');
    }
    requireIdlePool(cluster, pool);
    const op = startOp(world, cluster, 'UPDATE_CLUSTER', key, DURATIONS.inPlace, { change: { autoscaling: a } });
    pool.currentOp = op.name;
    return opJson(c, op);
  });

  app.get(`${root}/operations/:op`, (c) => {
    const { project, location } = loc(c);
    const key = opKey(project, location, c.req.param('op'));
    guard(world, c, { permission: 'container.operations.get', resource: key, project, api: API });
    const op = world.containerOps.get(key);
    if (!op) throw notFound(`Not found: ${key}.`);
    return opJson(c, op);
  });

  return addNotFound(app);
}
