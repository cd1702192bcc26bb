/**
 * Compute Engine v1: networks (global), subnetworks, routers with Cloud NAT and forwarding rules
 * (regional), and their operations. As on Google, insert/delete return a `compute#operation`; a new
 * resource is visible to GET only once its operation is DONE, and a resource still used by another
 * (a network with subnets, routers or forwarding rules; a subnet used by a cluster, a NAT or an
 * internal load balancer) cannot be deleted: 400 resourceInUseByAnotherResource.
 */
import { isRegion } from '../domain/locations.js';
import { GoogleApiError, alreadyExists, notFound, quotaExceeded, resourceInUse } from './errors.js';
import { addNotFound, createServiceApp, guard, readBody, type Ctx } from './http.js';
import { DURATIONS, renderComputeOp, type ComputeOp } from './lro.js';
import { keyOf, NAME, NAME_RULE, PLURAL, QUOTA_METRIC, SHAPES, render, validate } from './compute-resources.js';
import { regionRoutes } from './compute-regions.js';
import { onEffect, type ComputeRec, type ComputeType, type World } from './state.js';

const API = 'compute.googleapis.com';
const DURATION: Record<ComputeType, number> = {
  network: DURATIONS.network,
  subnetwork: DURATIONS.subnetwork,
  router: DURATIONS.other,
  forwardingRule: DURATIONS.other,
};

const computeBase = (c: Ctx) => `${c.var.base}/compute/v1`;
const missing = (key: string) => notFound(`The resource '${key}' was not found`);
const notReady = (key: string) =>
  new GoogleApiError(400, 'FAILED_PRECONDITION', `The resource '${key}' is not ready`, { reason: 'resourceNotReady' });

/** Everything that uses `key`: compute resources and GKE clusters (which sit on a network and subnet). */
export function usersOf(world: World, key: string): string[] {
  const users: string[] = [];
  for (const [k, rec] of world.compute) if (rec.uses.includes(key)) users.push(k);
  for (const [k, cl] of world.clusters) if (cl.network === key || cl.subnetwork === key) users.push(k);
  return users;
}

/** A done insert makes the resource visible; a done delete removes it. */
onEffect<{ kind: 'compute'; op: string }>('compute', (world, { op }) => {
  const done = world.computeOps.get(op);
  if (!done) return;
  if (done.operationType === 'delete') world.compute.delete(done.target);
  else {
    const rec = world.compute.get(done.target);
    if (rec) rec.phase = 'ready';
  }
});

function startOp(world: World, c: Ctx, rec: ComputeRec, operationType: ComputeOp['operationType']): ComputeOp {
  const name = world.operationName();
  const key = opKey(rec.project, rec.region, name);
  const op: ComputeOp = {
    timed: world.sched.start(DURATION[rec.type], { kind: 'compute', op: key }),
    id: world.numericId(),
    name,
    project: rec.project,
    region: rec.region,
    operationType,
    target: keyOf(rec.type, rec.project, rec.region, rec.name),
    targetId: rec.id,
    user: c.var.principal.email,
  };
  world.computeOps.set(key, op);
  return op;
}

const opKey = (project: string, region: string | null, name: string) =>
  `projects/${project}/${region ? `regions/${region}` : 'global'}/operations/${name}`;

/** The URL's project and region (null: global); a region Google does not have is 404, as Compute answers. */
function scope(c: Ctx) {
  const region = c.req.param('region') ?? null;
  const project = c.req.param('project')!;
  if (region !== null && !isRegion(region)) throw missing(`projects/${project}/regions/${region}`);
  return { project, region };
}

function insert(world: World, type: ComputeType) {
  return async (c: Ctx) => {
    const { project, region } = scope(c);
    const collection = keyOf(type, project, region, '').slice(0, -1);
    guard(world, c, { permission: `compute.${PLURAL[type]}.create`, resource: collection, project, api: API });
    const body = await readBody(c, SHAPES[type], `${type}_resource`);
    const requestId = c.req.query('requestId');
    const previous = requestId && world.computeOps.get(world.computeRequestIds.get(`${project}/${requestId}`) ?? '');
    if (previous) return c.json(renderComputeOp(previous, world.sched, computeBase(c)));

    const name = body.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      const message = `Invalid value for field 'resource.name': '${String(name ?? '')}'. ${NAME_RULE}`;
      throw new GoogleApiError(400, 'INVALID_ARGUMENT', message, { reason: 'invalid' });
    }
    const key = keyOf(type, project, region, name);
    if (world.compute.has(key)) throw alreadyExists(`The resource '${key}' already exists`);
    const uses = validate(world, type, { project, region }, body);
    const quota = world.faults.exhaustedQuota([QUOTA_METRIC[type]], region ?? undefined);
    if (quota) throw quotaExceeded(API, quota.metric, quota.region ?? region ?? undefined);

    const id = world.numericId();
    const rec: ComputeRec = { type, project, region, name, id, createdAt: world.now(), phase: 'creating', body, uses };
    world.compute.set(key, rec);
    const op = startOp(world, c, rec, 'insert');
    if (requestId) world.computeRequestIds.set(`${project}/${requestId}`, opKey(project, region, op.name));
    return c.json(renderComputeOp(op, world.sched, computeBase(c)));
  };
}

function get(world: World, type: ComputeType) {
  return (c: Ctx) => {
    const { project, region } = scope(c);
    const key = keyOf(type, project, region, c.req.param('name')!);
    guard(world, c, { permission: `compute.${PLURAL[type]}.get`, resource: key, project, api: API });
    const rec = world.compute.get(key);
    if (!rec || rec.phase === 'creating') throw missing(key);
    return c.json(render(world, rec, computeBase(c)));
  };
}

function list(world: World, type: ComputeType) {
  return (c: Ctx) => {
    const { project, region } = scope(c);
    const collection = keyOf(type, project, region, '').slice(0, -1);
    guard(world, c, { permission: `compute.${PLURAL[type]}.list`, resource: collection, project, api: API });
    const items = [...world.compute.values()]
      .filter((r) => r.type === type && r.project === project && r.region === region && r.phase !== 'creating')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) => render(world, r, computeBase(c)));
    const selfLink = `${computeBase(c)}/${collection}`;
    return c.json({ kind: `compute#${type}List`, id: collection, ...(items.length ? { items } : {}), selfLink });
  };
}

function remove(world: World, type: ComputeType) {
  return (c: Ctx) => {
    const { project, region } = scope(c);
    const key = keyOf(type, project, region, c.req.param('name')!);
    guard(world, c, { permission: `compute.${PLURAL[type]}.delete`, resource: key, project, api: API });
    const rec = world.compute.get(key);
    if (!rec) throw missing(key);
    if (rec.phase !== 'ready') throw notReady(key);
    const users = usersOf(world, key);
    if (users.length) throw resourceInUse(`The ${type} resource '${key}' is already being used by '${users[0]}'`);
    rec.phase = 'deleting';
    const op = startOp(world, c, rec, 'delete');
    return c.json(renderComputeOp(op, world.sched, computeBase(c)));
  };
}

function getOp(world: World) {
  return (c: Ctx) => {
    const { project, region } = scope(c);
    const key = opKey(project, region, c.req.param('op')!);
    const permission = region ? 'compute.regionOperations.get' : 'compute.globalOperations.get';
    guard(world, c, { permission, resource: key, project, api: API });
    const op = world.computeOps.get(key);
    if (!op) throw missing(key);
    // `wait` returns at once: Google may also return before DONE, so callers must loop either way.
    return c.json(renderComputeOp(op, world.sched, computeBase(c)));
  };
}

export function computeApp(world: World) {
  const app = createServiceApp(world, 'compute');
  const root = '/compute/v1/projects/:project';
  for (const type of ['network', 'subnetwork', 'router', 'forwardingRule'] as const) {
    const path = `${root}/${type === 'network' ? 'global' : 'regions/:region'}/${PLURAL[type]}`;
    if (type !== 'forwardingRule') app.post(path, insert(world, type));
    app.get(path, list(world, type));
    app.get(`${path}/:name`, get(world, type));
    app.delete(`${path}/:name`, remove(world, type));
  }
  for (const scopePath of ['global', 'regions/:region']) {
    app.get(`${root}/${scopePath}/operations/:op`, getOp(world));
    app.post(`${root}/${scopePath}/operations/:op/wait`, getOp(world));
  }
  regionRoutes(world, app);
  return addNotFound(app);
}

/**
 * What GKE's service controller creates for a Service of type LoadBalancer: a forwarding rule named
 * `a<32 hex>` whose description names the Service. It belongs to no Terraform/plan step, so it survives
 * cluster deletion and then blocks deleting the network — the realistic teardown trap.
 */
export function createLoadBalancerRule(
  world: World,
  input: { project: string; region: string; cluster: string; service: string; internal?: boolean },
): ComputeRec {
  const cluster = [...world.clusters.values()].find((cl) => cl.project === input.project && cl.name === input.cluster);
  if (!cluster) throw notFound(`Cluster ${input.cluster} not found in project ${input.project}.`);
  const name = `a${world.hex(31)}`;
  const byte = (i: number) => parseInt(name.slice(i, i + 2), 16);
  const ip = `34.${(byte(1) % 200) + 10}.${byte(3)}.${byte(5)}`;
  const rec: ComputeRec = {
    type: 'forwardingRule',
    project: input.project,
    region: input.region,
    name,
    id: world.numericId(),
    createdAt: world.now(),
    phase: 'ready',
    body: {
      description: JSON.stringify({ 'kubernetes.io/service-name': input.service }),
      IPAddress: ip,
      IPProtocol: 'TCP',
      portRange: '8080-8080',
      loadBalancingScheme: input.internal ? 'INTERNAL' : 'EXTERNAL',
      networkTier: 'PREMIUM',
    },
    uses: input.internal ? [cluster.network, cluster.subnetwork] : [cluster.network],
  };
  world.compute.set(keyOf('forwardingRule', rec.project, rec.region, name), rec);
  return rec;
}
