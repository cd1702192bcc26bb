import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from './deps.js';
import { requirePrincipal } from './http/auth.js';
import { limitBody } from './http/limits.js';
import { handleError, problem } from './http/problem.js';
import { requestContext } from './http/request-context.js';
import type { AppEnv } from './http/types.js';
import { environmentsRouter } from './routes/environments/index.js';
import { statusPage } from './page/index.js';
import { projectsRouter } from './routes/projects/index.js';
import { internalRouter } from './routes/internal/index.js';
import { serviceRouter } from './routes/service/index.js';

/** Something served beside the API under a path prefix (the local profile's sandbox cloud). */
export interface Mount {
  /** `/_sandbox`: requests to it and below go to `fetch`. */
  path: string;
  fetch(request: Request): Response | Promise<Response>;
  /**
   * Paths below the mount that carry credentials of their own (the sandbox's simulated Google APIs
   * check their own bearer tokens). Every other path needs the caller to authenticate as on the
   * public routes (with API_TOKEN set, the sandbox's inventory, faults and call log need it too).
   */
  ownCredentials?(path: string): boolean;
}

/** `/environments/:id/plan` → a regular expression matching concrete paths. */
const routePattern = (path: string) => new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+').replace(/\*$/, '.*')}$`);

/**
 * The whole HTTP surface, built from injected ports; no I/O happens until a request arrives.
 * `mounts` come from the composition root: the app does not know what they are.
 */
export function createApp(deps: Deps, options: { mounts?: readonly Mount[] } = {}) {
  const mounts = options.mounts ?? [];
  const quietPrefixes = ['/internal/', ...mounts.map((m) => `${m.path}/`)];
  const app = new OpenAPIHono<AppEnv>();
  app.onError(handleError);
  app.notFound((c) => {
    // A known path with another method is a 405 naming the methods it has, not a 404.
    // (Entries for every method or every path are middleware, not routes.)
    const allowed = [...new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/*' && routePattern(r.path).test(c.req.path)).map((r) => r.method))];
    if (allowed.length) {
      c.header('Allow', allowed.join(', '));
      return problem(c, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`);
    }
    return problem(c, 'ROUTE_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}; the API is described at /docs`);
  });

  app.use('*', requestContext(deps.logger, { project: deps.traceProject, quiet: (path) => quietPrefixes.some((p) => path.startsWith(p)) }));
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', limitBody);

  const api = app
    .route('/', environmentsRouter(deps))
    .route('/', projectsRouter(deps))
    .route('/', internalRouter(deps));
  // Served from the public routes' registry, so it is built after them.
  api.route('/', serviceRouter(api, statusPage(deps)));

  const caller = requirePrincipal(deps.auth.authenticator, deps.auth.policy);
  for (const mount of mounts) {
    app.all(`${mount.path}/*`, (c, next) => (mount.ownCredentials?.(c.req.path) ? next() : caller(c, next)), (c) => mount.fetch(c.req.raw));
  }
  return api;
}

/**
 * The app's type: its routes with their inputs and outputs (for typed clients of the in-process app).
 * @public
 */
export type AppType = ReturnType<typeof createApp>;
