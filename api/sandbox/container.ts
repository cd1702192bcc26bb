/**
 * Kubernetes Engine v1: clusters, node pools and their operations. A cluster is visible while it is
 * PROVISIONING (GKE shows it at once) and STOPPING; GKE runs one operation at a time per cluster, so a
 * second mutation meanwhile gets 400 FAILED_PRECONDITION "Cluster is running incompatible operation …".
 * Simplification: a TPU stockout ends the node pool operation DONE with `error` {code: 8} and the failed
 * pool is removed (GKE would leave it in ERROR for the caller to delete).
 */
import {
  alreadyExists,
  failedPrecondition,
  invalidArgument,
  notFound,
  quotaExceeded,
  type GoogleApiError,
} from './errors.js';
import { checkLabels } from './labels.js';
import { addNotFound, createServiceApp, guard, readBody, type Ctx } from './http.js';
import { DURATIONS, renderContainerOp, type ContainerOp } from './lro.js';
import {
  GKE_NAME,
  GKE_NAME_RULE,
  fakeEndpoint,
  labelFingerprint,
  poolZones,
  regionOf,
  renderCluster,
  renderNodePool,
  stockoutError,
  tpuFamily,
  validateClusterNetwork,
  validatePool,
  type PoolBody,
} from './container-model.js';
import { assertReservationFits } from './compute-regions.js';
import { assertPoolsFit } from './quotas.js';
import { gkeCreateClusterRequest, gkeCreateNodePoolRequest, gkeSetLabelsRequest, gkeSetNodePoolAutoscalingRequest, gkeSetNodePoolSizeRequest } from './schemas.js';
import type { ClusterRec, NodePoolRec, World } from './state.js';

const API = 'container.googleapis.com';
const loc = (c: Ctx) => ({ project: c.req.param('project')!, location: c.req.param('location')! });
const clusterKey = (project: string, location: string, name: string) =>
  `projects/${project}/locations/${location}/clusters/${name}`;

function findCluster(world: World, project: string, location: string, name: string): ClusterRec {
  const key = clusterKey(project, location, name);
  const cluster = world.clusters.get(key);
  if (!cluster) throw notFound(`Not found: ${key}.`);
  return cluster;
}

function requireIdle(cluster: ClusterRec): void {
  if (cluster.currentOp) throw failedPrecondition(`Cluster is running incompatible operation ${cluster.currentOp}.`);
}

function checkQuota(world: World, pools: PoolBody[], location: string): void {
  for (const pool of pools) {
    const metric = tpuFamily(pool.config?.machineType) ? 'TPUS_PER_TPU_FAMILY' : 'CPUS';
    const hit = world.faults.exhaustedQuota([metric], regionOf(location));
    if (hit) throw quotaExceeded(API, hit.metric, hit.region ?? regionOf(location));
  }
}

function startOp(
  world: World,
  cluster: ClusterRec,
  operationType: ContainerOp['operationType'],
  target: string,
  seconds: number,
  effect: (doneAt: number) => void,
  error?: GoogleApiError,
): ContainerOp {
  const name = world.operationName();
  const timed = world.sched.start(seconds, (t) => {
    cluster.currentOp = undefined;
    effect(t.doneAt);
  });
  const { project, location } = cluster;
  const op: ContainerOp = { timed, name, project, location, operationType, target, ...(error ? { error } : {}) };
  world.containerOps.set(`projects/${cluster.project}/locations/${cluster.location}/operations/${name}`, op);
  cluster.currentOp = name;
  return op;
}

const poolSeconds = (pool: PoolBody) =>
  tpuFamily(pool.config?.machineType) ? DURATIONS.tpuNodePool : DURATIONS.cpuNodePool;

export function containerApp(world: World) {
  const app = createServiceApp(world, 'container');
  const root = '/v1/projects/:project/locations/:location';
  const opJson = (c: Ctx, op: ContainerOp) => c.json(renderContainerOp(op, world.sched, c.var.base));

  app.post(`${root}/clusters`, async (c) => {
    const { project, location } = loc(c);
    const parent = `projects/${project}/locations/${location}`;
    guard(world, c, { permission: 'container.clusters.create', resource: parent, project, api: API });
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
    const names = new Set<string>();
    pools.forEach((p, i) => {
      validatePool(p, location, `cluster.node_pools[${i}]`);
      checkLabels(p.config?.resourceLabels, `cluster.node_pools[${i}].config.resource_labels`);
      if (names.has(p.name!)) throw invalidArgument(`Node pool name "${p.name}" is used more than once.`);
      names.add(p.name!);
    });
    const refs = validateClusterNetwork(world, project, location, spec);
    const initialPools = pools.length ? pools : [{ initialNodeCount: Number(spec.initialNodeCount), config: spec.nodeConfig as PoolBody['config'] }];
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
      phase: 'creating',
      createdAt: now,
      nodePools: new Map(pools.map((p) => [p.name!, { name: p.name!, body: p, phase: 'creating', createdAt: now }])),
      network: refs.network,
      subnetwork: refs.subnetwork,
      endpoint: fakeEndpoint(key),
      ...(refs.workloadPool ? { workloadPool: refs.workloadPool } : {}),
    };
    world.clusters.set(key, cluster);
    await world.kubernetes.created(cluster);
    const op = startOp(world, cluster, 'CREATE_CLUSTER', key, DURATIONS.cluster, (doneAt) => {
      cluster.phase = 'ready';
      for (const p of cluster.nodePools.values()) Object.assign(p, { phase: 'ready', readyAt: doneAt });
    });
    return opJson(c, op);
  });

  app.get(`${root}/clusters`, (c) => {
    const { project, location } = loc(c);
    const parent = `projects/${project}/locations/${location}`;
    guard(world, c, { permission: 'container.clusters.list', resource: parent, project, api: API });
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
    requireIdle(cluster);
    cluster.phase = 'deleting';
    for (const p of cluster.nodePools.values()) p.phase = 'deleting';
    // Load balancer forwarding rules are not the cluster's: GKE leaves them behind (see compute.ts).
    const op = startOp(world, cluster, 'DELETE_CLUSTER', key, DURATIONS.cluster, () => {
      world.clusters.delete(key);
      world.kubernetes.deleted(cluster);
    });
    return opJson(c, op);
  });

  app.post(`${root}/clusters/:cluster/nodePools`, async (c) => {
    const { project, location } = loc(c);
    const key = clusterKey(project, location, c.req.param('cluster'));
    guard(world, c, { permission: 'container.clusters.update', resource: key, project, api: API });
    const { nodePool: pool } = await readBody<{ nodePool?: PoolBody }>(c, gkeCreateNodePoolRequest);
    if (!pool) throw invalidArgument('Required field "node_pool" is missing.');
    const cluster = findCluster(world, project, location, c.req.param('cluster'));
    validatePool(pool, location, 'node_pool');
    checkLabels(pool.config?.resourceLabels, 'node_pool.config.resource_labels');
    const poolKey = `${key}/nodePools/${pool.name}`;
    if (cluster.nodePools.has(pool.name!)) throw alreadyExists(`Already exists: ${poolKey}.`);
    requireIdle(cluster);
    checkQuota(world, [pool], location);
    assertReservationFits(world, cluster, pool);
    assertPoolsFit(world, cluster, [pool]);

    const rec: NodePoolRec = { name: pool.name!, body: pool, phase: 'creating', createdAt: world.now() };
    cluster.nodePools.set(rec.name, rec);
    const zones = poolZones(pool, cluster.body.locations as string[] | undefined, location);
    const stockedOut = tpuFamily(pool.config?.machineType) ? world.faults.stockedOut(zones) : [];
    const error = stockedOut.length ? stockoutError(world, cluster, pool, stockedOut) : undefined;
    const op = startOp(world, cluster, 'CREATE_NODE_POOL', poolKey, poolSeconds(pool), (doneAt) => {
      if (error) cluster.nodePools.delete(rec.name);
      else Object.assign(rec, { phase: 'ready', readyAt: doneAt });
    }, error);
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
    requireIdle(cluster);
    pool.phase = 'deleting';
    const op = startOp(world, cluster, 'DELETE_NODE_POOL', key, poolSeconds(pool.body as PoolBody), () =>
      cluster.nodePools.delete(pool.name),
    );
    return opJson(c, op);
  });

  // In-place changes (update plans): one operation each, refused while the cluster runs another.
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
    requireIdle(cluster);
    const op = startOp(world, cluster, 'SET_LABELS', key, DURATIONS.inPlace, () => {
      cluster.body = { ...cluster.body, resourceLabels: body.resourceLabels ?? {} };
    });
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
    requireIdle(cluster);
    const op = startOp(world, cluster, 'SET_NODE_POOL_SIZE', key, DURATIONS.inPlace, () => {
      pool.body = { ...pool.body, initialNodeCount: body.nodeCount };
    });
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
    requireIdle(cluster);
    const op = startOp(world, cluster, 'UPDATE_CLUSTER', key, DURATIONS.inPlace, () => {
      pool.body = { ...pool.body, autoscaling: a };
    });
    return opJson(c, op);
  });

  app.get(`${root}/operations/:op`, (c) => {
    const { project, location } = loc(c);
    const key = `projects/${project}/locations/${location}/operations/${c.req.param('op')}`;
    guard(world, c, { permission: 'container.operations.get', resource: key, project, api: API });
    const op = world.containerOps.get(key);
    if (!op) throw notFound(`Not found: ${key}.`);
    return opJson(c, op);
  });

  return addNotFound(app);
}
