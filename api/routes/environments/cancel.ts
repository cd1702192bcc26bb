import type { RouteHandler } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { cancelOperation } from '../../services/environments/cancel.js';
import { ctxOf, environmentResponse, environmentRoute, idempotencyKey, ifMatch, noSuchEnvironment, respondWithEnvironment } from '../contract.js';
import { EnvironmentIdParam } from './schemas.js';

export const route = environmentRoute({
  operationId: 'cancelEnvironmentOperation',
  method: 'post',
  path: '/environments/{id}/cancel',
  summary: 'Cancel the running operation',
  description: 'Cancels the workflow execution; the environment becomes FAILED and can be retried or deleted.',
  request: { params: EnvironmentIdParam, headers: z.object({ 'idempotency-key': idempotencyKey, 'if-match': ifMatch }) },
  responses: {
    200: environmentResponse('Cancelled', { idempotent: true }),
    ...noSuchEnvironment,
    409: problemResponse('No operation is running'),
    412: problemResponse('The environment changed since the If-Match ETag'),
    422: problemResponse('The Idempotency-Key was used with another request'),
    503: problemResponse('Cloud Workflows is unavailable; nothing was changed'),
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) =>
  respondWithEnvironment(c, deps, await cancelOperation(deps, ctxOf(c), { id: c.req.valid('param').id, ifMatch: c.req.valid('header')['if-match'] }), 200);
