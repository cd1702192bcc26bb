import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Deps } from '../deps.js';
import type { EnvironmentRecord } from '../domain/environment.js';
import { IDEMPOTENCY_KEY } from '../http/idempotency.js';
import { commonProblems, problemResponse } from '../http/problem.js';
import type { AppEnv } from '../http/types.js';
import type { ServiceContext } from '../services/context.js';
import { etagOf, toView } from '../services/shared/view.js';

/** The parts every public environment route shares, so a route file states only what is its own. */

/** Routes that declare this need a caller; the router attaches authentication to exactly those. */
export const BEARER_AUTH = [{ bearerAuth: [] }];

export function environmentRoute<P extends string, R extends Omit<RouteConfig, 'path' | 'tags' | 'security'> & { path: P }>(config: R) {
  return createRoute({
    ...config,
    tags: ['environments'],
    security: BEARER_AUTH,
    responses: { ...commonProblems, ...config.responses },
  });
}

export const noSuchEnvironment = { 404: problemResponse('No such environment, or not visible to the caller') } as const;

/**
 * Declared headers, by their lowercase names (Hono validates headers by those; HTTP header names
 * are case-insensitive). The router makes a route idempotent exactly when it declares Idempotency-Key.
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const idempotencyKey = z.string().regex(IDEMPOTENCY_KEY).optional().openapi({
  description: 'Makes retries safe: the same key with the same request replays the first answer (24 h); with another request → 422',
});
export const ifMatch = z.string().optional().openapi({
  description: 'The ETag you last saw; the request is refused with 412 if the environment changed since',
});

/** The verb's context for this request: who asks, and the request-scoped logger. */
export const ctxOf = (c: Context<AppEnv>): ServiceContext =>
  ({ principal: c.get('principal'), logger: c.get('logger'), requestId: c.get('requestId') });

/** The answer of every verb that returns the environment: its view, with ETag (and Location for new operations). */
export function respondWithEnvironment<S extends 200 | 202>(c: Context<AppEnv>, deps: Deps, record: EnvironmentRecord, status: S) {
  c.header('ETag', etagOf(record));
  if (status === 202) c.header('Location', `/environments/${record.id}`);
  return c.json(toView(record, deps), status);
}
