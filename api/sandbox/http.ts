/**
 * Plumbing shared by the service modules: one Hono sub-app per Google service, mounted at `/<service>`,
 * so `<origin>/_sandbox/<service>` + Google's own path reaches it. The sub-app settles due operations,
 * logs the call, injects transient faults, authenticates, and renders every error as Google does.
 */
import { Hono, type Context } from 'hono';
import { basePath } from 'hono/route';
import { authenticate, type Principal } from './auth.js';
import {
  GoogleApiError,
  invalidArgument,
  notFound,
  permissionDenied,
  serviceDisabled,
  transientError,
} from './errors.js';
import { checkFields, type BodyShape } from './fields.js';
import { isAllowed } from './policies.js';
import type { World } from './state.js';

import type { ServiceName } from './bases.js';

export type SandboxEnv = {
  Variables: {
    /** `<origin><mount>/<service>`, the base every selfLink/targetLink starts with. */
    base: string;
    /** Path below the sandbox mount, e.g. `/compute/compute/v1/projects/p/global/networks`. */
    rel: string;
    principal: Principal;
  };
};
export type Ctx = Context<SandboxEnv>;

export function renderError(err: Error, c: Context): Response {
  const e =
    err instanceof GoogleApiError
      ? err
      : new GoogleApiError(500, 'INTERNAL', 'Internal error encountered.', { reason: 'backendError' });
  if (!(err instanceof GoogleApiError)) console.error('sandbox: unexpected error', err);
  return c.json(e.toBody(), e.httpStatus as 400);
}

export function createServiceApp(world: World, service: ServiceName): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  app.onError(renderError);
  // The call log wraps everything else so it also records faults and auth failures (never the token).
  app.use('*', async (c, next) => {
    const mount = basePath(c);
    const rel = `/${service}${c.req.path.slice(mount.length)}`;
    c.set('base', `${new URL(c.req.url).origin}${mount}`);
    c.set('rel', rel);
    await next();
    const query = new URL(c.req.url).search;
    world.logCall({ method: c.req.method, path: rel + query, status: c.res.status, principal: c.var.principal?.email });
  });
  app.use('*', async (c, next) => {
    world.settle();
    const transient = world.faults.transient();
    if (transient) throw transientError(transient);
    c.set('principal', authenticate(world, c.req.header('authorization')));
    await next();
  });
  return app;
}

/** Google answers unknown paths of a known host with 404; register last. */
export function addNotFound(app: Hono<SandboxEnv>): Hono<SandboxEnv> {
  app.all('*', (c) => {
    throw notFound(`The requested URL ${c.req.path} was not found on this server.`);
  });
  return app;
}

/** API service names and titles used in SERVICE_DISABLED errors. */
export const API_TITLES: Record<string, string> = {
  'compute.googleapis.com': 'Compute Engine API',
  'container.googleapis.com': 'Kubernetes Engine API',
  'pubsub.googleapis.com': 'Cloud Pub/Sub API',
  'bigquery.googleapis.com': 'BigQuery API',
  'artifactregistry.googleapis.com': 'Artifact Registry API',
  'iam.googleapis.com': 'Identity and Access Management (IAM) API',
  'iamcredentials.googleapis.com': 'IAM Service Account Credentials API',
  'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
  'serviceusage.googleapis.com': 'Service Usage API',
  'storage.googleapis.com': 'Cloud Storage API',
};

export interface GuardOptions {
  /** The IAM permission the method needs (named by permissionDenied faults and errors). */
  permission: string;
  /** The resource the permission is checked on, e.g. `projects/p/global/networks/n`. */
  resource: string;
  /**
   * Project the call is billed to; checked to exist and, with `api`, to have the API enabled. The
   * permission is looked up in its policy (and the organisation's grants).
   */
  project?: string;
  api?: string;
  /** Policies of the resource itself that may also grant the permission (a bucket's, an account's). */
  resourcePolicies?: string[];
  /** `false`: the method checks the permission itself, to answer with its own message (iamcredentials). */
  authorise?: false;
}

/**
 * Per-method checks in Google's order: project, API enabled, then IAM: a role the caller holds
 * (propagated) must contain the permission, unless an injected denial says no first. A call whose
 * resource belongs to no known project (a bucket or account that does not exist) is left to the
 * method's own 404.
 */
export function guard(world: World, c: Ctx, g: GuardOptions): void {
  if (g.project) {
    const p = world.project(g.project);
    if (g.api && !world.isServiceEnabled(g.project, g.api)) {
      throw serviceDisabled(g.api, API_TITLES[g.api] ?? g.api, p.projectNumber);
    }
  }
  if (world.faults.isDenied(c.req.method, g.permission, c.var.rel)) throw permissionDenied(g.permission, g.resource);
  const scoped = g.project !== undefined || (g.resourcePolicies?.length ?? 0) > 0;
  if (g.authorise !== false && scoped && !isAllowed(world, c.var.principal.member, g.permission, g)) throw permissionDenied(g.permission, g.resource);
}

/** Parses the JSON body (an absent body is `{}`) and rejects unknown fields against `shape`. */
export async function readBody<T = Record<string, unknown>>(c: Ctx, shape?: BodyShape, at = ''): Promise<T> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw invalidArgument('Invalid JSON payload received. Unexpected token.');
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidArgument('Invalid JSON payload received. Expected an object.');
  }
  if (shape) checkFields(body, shape, at);
  return body as T;
}

/** Splits `name:verb` path segments (`p:getIamPolicy`, `x@y:generateAccessToken`). */
export function splitVerb(segment: string): { id: string; verb: string | null } {
  const i = segment.lastIndexOf(':');
  return i < 0 ? { id: segment, verb: null } : { id: segment.slice(0, i), verb: segment.slice(i + 1) };
}
