/**
 * Cloud Storage JSON API v1: buckets and bucket IAM. Bucket names are global (409 when taken by anyone),
 * a non-empty bucket cannot be deleted (409), and a stale etag on `PUT …/iam` is 412 conditionNotMet —
 * Cloud Storage's answer, unlike the 409 ABORTED of Resource Manager and IAM.
 */
import { rfc3339 } from './clock.js';
import { conditionNotMet, GoogleApiError, invalidArgument, notFound } from './errors.js';
import { addNotFound, createServiceApp, guard, readBody, type Ctx } from './http.js';
import { policyKey, readPolicy, renderPolicy, writePolicy, type IncomingPolicy } from './policies.js';
import { storageBucket, storagePolicy } from './schemas.js';
import { checkLabels } from './labels.js';
import type { BucketRec, World } from './state.js';

const API = 'storage.googleapis.com';
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
/** Fields the server owns; values sent by clients are ignored, as Google does. */
const OUTPUT_ONLY = ['id', 'kind', 'selfLink', 'projectNumber', 'metageneration', 'etag', 'timeCreated', 'updated'];

const conflict = (message: string) => new GoogleApiError(409, 'ALREADY_EXISTS', message, { reason: 'conflict' });

function locationType(location: string): string {
  if (!location.includes('-')) return ['US', 'EU', 'ASIA'].includes(location) ? 'multi-region' : 'dual-region';
  return 'region';
}

export function renderBucket(world: World, base: string, b: BucketRec) {
  const location = String(b.body.location ?? 'US').toUpperCase();
  return {
    kind: 'storage#bucket',
    selfLink: `${base}/storage/v1/b/${b.name}`,
    id: b.id,
    name: b.name,
    projectNumber: world.project(b.project).projectNumber,
    metageneration: '1',
    ...b.body,
    location,
    locationType: locationType(location),
    storageClass: b.body.storageClass ?? 'STANDARD',
    etag: 'CAE=',
    timeCreated: rfc3339(b.createdAt),
    updated: rfc3339(b.createdAt),
  };
}

function findBucket(world: World, name: string): BucketRec {
  const b = world.buckets.get(name);
  if (!b) throw notFound('The specified bucket does not exist.');
  return b;
}

/** Checks that run before the bucket lookup: a denied caller learns nothing about existence. */
function guardBucket(world: World, c: Ctx, verb: string, name: string): BucketRec {
  const project = world.buckets.get(name)?.project;
  guard(world, c, {
    permission: `storage.buckets.${verb}`,
    resource: `projects/_/buckets/${name}`,
    ...(project ? { project, api: API, resourcePolicies: [policyKey.bucket(name)] } : {}),
  });
  return findBucket(world, name);
}

function renderBucketPolicy(world: World, name: string) {
  const key = policyKey.bucket(name);
  const policy = renderPolicy(key, readPolicy(world, key));
  return { kind: 'storage#policy', resourceId: `projects/_/buckets/${name}`, ...policy };
}

export function storageApp(world: World) {
  const app = createServiceApp(world, 'storage');

  app.post('/storage/v1/b', async (c) => {
    const project = c.req.query('project');
    if (!project) throw invalidArgument('Required parameter: project', 'required');
    guard(world, c, { permission: 'storage.buckets.create', resource: `projects/${project}`, project, api: API });
    const body = await readBody<Record<string, unknown>>(c, storageBucket, 'bucket');
    const name = body.name;
    if (typeof name !== 'string' || name === '') throw invalidArgument('Required', 'required');
    if (!BUCKET_NAME.test(name) || name.length > 63) throw invalidArgument(`Invalid bucket name: '${name}'`);
    checkLabels(body.labels, 'bucket.labels');
    const existing = world.buckets.get(name);
    if (existing) {
      throw conflict(
        existing.project === project
          ? 'Your previous request to create the named bucket succeeded and you already own it.'
          : 'The requested bucket name is not available. The bucket namespace is shared by all users of the ' +
              'system. Please select a different name and try again.',
      );
    }
    const kept = Object.fromEntries(Object.entries(body).filter(([k]) => !OUTPUT_ONLY.includes(k)));
    const rec: BucketRec = { name, project, id: name, body: kept, createdAt: world.now(), objects: new Map() };
    world.buckets.set(name, rec);
    // New buckets grant the project's basic roles the legacy bucket roles, as Cloud Storage does.
    world.policies.set(policyKey.bucket(name), {
      version: 1,
      etagSeq: 1,
      grantedAt: {},
      bindings: [
        { role: 'roles/storage.legacyBucketOwner', members: [`projectEditor:${project}`, `projectOwner:${project}`] },
        { role: 'roles/storage.legacyBucketReader', members: [`projectViewer:${project}`] },
      ],
    });
    return c.json(renderBucket(world, c.var.base, rec));
  });

  app.get('/storage/v1/b/:bucket', (c) => {
    const b = guardBucket(world, c, 'get', c.req.param('bucket'));
    return c.json(renderBucket(world, c.var.base, b));
  });

  // buckets.patch: only the fields sent change; a label given as null is removed (labels merge).
  app.patch('/storage/v1/b/:bucket', async (c) => {
    const b = guardBucket(world, c, 'update', c.req.param('bucket'));
    const body = await readBody<Record<string, unknown>>(c, storageBucket, 'bucket');
    for (const field of Object.keys(body)) {
      if (OUTPUT_ONLY.includes(field)) continue;
      if (field === 'labels') {
        const labels = { ...(b.body.labels as Record<string, string> | undefined) };
        for (const [k, v] of Object.entries((body.labels ?? {}) as Record<string, string | null>)) {
          if (v === null) delete labels[k];
          else labels[k] = v;
        }
        b.body = { ...b.body, labels };
      } else if (field === 'name' && body.name !== b.name) {
        throw invalidArgument('The bucket name cannot be changed.');
      } else if (field !== 'name') {
        b.body = { ...b.body, [field]: body[field] };
      }
    }
    return c.json(renderBucket(world, c.var.base, b));
  });

  app.delete('/storage/v1/b/:bucket', (c) => {
    const b = guardBucket(world, c, 'delete', c.req.param('bucket'));
    if (b.objects.size > 0) {
      throw new GoogleApiError(409, 'FAILED_PRECONDITION', 'The bucket you tried to delete is not empty.', {
        reason: 'conflict',
      });
    }
    world.buckets.delete(b.name);
    world.policies.delete(policyKey.bucket(b.name));
    return c.body(null, 204);
  });

  // Objects: listed (names in lexicographic order, pages of maxResults ≤ 1000) and deleted one by
  // one. Uploads are not simulated: objects come from the test API and from the fake clusters'
  // Saxml admin servers (sax-root).
  app.get('/storage/v1/b/:bucket/o', (c) => {
    const b = findBucket(world, c.req.param('bucket'));
    guard(world, c, { permission: 'storage.objects.list', resource: `projects/_/buckets/${b.name}`, project: b.project, api: API });
    const max = Math.min(Number(c.req.query('maxResults') ?? 1000) || 1000, 1000);
    const names = [...b.objects.keys()].sort();
    const after = c.req.query('pageToken') ? Buffer.from(c.req.query('pageToken')!, 'base64url').toString() : undefined;
    const start = after === undefined ? 0 : names.findIndex((n) => n > after);
    const page = start < 0 ? [] : names.slice(start, start + max);
    const items = page.map((name) => ({
      kind: 'storage#object', id: `${b.name}/${name}/1`, name, bucket: b.name, generation: '1', size: String(b.objects.get(name)!.size),
      timeCreated: rfc3339(b.objects.get(name)!.createdAt), selfLink: `${c.var.base}/storage/v1/b/${b.name}/o/${encodeURIComponent(name)}`,
    }));
    const more = start >= 0 && start + max < names.length;
    return c.json({ kind: 'storage#objects', ...(items.length && { items }), ...(more && { nextPageToken: Buffer.from(page.at(-1)!).toString('base64url') }) });
  });

  app.delete('/storage/v1/b/:bucket/o/:object{.+}', (c) => {
    const b = findBucket(world, c.req.param('bucket'));
    const name = decodeURIComponent(c.req.param('object'));
    guard(world, c, { permission: 'storage.objects.delete', resource: `projects/_/buckets/${b.name}/objects/${name}`, project: b.project, api: API });
    if (!b.objects.delete(name)) throw notFound(`No such object: ${b.name}/${name}`);
    return c.body(null, 204);
  });

  app.get('/storage/v1/b/:bucket/iam', (c) => {
    const b = guardBucket(world, c, 'getIamPolicy', c.req.param('bucket'));
    return c.json(renderBucketPolicy(world, b.name));
  });

  app.put('/storage/v1/b/:bucket/iam', async (c) => {
    const b = guardBucket(world, c, 'setIamPolicy', c.req.param('bucket'));
    const body = await readBody<IncomingPolicy>(c, storagePolicy);
    writePolicy(world, policyKey.bucket(b.name), body, conditionNotMet);
    return c.json(renderBucketPolicy(world, b.name));
  });

  return addNotFound(app);
}
