import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Deps } from '../deps.js';
import type { EnvironmentRecord } from '../domain/environment.js';
import { IDEMPOTENCY_KEY } from '../http/idempotency.js';
import { commonProblems, problemResponse } from '../http/problem.js';
import type { AppEnv } from '../http/types.js';
import type { ServiceContext } from '../services/context.js';
import { etagOf, toView } from '../services/common/view.js';
import { EnvironmentSchema } from './environments/schemas.js';

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
export const ifNoneMatch = z.string().optional().openapi({
  description: 'The ETag you last saw: an unchanged environment answers 304 with no body (cheap polling)',
});

/** Response headers, declared so that generated clients and the reference show them. */
const ETag = z.string().openapi({
  description: "The environment's version (also its `etag` field): send it as `If-Match` to change exactly this version, or as `If-None-Match` to poll cheaply",
});
const Location = z.string().openapi({ description: "The environment's URL: GET it to poll, or watch `…/events:watch`" });
const IdempotentReplayed = z.literal('true').optional().openapi({
  description: 'Present when this answer replays the first request made with the same `Idempotency-Key`',
});

/**
 * The answer of a route that returns the environment (respondWithEnvironment): always its ETag;
 * `Location` when an operation starts; `Idempotent-Replayed` on routes that honour Idempotency-Key.
 */
export function environmentResponse(description: string, options: { operationStarts?: boolean; idempotent?: boolean } = {}) {
  return {
    description,
    headers: z.object({
      ETag,
      ...(options.operationStarts ? { Location } : {}),
      ...(options.idempotent ? { 'Idempotent-Replayed': IdempotentReplayed } : {}),
    }),
    content: { 'application/json': { schema: EnvironmentSchema } },
  };
}
export const notModified = { description: 'Unchanged since the If-None-Match ETag (no body)', headers: z.object({ ETag }) };

/** The verb's context for this request: who asks, and the request-scoped logger. */
export const ctxOf = (c: Context<AppEnv>): ServiceContext =>
  ({ principal: c.get('principal'), logger: c.get('logger'), requestId: c.get('requestId') });

/** The answer of every verb that returns the environment: its view, with ETag (and Location for new operations). */
export function respondWithEnvironment<S extends 200 | 202>(c: Context<AppEnv>, deps: Deps, record: EnvironmentRecord, status: S) {
  c.header('ETag', etagOf(record));
  if (status === 202) c.header('Location', `/environments/${record.id}`);
  return c.json(toView(record, deps), status);
}
