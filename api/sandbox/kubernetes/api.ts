/**
 * The fake cluster's Kubernetes REST API: discovery (`/api`, `/apis`, `/api/v1`, `/apis/{g}/{v}`)
 * for every kind it serves, server-side apply (`PATCH` application/apply-patch+yaml with a
 * fieldManager), JSON merge patch, get, list with label selectors, delete, and `Status` errors in
 * Kubernetes' shape. Callers authenticate with a sandbox token (a minted access token, as GKE takes
 * Google OAuth tokens) and need a Kubernetes Engine role on the cluster's project, as GKE's IAM
 * authorizer asks.
 */
import { Hono, type Context } from 'hono';
import { parse as parseYaml } from 'yaml';
import { authenticate } from '../auth.js';
import { GoogleApiError } from '../errors.js';
import { isAllowed } from '../policies.js';
import type { World } from '../state.js';
import { FakeCluster, KubeError } from './cluster.js';
import { KINDS, discovery, groupVersion, kindByPlural, type KindInfo } from './kinds.js';
import { isObject, type JsonObject } from './objects.js';

const VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.6-gke.1020000', platform: 'linux/amd64' };

export function kubernetesApp(world: World, cluster: FakeCluster): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    const e = error instanceof KubeError ? error : new KubeError(500, 'InternalError', `Internal error occurred: ${error.message}`);
    if (!(error instanceof KubeError)) console.error('sandbox kubernetes: unexpected error', error);
    return c.json(e.toStatus(), e.code as 500);
  });

  app.use('*', async (c, next) => {
    let principal;
    try {
      principal = authenticate(world, c.req.header('authorization'));
    } catch (error) {
      if (error instanceof GoogleApiError) throw new KubeError(401, 'Unauthorized', 'Unauthorized');
      throw error;
    }
    // GKE maps IAM onto the cluster's API: a Kubernetes Engine role (container.admin,
    // container.developer…) held — and propagated — on the project (roles.ts, policies.ts).
    if (!isAllowed(world, principal.member, 'container.clusters.get', { project: cluster.rec.project })) {
      throw new KubeError(403, 'Forbidden', `${c.req.method.toLowerCase()} ${c.req.path} is forbidden: User "${principal.email}" cannot access the cluster: ` +
        `requires a Kubernetes Engine role (e.g. roles/container.developer) on project ${cluster.rec.project}`);
    }
    if (cluster.rec.status !== 'RUNNING' && cluster.rec.status !== 'DEGRADED') throw new KubeError(503, 'ServiceUnavailable', `the cluster ${cluster.rec.name} is not running`);
    cluster.reconcile();
    await next();
  });

  app.get('/version', (c) => c.json(VERSION));
  app.get('/api', (c) => c.json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: cluster.rec.endpoint }] }));
  app.get('/apis', (c) => {
    const groups = [...new Set(KINDS.filter((k) => k.group).map((k) => k.group))].map((name) => {
      const version = { groupVersion: `${name}/v1`, version: 'v1' };
      return { name, versions: [version], preferredVersion: version };
    });
    return c.json({ kind: 'APIGroupList', apiVersion: 'v1', groups });
  });
  app.get('/api/v1', (c) => c.json(discovery('v1')));
  app.get('/apis/:group/:version', (c) => {
    const list = discovery(`${c.req.param('group')}/${c.req.param('version')}`);
    if (!list) throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
    return c.json(list);
  });
  app.all('/api/v1/*', (c) => resource(c, cluster, 'v1', c.req.path.slice('/api/v1/'.length)));
  app.all('/apis/:group/:version/*', (c) => {
    const gv = `${c.req.param('group')}/${c.req.param('version')}`;
    return resource(c, cluster, gv, c.req.path.slice(`/apis/${gv}/`.length));
  });
  app.all('*', () => {
    throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  });
  return app;
}

interface Target {
  kind: KindInfo;
  namespace?: string;
  name?: string;
}

/** `{plural}[/{name}]` or `namespaces/{ns}/{plural}[/{name}]`. */
function target(gv: string, rest: string): Target {
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  const missing = () => new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  let kind: KindInfo | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    kind = kindByPlural(gv, parts[2]!);
    if (!kind?.namespaced || parts.length > 4) throw missing();
    return { kind, namespace: parts[1]!, ...(parts[3] && { name: parts[3] }) };
  }
  kind = kindByPlural(gv, parts[0] ?? '');
  if (!kind || parts.length > 2 || (parts.length === 2 && kind.namespaced)) throw missing();
  return { kind, ...(parts[1] && { name: parts[1] }) };
}

async function resource(c: Context, cluster: FakeCluster, gv: string, rest: string): Promise<Response> {
  const t = target(gv, rest);
  const method = c.req.method;
  if (!t.name) {
    if (method !== 'GET') throw new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    const selector = c.req.query('labelSelector');
    const items = listOf(cluster, t).filter((item) => matches(selector, (item.metadata as JsonObject).labels as Record<string, string> | undefined));
    return c.json({ kind: `${t.kind.kind}List`, apiVersion: groupVersion(t.kind), metadata: { resourceVersion: String(Date.now()) }, items });
  }
  if (t.kind.derived) {
    if (method !== 'GET') throw new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    const found = listOf(cluster, t).find((item) => (item.metadata as JsonObject).name === t.name);
    if (!found) throw new KubeError(404, 'NotFound', `${t.kind.plural} "${t.name}" not found`, { name: t.name, kind: t.kind.plural });
    return c.json(found);
  }
  switch (method) {
    case 'GET':
      return c.json(cluster.render(cluster.get(t.kind, t.name, t.namespace)));
    case 'PATCH': {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
      const body = await readBody(c, type);
      if (type === 'application/apply-patch+yaml') {
        const object = cluster.apply(t.kind, t.namespace, t.name, body, c.req.query('fieldManager') ?? '', c.req.query('force') === 'true');
        return c.json(cluster.render(object));
      }
      if (type === 'application/merge-patch+json') return c.json(cluster.render(cluster.mergePatch(t.kind, t.name, t.namespace, body)));
      throw new KubeError(415, 'UnsupportedMediaType', `the sandbox does not simulate ${type || 'this'} patches`);
    }
    case 'DELETE': {
      const object = cluster.delete(t.kind, t.name, t.namespace);
      cluster.reconcile();
      const gone = !cluster.objects.has(cluster.key(t.kind, t.name, t.namespace));
      return gone
        ? c.json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: t.name, kind: t.kind.plural, uid: object.uid } })
        : c.json(cluster.render(object));
    }
    default:
      throw new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
}

function listOf(cluster: FakeCluster, t: Target): JsonObject[] {
  if (t.kind.kind === 'Node') return cluster.renderNodes();
  if (t.kind.kind === 'Pod') return cluster.renderPods(t.namespace);
  return cluster.list(t.kind, t.namespace).map((o) => cluster.render(o));
}

async function readBody(c: Context, type: string): Promise<JsonObject> {
  const text = await c.req.text();
  let body: unknown;
  try {
    // Apply patches are YAML (a JSON document is valid YAML); merge patches are JSON.
    body = type === 'application/apply-patch+yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new KubeError(400, 'BadRequest', `error decoding patch: ${(error as Error).message}`);
  }
  if (!isObject(body)) throw new KubeError(400, 'BadRequest', 'the body of the request was in an unknown format');
  return body;
}

/** Equality (`a=b`, `a==b`), inequality (`a!=b`), existence (`a`, `!a`) and set (`a in (x,y)`) requirements. */
export function matches(selector: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  const requirements = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return requirements.every((raw) => {
    const r = raw.trim();
    let m = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(r);
    if (m) return labels[m[1]!] !== m[2];
    m = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(r);
    if (m) return labels[m[1]!] === m[2];
    m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(r);
    if (m) {
      const values = m[3]!.split(',').map((v) => v.trim());
      const has = labels[m[1]!] !== undefined && values.includes(labels[m[1]!]!);
      return m[2] === 'in' ? has : !has;
    }
    if (r.startsWith('!')) return labels[r.slice(1)] === undefined;
    return labels[r] !== undefined;
  });
}
