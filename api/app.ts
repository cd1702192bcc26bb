import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Deps } from './deps.js';
import type { Sandbox } from './sandbox/index.js';
import { requirePrincipal } from './http/auth.js';
import { idempotency } from './http/idempotency.js';
import { handleError, problem, validationProblem } from './http/problem.js';
import { requestContext } from './http/request-context.js';
import type { AppEnv } from './http/types.js';
import { zodFieldErrors } from './domain/validate.js';
import { openApiDocument } from './openapi.js';
import { registerCreateEnvironment } from './routes/environments/create.js';
import { registerDeleteEnvironment } from './routes/environments/delete.js';
import { registerListEvents } from './routes/environments/events.js';
import { registerGetEnvironment } from './routes/environments/get.js';
import { registerListEnvironments } from './routes/environments/list.js';
import { registerCancelOperation } from './routes/environments/cancel.js';
import { registerGetPlan } from './routes/environments/plan.js';
import { registerRetryEnvironment } from './routes/environments/retry.js';
import { registerInternalRoutes } from './routes/internal/index.js';
import { registerDocs } from './routes/service/docs.js';

export const MAX_BODY_BYTES = 64 * 1024;

/** `/environments/:id/plan` → a regular expression matching concrete paths. */
const routePattern = (path: string) => new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+').replace(/\*$/, '.*')}$`);

/** The whole HTTP surface, built from injected ports; no I/O happens until a request arrives. */
export function createApp(deps: Deps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    // One shape for every validation failure: bodies → 422 with JSON paths; query/path → 400.
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = zodFieldErrors(result.error);
      if (result.target === 'json') return validationProblem(c, errors);
      const prefixed = errors.map((e) => ({ ...e, path: e.path.replace(/^\$/, `$.${result.target === 'param' ? 'path' : result.target}`) }));
      return validationProblem(c, prefixed, 'INVALID_ARGUMENT');
    },
  });
  app.onError(handleError);
  app.notFound((c) => {
    // A known path with another method is a 405 naming the methods it has, not a 404.
    // (Entries for every method or every path are middleware, not routes.)
    const allowed = [...new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/*' && routePattern(r.path).test(c.req.path)).map((r) => r.method))];
    if (allowed.length) {
      c.header('Allow', allowed.join(', '));
      return problem(c, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`);
    }
    return problem(c, 'ROUTE_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
  });

  app.use('*', requestContext(deps.logger, deps.traceProject));
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => { throw new HTTPException(413, { message: `request bodies are limited to ${MAX_BODY_BYTES} bytes` }); },
  });
  // Only on methods that carry a body: the limiter wraps the request stream, which on GETs would
  // cost more than the handler itself, and registering it per method keeps GETs free of the layer.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', limitBody);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  const authenticated = requirePrincipal(deps.auth.authenticator, deps.auth.policy);
  for (const path of ['/environments', '/environments/*', '/openapi.yaml', '/docs']) app.use(path, authenticated);
  const idempotent = idempotency(deps.store, deps.idempotencyTtlMs, deps.now);
  for (const path of ['/environments', '/environments/:id/retry', '/environments/:id/cancel']) app.post(path, idempotent);

  registerCreateEnvironment(app, deps);
  registerListEnvironments(app, deps);
  registerGetEnvironment(app, deps);
  registerDeleteEnvironment(app, deps);
  registerListEvents(app, deps);
  registerGetPlan(app, deps);
  registerRetryEnvironment(app, deps);
  registerCancelOperation(app, deps);
  registerInternalRoutes(app, deps);

  let document: Record<string, unknown> | undefined;
  const getDocument = () => (document ??= openApiDocument(app));
  let yaml: string | undefined;
  app.get('/openapi.yaml', async (c) => c.body((yaml ??= (await import('./openapi-yaml.js')).toYaml(getDocument())), 200, { 'Content-Type': 'application/yaml; charset=utf-8' }));
  registerDocs(app, getDocument);

  const sandbox = deps.sandbox;
  if (sandbox) {
    // Delegated rather than mounted with `app.route`: Google-style paths (`…/v1/{name}:verb`) would
    // push the whole app from Hono's RegExpRouter to its slower TrieRouter. Built on first use,
    // as the sandbox itself is.
    let mounted: { sandbox: Sandbox; app: Hono } | undefined;
    app.all('/_sandbox/*', async (c) => {
      const current = await sandbox();
      if (mounted?.sandbox !== current) mounted = { sandbox: current, app: new Hono().route('/_sandbox', current.app) };
      return mounted.app.fetch(c.req.raw);
    });
  }
  return app;
}
