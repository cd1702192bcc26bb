import type { RouteHandler } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { retryEnvironment } from '../../services/environments/retry.js';
import { ctxOf, environmentResponse, environmentRoute, idempotencyKey, ifMatch, noSuchEnvironment, respondWithEnvironment } from '../contract.js';
import { EnvironmentIdParam } from './schemas.js';

export const route = environmentRoute({
  operationId: 'retryEnvironment',
  method: 'post',
  path: '/environments/{id}/retry',
  summary: 'Resume a FAILED environment from its failed steps',
  description: 'Resumes the last operation (create or delete); steps it already completed are skipped.',
  request: { params: EnvironmentIdParam, headers: z.object({ 'idempotency-key': idempotencyKey, 'if-match': ifMatch }) },
  responses: {
    202: environmentResponse('The retry operation is running', { operationStarts: true, idempotent: true }),
    ...noSuchEnvironment,
    409: problemResponse('Not FAILED, another operation is running, or QUOTA_EXCEEDED: a retried create still lacks quota (the retry is recorded FAILED, nothing was created)'),
    412: problemResponse('The environment changed since the If-Match ETag'),
    422: problemResponse('The Idempotency-Key was used with another request'),
    503: problemResponse('The workflow could not be started (the environment stays FAILED; retry again)'),
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) =>
  respondWithEnvironment(c, deps, await retryEnvironment(deps, ctxOf(c), { id: c.req.valid('param').id, ifMatch: c.req.valid('header')['if-match'] }), 202);
