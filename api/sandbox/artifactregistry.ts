/**
 * Artifact Registry v1: repositories, created and deleted through google.longrunning operations named
 * `projects/{p}/locations/{l}/operations/{id}`. A repository is visible once its create operation is done.
 */
import { rfc3339 } from './clock.js';
import { alreadyExists, GoogleApiError, invalidArgument, notFound } from './errors.js';
import { addNotFound, createServiceApp, guard, readBody, type Ctx } from './http.js';
import { DURATIONS, renderLongrunningOp, type LongrunningOp } from './lro.js';
import { artifactRegistryRepository } from './schemas.js';
import { checkLabels } from './labels.js';
import { replacedLabels } from './label-patch.js';
import { onEffect, type RepositoryRec, type World } from './state.js';

const API = 'artifactregistry.googleapis.com';
const REPOSITORY_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const FORMATS = ['DOCKER', 'MAVEN', 'NPM', 'APT', 'YUM', 'PYTHON', 'KFP', 'GO', 'GENERIC'];
const TYPE = 'type.googleapis.com/google.devtools.artifactregistry.v1';

const entityNotFound = () =>
  new GoogleApiError(404, 'NOT_FOUND', 'Requested entity was not found.', { reason: 'notFound' });

function render(r: RepositoryRec) {
  const name = `projects/${r.project}/locations/${r.location}/repositories/${r.id}`;
  return {
    ...r.body,
    name,
    format: r.body.format,
    mode: r.body.mode ?? 'STANDARD_REPOSITORY',
    createTime: rfc3339(r.createdAt),
    updateTime: rfc3339(r.createdAt),
    ...(r.body.format === 'DOCKER' ? { registryUri: `${r.location}-docker.pkg.dev/${r.project}/${r.id}` } : {}),
    satisfiesPzi: false,
  };
}

const uuid = (world: World) => [8, 4, 4, 4, 12].map((n) => world.hex(n)).join('-');

/** A done create makes the repository visible; a done delete removes it. */
onEffect<RepositoryEffect>('repository', (world, { key, to }) => {
  const rec = world.repositories.get(key);
  if (to === 'deleted') world.repositories.delete(key);
  else if (rec) rec.phase = 'ready';
});

interface RepositoryEffect {
  kind: 'repository';
  key: string;
  to: 'ready' | 'deleted';
  [k: string]: unknown;
}

function startOp(
  world: World,
  where: { project: string; location: string },
  response: Record<string, unknown>,
  effect: RepositoryEffect,
): LongrunningOp {
  const name = `projects/${where.project}/locations/${where.location}/operations/${uuid(world)}`;
  const op: LongrunningOp = {
    timed: world.sched.start(DURATIONS.other, effect),
    name,
    project: where.project,
    metadata: { '@type': `${TYPE}.OperationMetadata` },
    response,
  };
  world.lroOps.set(name, op);
  return op;
}

export function artifactRegistryApp(world: World) {
  const app = createServiceApp(world, 'artifactregistry');
  const root = '/v1/projects/:project/locations/:location';
  const where = (c: Ctx) => ({ project: c.req.param('project')!, location: c.req.param('location')! });

  app.post(`${root}/repositories`, async (c) => {
    const { project, location } = where(c);
    const parent = `projects/${project}/locations/${location}`;
    guard(world, c, { permission: 'artifactregistry.repositories.create', resource: parent, project, api: API });
    const body = await readBody(c, artifactRegistryRepository, 'repository');
    const id = c.req.query('repositoryId');
    if (!id || !REPOSITORY_ID.test(id)) throw invalidArgument(`Invalid repository id "${id ?? ''}".`);
    if (typeof body.format !== 'string' || !FORMATS.includes(body.format)) {
      throw invalidArgument('Repository format must be specified.');
    }
    checkLabels(body.labels, 'repository.labels');
    const key = `projects/${project}/locations/${location}/repositories/${id}`;
    if (world.repositories.has(key)) throw alreadyExists('the repository already exists');
    const rec: RepositoryRec = { project, location, id, body, createdAt: world.now(), phase: 'creating' };
    world.repositories.set(key, rec);
    const op = startOp(world, { project, location }, { '@type': `${TYPE}.Repository`, ...render(rec) }, { kind: 'repository', key, to: 'ready' });
    return c.json(renderLongrunningOp(op, world.sched));
  });

  const find = (c: Ctx, verb: string) => {
    const { project, location } = where(c);
    const key = `projects/${project}/locations/${location}/repositories/${c.req.param('repository')}`;
    guard(world, c, { permission: `artifactregistry.repositories.${verb}`, resource: key, project, api: API });
    const rec = world.repositories.get(key);
    if (!rec || rec.phase === 'creating') throw entityNotFound();
    return { key, rec };
  };

  app.get(`${root}/repositories/:repository`, (c) => c.json(render(find(c, 'get').rec)));

  // repositories.patch: the fields `updateMask` names are replaced (here: labels only); the answer is the repository.
  app.patch(`${root}/repositories/:repository`, async (c) => {
    const body = await readBody(c, artifactRegistryRepository, 'repository');
    const { rec } = find(c, 'update');
    const mask = c.req.query('updateMask');
    if (!mask) throw invalidArgument('update_mask is required.');
    const fields = mask.split(',');
    if (fields.some((f) => f !== 'labels')) throw invalidArgument(`This sandbox updates only labels, not ${mask}.`);
    rec.body = { ...rec.body, labels: replacedLabels(body.labels, 'repository.labels') };
    return c.json(render(rec));
  });

  app.delete(`${root}/repositories/:repository`, (c) => {
    const { key, rec } = find(c, 'delete');
    if (rec.phase === 'deleting') throw entityNotFound();
    rec.phase = 'deleting';
    const op = startOp(world, rec, { '@type': 'type.googleapis.com/google.protobuf.Empty' }, { kind: 'repository', key, to: 'deleted' });
    return c.json(renderLongrunningOp(op, world.sched));
  });

  app.get(`${root}/operations/:op`, (c) => {
    const { project, location } = where(c);
    const name = `projects/${project}/locations/${location}/operations/${c.req.param('op')}`;
    guard(world, c, { permission: 'artifactregistry.operations.get', resource: name, project, api: API });
    const op = world.lroOps.get(name);
    if (!op) throw notFound(`Operation ${name} not found.`);
    return c.json(renderLongrunningOp(op, world.sched));
  });

  return addNotFound(app);
}
