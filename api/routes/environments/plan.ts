import type { RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../../http/types.js';
import { getPlan } from '../../services/environments/get-plan.js';
import { ctxOf, environmentRoute, noSuchEnvironment } from '../contract.js';
import { EnvironmentIdParam, PlanViewSchema } from './schemas.js';

export const route = environmentRoute({
  operationId: 'getEnvironmentPlan',
  method: 'get',
  path: '/environments/{id}/plan',
  summary: "The current operation's plan with each step's state",
  request: { params: EnvironmentIdParam },
  responses: {
    200: { description: 'The plan', content: { 'application/json': { schema: PlanViewSchema } } },
    ...noSuchEnvironment,
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) =>
  c.json(await getPlan(deps, ctxOf(c), { id: c.req.valid('param').id }), 200);
