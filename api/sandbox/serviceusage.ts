/**
 * Service Usage v1: enable/disable APIs of a project. Enabling takes ≈40 simulated seconds (a
 * google.longrunning operation); the API answers 403 SERVICE_DISABLED until the operation is done.
 * A batch that names a service the organisation may not enable is refused whole, changing nothing
 * (batchEnable is all-or-nothing). v1beta1 generateServiceIdentity creates a service's agent
 * (`service-<number>@gcp-sa-<service>.iam.gserviceaccount.com`), which IAM knows only from then on.
 */
import { errorInfo, failedPrecondition, GoogleApiError, invalidArgument, notFound } from './errors.js';
import { addNotFound, API_TITLES, createServiceApp, guard, readBody, splitVerb } from './http.js';
import { DURATIONS, renderLongrunningOp, type LongrunningOp } from './lro.js';
import { serviceusageBatchEnableServicesRequest, serviceusageDisableServiceRequest } from './schemas.js';
import type { World } from './state.js';

const MAX_BATCH = 20;
const SERVICE_NAME = /^[a-z][-a-z0-9]*\.googleapis\.com$/;

function renderService(world: World, project: string, service: string, enabled = world.isServiceEnabled(project, service)) {
  const number = world.project(project).projectNumber;
  return {
    name: `projects/${number}/services/${service}`,
    config: { name: service, title: API_TITLES[service] ?? service },
    state: enabled ? 'ENABLED' : 'DISABLED',
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

/** Google's answer when the organisation may not enable a service (e.g. Cloud Source Repositories). */
function cannotEnable(project: string, services: string[]): GoogleApiError {
  const list = services.join(', ');
  return new GoogleApiError(403, 'PERMISSION_DENIED', `Permission denied to enable service [${list}]`, {
    reason: 'forbidden',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: services.map((service) => ({
          type: 'googleapis.com',
          subject: `?error_code=110002&service=${service}&permission=serviceusage.services.enable&resource=projects/${project}`,
        })),
      },
    ],
  });
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
    project,
    response: enabled
      ? {
          '@type': 'type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse',
          services: services.map((s) => renderService(world, project, s, true)),
        }
      : {
          '@type': 'type.googleapis.com/google.api.serviceusage.v1.DisableServiceResponse',
          service: renderService(world, project, services[0]!, false),
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
    const refused = world.faults.unavailable(ids);
    if (refused.length) throw cannotEnable(project, refused);
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
    if (verb === 'enable' && world.faults.unavailable([service]).length) throw cannotEnable(project, [service]);
    return c.json(renderLongrunningOp(startOp(world, project, [service], verb === 'enable'), world.sched));
  });

  app.post('/v1beta1/projects/:project/services/:serviceVerb', async (c) => {
    const project = world.projectIdOf(c.req.param('project'));
    const { id: service, verb } = splitVerb(c.req.param('serviceVerb'));
    if (verb !== 'generateServiceIdentity') throw notFound('Method not found.');
    // The permission's name is not documented on the method's page; serviceUsageAdmin's is required.
    guard(world, c, { permission: 'serviceusage.services.enable', resource: `projects/${project}/services/${service}`, project });
    // "The request body must be empty": `{}` is the empty message.
    const body = await readBody(c);
    if (Object.keys(body).length) throw invalidArgument('The request body must be empty.');
    if (!SERVICE_NAME.test(service)) throw unknownServices([service]);
    if (!world.isServiceEnabled(project, service)) {
      throw failedPrecondition(`Service ${service} is not enabled for consumer projects/${world.project(project).projectNumber}.`);
    }
    const identity = world.generateServiceIdentity(project, service);
    // Google answers with an operation that is already done.
    const op: LongrunningOp = {
      timed: world.sched.start(0),
      name: `operations/finished.DONE_OPERATION.${world.hex(8)}`,
      project,
      response: {
        '@type': 'type.googleapis.com/google.api.serviceusage.v1beta1.ServiceIdentity',
        email: identity.email,
        uniqueId: identity.uniqueId,
      },
    };
    world.lroOps.set(op.name, op);
    return c.json(renderLongrunningOp(op, world.sched));
  });

  app.get('/v1/operations/:op', (c) => {
    const name = `operations/${c.req.param('op')}`;
    const op = world.lroOps.get(name);
    guard(world, c, { permission: 'serviceusage.operations.get', resource: name, ...(op?.project ? { project: op.project } : {}) });
    if (!op) throw notFound(`Operation ${name} not found.`);
    return c.json(renderLongrunningOp(op, world.sched));
  });

  return addNotFound(app);
}
