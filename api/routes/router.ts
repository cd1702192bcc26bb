import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.js';
import { zodFieldErrors } from '../domain/field-errors.js';
import { requirePrincipal } from '../http/auth.js';
import { idempotency } from '../http/idempotency.js';
import { jsonBody } from '../http/json-body.js';
import { validationProblem } from '../http/problem.js';
import { knownQuery } from '../http/query.js';
import type { AppEnv } from '../http/types.js';
import { IDEMPOTENCY_HEADER } from './contract.js';

type Middleware = MiddlewareHandler<AppEnv>;

/** A router whose validation failures all have one shape: bodies → 422 with JSON paths; query/path/headers → 400. */
export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const root = result.target === 'json' ? '$' : `$.${result.target === 'param' ? 'path' : result.target === 'header' ? 'headers' : result.target}`;
      const errors = zodFieldErrors(result.error, { root });
      return validationProblem(c, errors, result.target === 'json' ? 'VALIDATION_FAILED' : 'INVALID_ARGUMENT');
    },
  });
}

const shapeKeys = (schema: unknown): string[] => {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
};
const jsonMediaTypes = (route: RouteConfig): string[] =>
  Object.keys(route.request?.body?.content ?? {}).filter((type) => /^application\/(?:[\w.-]+\+)?json$/.test(type));

/**
 * The middleware a route's contract asks for, derived from what it declares, so that a new route
 * cannot forget one: `security` → the caller must authenticate; any route → query parameters it
 * does not define are refused; a JSON body → it is read with helpful errors; an `Idempotency-Key`
 * header → the request is idempotent. `first` runs before all of them (the workflow identity check
 * of the internal routes).
 */
export function withContractMiddleware<R extends RouteConfig>(route: R, deps: Deps, first: Middleware[] = []): R & { middleware: Middleware[] } {
  const middleware: Middleware[] = [...first];
  if (route.security?.length) middleware.push(requirePrincipal(deps.auth.authenticator, deps.auth.policy));
  middleware.push(knownQuery(shapeKeys(route.request?.query)));
  const mediaTypes = jsonMediaTypes(route);
  if (mediaTypes.length) middleware.push(jsonBody(mediaTypes));
  if (shapeKeys(route.request?.headers).includes(IDEMPOTENCY_HEADER)) middleware.push(idempotency(deps.store, deps.idempotencyTtlMs, deps.now));
  return { ...route, middleware };
}

/**
 * A route served without validating one part its contract documents, for handlers that read it
 * themselves: create's body (its service must authorize on the project before it validates
 * anything; the router still reads it into `c.var.body`), and GET's If-None-Match (compared with
 * the ETag by the handler — a header validator would cost the hottest route a header object per
 * request). The caller registers the full contract in the document.
 */
export function servedWithout<R extends RouteConfig & { middleware: Middleware[] }>(route: R, part: 'body' | 'headers'): R {
  const { [part]: _omitted, ...request } = route.request ?? {};
  return { ...route, request };
}
