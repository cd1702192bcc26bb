/**
 * The sandbox's own endpoints (no auth, never faulted, never in the call log):
 *   GET    /inventory[?include=settings]   live resources (and project settings)
 *   GET    /_calls  · DELETE /_calls       the Google API call log (method, path, status, principal)
 *   GET|PUT|DELETE /_faults                read / merge / clear the fault configuration
 *   POST   /_reset                         forget everything (faults back to construction time)
 *   POST   /_test/forwardingRules          simulate a LoadBalancer Service's forwarding rule
 *   DELETE /_test/forwardingRules/{project}/{region}/{name}
 *   PUT    /_test/buckets/{bucket}/objects {count}   pretend the bucket holds objects
 *   POST   /_test/reservations {project, zone, name, machineType, count}   a Compute Engine reservation
 *   POST   /_test/kubernetes/{project}/{location}/{cluster}/objects      an object another controller made
 *   POST   /_test/kubernetes/{project}/{location}/{cluster}/finalizers   a finalizer nobody removes
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { createLoadBalancerRule } from './compute.js';
import { createReservation } from './compute-regions.js';
import { keyOf } from './compute-resources.js';
import { invalidArgument, notFound } from './errors.js';
import { partialFaultConfigSchema } from './faults.js';
import { renderError } from './http.js';
import { inventory, settings } from './inventory.js';
import type { KubernetesFleet } from './kubernetes/index.js';
import { fillBucket, type World } from './state.js';

const forwardingRuleInput = z
  .object({
    project: z.string().min(1),
    region: z.string().min(1),
    cluster: z.string().min(1),
    /** `namespace/name` of the Service, as GKE writes into the rule's description. */
    service: z.string().regex(/^[^/]+\/[^/]+$/),
    internal: z.boolean().optional(),
  })
  .strict();

const reservationInput = z
  .object({
    project: z.string().min(1),
    zone: z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/),
    name: z.string().regex(/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/),
    machineType: z.string().min(1),
    count: z.number().int().min(1),
  })
  .strict();

async function parse<T>(req: Request, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = await req.json();
  } catch {
    throw invalidArgument('Request body must be JSON.');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw invalidArgument(result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  }
  return result.data;
}

const finalizerInput = z
  .object({ apiVersion: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(), finalizer: z.string().min(1) })
  .strict();

export function testApi(world: World, resetAll: () => void, fleet: KubernetesFleet): Hono {
  const app = new Hono();
  app.onError(renderError);

  app.get('/inventory', (c) => {
    const resources = inventory(world);
    return c.json(c.req.query('include') === 'settings' ? { resources, settings: settings(world) } : { resources });
  });

  app.get('/_calls', (c) => c.json({ calls: world.calls }));
  app.delete('/_calls', (c) => {
    world.calls = [];
    return c.body(null, 204);
  });

  app.get('/_faults', (c) => c.json(world.faults.get()));
  app.put('/_faults', async (c) => c.json(world.faults.set(await parse(c.req.raw, partialFaultConfigSchema))));
  app.delete('/_faults', (c) => {
    world.faults.clear();
    return c.body(null, 204);
  });

  app.post('/_reset', (c) => {
    resetAll();
    return c.body(null, 204);
  });

  app.post('/_test/forwardingRules', async (c) => {
    world.settle();
    const input = await parse(c.req.raw, forwardingRuleInput);
    const rec = createLoadBalancerRule(world, input);
    return c.json({ name: rec.name, project: rec.project, region: rec.region, description: rec.body.description }, 201);
  });

  app.delete('/_test/forwardingRules/:project/:region/:name', (c) => {
    const { project, region, name } = c.req.param();
    const key = keyOf('forwardingRule', project, region, name);
    if (!world.compute.delete(key)) throw notFound(`The resource '${key}' was not found`);
    return c.body(null, 204);
  });

  app.post('/_test/reservations', async (c) => {
    const input = await parse(c.req.raw, reservationInput);
    world.project(input.project);
    const rec = createReservation(world, input);
    return c.json({ name: rec.name, zone: rec.zone, machineType: rec.machineType, count: rec.count }, 201);
  });

  app.put('/_test/buckets/:bucket/objects', async (c) => {
    const { count } = await parse(c.req.raw, z.object({ count: z.number().int().min(0) }).strict());
    const bucket = world.buckets.get(c.req.param('bucket'));
    if (!bucket) throw notFound('The specified bucket does not exist.');
    fillBucket(world, bucket, count);
    return c.json({ bucket: bucket.name, objectCount: count });
  });

  const kube = (c: { req: { param(name: string): string | undefined } }) =>
    [c.req.param('project')!, c.req.param('location')!, c.req.param('cluster')!] as const;
  const guarded = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw invalidArgument((error as Error).message);
    }
  };
  app.post('/_test/kubernetes/:project/:location/:cluster/objects', async (c) => {
    const object = await parse(c.req.raw, z.record(z.string(), z.unknown()));
    return c.json(guarded(() => fleet.createObject(...kube(c), object as never)), 201);
  });
  app.post('/_test/kubernetes/:project/:location/:cluster/finalizers', async (c) => {
    const input = await parse(c.req.raw, finalizerInput);
    guarded(() => fleet.addFinalizer(...kube(c), input));
    return c.body(null, 204);
  });

  return app;
}
