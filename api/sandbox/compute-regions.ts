/**
 * Compute Engine v1 reads a quota preflight makes: `regions.get` (the region with its `quotas[]`,
 * quotas.ts) and `reservations.get` (a zonal reservation, with how many of its VMs are in use by
 * node pools that consume it). Reservations are made through the test API; GKE's node pool create
 * checks a SPECIFIC_RESERVATION against them (`assertReservationFits`).
 */
import type { Hono } from 'hono';
import { rfc3339 } from './clock.js';
import { failedPrecondition, notFound } from './errors.js';
import { guard, type Ctx, type SandboxEnv } from './http.js';
import { poolZones, type PoolBody } from './container-model.js';
import { regionQuotas } from './quotas.js';
import type { ClusterRec, ReservationRec, World } from './state.js';

const API = 'compute.googleapis.com';
const REGION = /^[a-z]+-[a-z]+\d+$/;

export const reservationKey = (project: string, zone: string, name: string) => `projects/${project}/zones/${zone}/reservations/${name}`;

type Affinity = { consumeReservationType?: string; key?: string; values?: string[] };
const affinityOf = (pool: PoolBody) => (pool.config?.reservationAffinity ?? undefined) as Affinity | undefined;

/** The reservation names a pool consumes specifically (GKE: key `compute.googleapis.com/reservation-name`). */
const specificNames = (pool: PoolBody): string[] => {
  const affinity = affinityOf(pool);
  return affinity?.consumeReservationType === 'SPECIFIC_RESERVATION' ? affinity.values ?? [] : [];
};

/** VMs of live node pools consuming the reservation. */
function inUse(world: World, rec: ReservationRec): number {
  let count = 0;
  for (const cluster of world.clusters.values()) {
    if (cluster.project !== rec.project) continue;
    for (const pool of cluster.nodePools.values()) {
      const body = pool.body as PoolBody;
      if (!specificNames(body).includes(rec.name)) continue;
      const zones = poolZones(body, cluster.body.locations as string[] | undefined, cluster.location);
      if (zones.includes(rec.zone)) count += body.initialNodeCount ?? 0;
    }
  }
  return count;
}

/**
 * A pool that consumes a specific reservation needs it in each of its zones, for its machine type,
 * with room for its nodes; GKE refuses the node pool otherwise.
 */
export function assertReservationFits(world: World, cluster: Pick<ClusterRec, 'project' | 'location' | 'body'>, pool: PoolBody): void {
  for (const name of specificNames(pool)) {
    for (const zone of poolZones(pool, cluster.body.locations as string[] | undefined, cluster.location)) {
      const rec = world.reservations.get(reservationKey(cluster.project, zone, name));
      if (!rec) throw failedPrecondition(`Reservation '${reservationKey(cluster.project, zone, name)}' was not found.`);
      if (rec.machineType !== pool.config?.machineType) {
        throw failedPrecondition(`Reservation '${name}' is for machine type ${rec.machineType}; node pool "${pool.name}" uses ${pool.config?.machineType}.`);
      }
      const free = rec.count - inUse(world, rec);
      if ((pool.initialNodeCount ?? 0) > free) {
        throw failedPrecondition(`Reservation '${name}' has ${free} unused VMs; node pool "${pool.name}" needs ${pool.initialNodeCount}.`);
      }
    }
  }
}

export function createReservation(world: World, input: Omit<ReservationRec, 'id' | 'createdAt'>): ReservationRec {
  const rec: ReservationRec = { ...input, id: world.numericId(), createdAt: world.now() };
  world.reservations.set(reservationKey(input.project, input.zone, input.name), rec);
  return rec;
}

/** Routes under the compute service app (registered by compute.ts before its 404). */
export function regionRoutes(world: World, app: Hono<SandboxEnv>): void {
  const root = '/compute/v1/projects/:project';
  const base = (c: Ctx) => `${c.var.base}/compute/v1`;

  app.get(`${root}/regions/:region`, (c) => {
    const { project, region } = c.req.param() as { project: string; region: string };
    const key = `projects/${project}/regions/${region}`;
    guard(world, c, { permission: 'compute.regions.get', resource: key, project, api: API });
    if (!REGION.test(region)) throw notFound(`The resource '${key}' was not found`);
    return c.json({
      kind: 'compute#region',
      id: String(1000 + (region.length * 37) % 900),
      name: region,
      description: region,
      status: 'UP',
      zones: ['a', 'b', 'c'].map((z) => `${base(c)}/projects/${project}/zones/${region}-${z}`),
      quotas: regionQuotas(world, project, region),
      selfLink: `${base(c)}/${key}`,
    });
  });

  app.get(`${root}/zones/:zone/reservations/:name`, (c) => {
    const { project, zone, name } = c.req.param() as { project: string; zone: string; name: string };
    const key = reservationKey(project, zone, name);
    guard(world, c, { permission: 'compute.reservations.get', resource: key, project, api: API });
    const rec = world.reservations.get(key);
    if (!rec) throw notFound(`The resource '${key}' was not found`);
    return c.json({
      kind: 'compute#reservation',
      id: rec.id,
      name: rec.name,
      zone: `${base(c)}/projects/${project}/zones/${zone}`,
      creationTimestamp: rfc3339(rec.createdAt),
      specificReservationRequired: true,
      specificReservation: { count: String(rec.count), inUseCount: String(inUse(world, rec)), instanceProperties: { machineType: rec.machineType } },
      status: 'READY',
      selfLink: `${base(c)}/${key}`,
    });
  });
}

