import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { commonProblems, problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { getEnvironment } from '../../services/get-environment.js';
import { planView } from '../../services/plan-view.js';
import { EnvironmentIdParam, PlanViewSchema } from './schemas.js';

const route = createRoute({
  operationId: 'getEnvironmentPlan',
  method: 'get',
  path: '/environments/{id}/plan',
  tags: ['environments'],
  summary: "The current operation's plan with each step's state",
  security: [{ bearerAuth: [] }],
  request: { params: EnvironmentIdParam },
  responses: {
    200: { description: 'The plan', content: { 'application/json': { schema: PlanViewSchema } } },
    ...commonProblems,
    404: problemResponse('No such environment'),
  },
});

export function registerGetPlan(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(route, async (c) => {
    const record = await getEnvironment(deps, c.req.valid('param').id, c.get('principal'));
    return c.json(planView(deps, record), 200);
  });
}
