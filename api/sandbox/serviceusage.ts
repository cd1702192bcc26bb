/**
 * Service Usage v1: enable/disable APIs of a project. Enabling takes ≈40 simulated seconds (a
 * google.longrunning operation); the API answers 403 SERVICE_DISABLED until the operation is done.
 */
import { errorInfo, GoogleApiError, invalidArgument, notFound } from './errors.js';
import { addNotFound, API_TITLES, createServiceApp, guard, readBody, splitVerb } from './http.js';
import { DURATIONS, renderLongrunningOp, type LongrunningOp } from './lro.js';
import { serviceusageBatchEnableServicesRequest, serviceusageDisableServiceRequest } from './schemas.js';
import type { World } from './state.js';

const MAX_BATCH = 20;
const SERVICE_NAME = /^[a-z][-a-z0-9]*\.googleapis\.com$/;

function renderService(world: World, project: string, service: string) {
  const number = world.project(project).projectNumber;
  return {
    name: `projects/${number}/services/${service}`,
    config: { name: service, title: API_TITLES[service] ?? service },
    state: world.isServiceEnabled(project, service) ? 'ENABLED' : 'DISABLED',
    parent: `projects/${number}`,
  };
}

function unknownServices(services: string[]): GoogleApiError {
  return new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `Not found or permission denied for service(s): ${services.join(', ')}.`,
    {
      reason: 'forbidden',
      details: [
        errorInfo('SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED', 'serviceusage.googleapis.com', {
          services: services.join(','),
        }),
      ],
    },
  );
}

function startOp(world: World, project: string, services: string[], enabled: boolean): LongrunningOp {
  const number = world.project(project).projectNumber;
  const alreadyThere = services.every((s) => world.isServiceEnabled(project, s) === enabled);
  // Google answers a request that changes nothing with an operation that is already done.
  const timed = world.sched.start(alreadyThere ? 0 : DURATIONS.services);
  const name = alreadyThere
    ? 'operations/noop.DONE_OPERATION'
    : `operations/acat.p2-${number}-${world.hex(8)}-${world.hex(4)}`;
  if (!alreadyThere) for (const s of services) world.setServiceState(project, s, enabled, timed.doneAt);
  const op: LongrunningOp = {
    timed,
    name,
    response: () =>
      enabled
        ? {
            '@type': 'type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse',
            services: services.map((s) => renderService(world, project, s)),
          }
        : {
            '@type': 'type.googleapis.com/google.api.serviceusage.v1.DisableServiceResponse',
            service: renderService(world, project, services[0]!),
          },
  };
  world.lroOps.set(name, op);
  return op;
}

export function serviceUsageApp(world: World) {
  const app = createServiceApp(world, 'serviceusage');

  app.post('/v1/projects/:project/:verb', async (c) => {
    const project = c.req.param('project');
    if (c.req.param('verb') !== 'services:batchEnable') throw notFound('Method not found.');
    guard(world, c, { permission: 'serviceusage.services.enable', resource: `projects/${project}`, project });
    const body = await readBody<{ serviceIds?: string[] }>(c, serviceusageBatchEnableServicesRequest);
    const ids = body.serviceIds ?? [];
    if (ids.length === 0) throw invalidArgument('serviceIds must contain at least one service.');
    if (ids.length > MAX_BATCH) {
      throw invalidArgument(`Cannot enable more than ${MAX_BATCH} services in one request; got ${ids.length}.`);
    }
    const unknown = ids.filter((s) => !SERVICE_NAME.test(s));
    if (unknown.length) throw unknownServices(unknown);
    return c.json(renderLongrunningOp(startOp(world, project, [...new Set(ids)], true), world.sched));
  });

  app.get('/v1/projects/:project/services/:service', (c) => {
    const { project, service } = c.req.param();
    guard(world, c, { permission: 'serviceusage.services.get', resource: `projects/${project}`, project });
    if (!SERVICE_NAME.test(service)) throw unknownServices([service]);
    return c.json(renderService(world, project, service));
  });

  app.post('/v1/projects/:project/services/:serviceVerb', async (c) => {
    const project = c.req.param('project');
    const { id: service, verb } = splitVerb(c.req.param('serviceVerb'));
    if (verb !== 'disable' && verb !== 'enable') throw notFound('Method not found.');
    guard(world, c, { permission: `serviceusage.services.${verb}`, resource: `projects/${project}`, project });
    await readBody(c, verb === 'disable' ? serviceusageDisableServiceRequest : undefined);
    if (!SERVICE_NAME.test(service)) throw unknownServices([service]);
    return c.json(renderLongrunningOp(startOp(world, project, [service], verb === 'enable'), world.sched));
  });

  app.get('/v1/operations/:op', (c) => {
    const name = `operations/${c.req.param('op')}`;
    guard(world, c, { permission: 'serviceusage.operations.get', resource: name });
    const op = world.lroOps.get(name);
    if (!op) throw notFound(`Operation ${name} not found.`);
    return c.json(renderLongrunningOp(op, world.sched));
  });

  return addNotFound(app);
}
