import { createRoute, type RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../../http/types.js';
import { fetchExecutionPlan } from '../../services/internal/fetch-plan.js';
import { ctxOf } from '../contract.js';
import { EnvironmentIdParam, OperationIdSchema, PlanSchema } from '../environments/schemas.js';

export const route = createRoute({
  hide: true,
  method: 'get',
  path: '/internal/environments/{id}/operations/{operationId}/plan',
  request: { params: EnvironmentIdParam.extend({ operationId: OperationIdSchema }) },
  responses: { 200: { description: 'The plan the execution runs', content: { 'application/json': { schema: PlanSchema } } } },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const { id, operationId } = c.req.valid('param');
  return c.json(await fetchExecutionPlan(deps, ctxOf(c), { id, operationId }), 200);
};
