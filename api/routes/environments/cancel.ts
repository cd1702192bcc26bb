import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { commonProblems, problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { cancelOperation } from '../../services/cancel-operation.js';
import { etagOf, toView } from '../../services/view.js';
import { EnvironmentIdParam, EnvironmentSchema } from './schemas.js';

const route = createRoute({
  operationId: 'cancelEnvironmentOperation',
  method: 'post',
  path: '/environments/{id}/cancel',
  tags: ['environments'],
  summary: 'Cancel the running operation',
  description: 'Cancels the workflow execution; the environment becomes FAILED and can be retried or deleted.',
  security: [{ bearerAuth: [] }],
  request: { params: EnvironmentIdParam },
  responses: {
    200: { description: 'Cancelled', content: { 'application/json': { schema: EnvironmentSchema } } },
    ...commonProblems,
    404: problemResponse('No such environment'),
    409: problemResponse('No operation is running'),
  },
});

export function registerCancelOperation(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(route, async (c) => {
    const record = await cancelOperation(deps, { id: c.req.valid('param').id, principal: c.get('principal') });
    c.header('ETag', etagOf(record));
    return c.json(toView(record), 200);
  });
}
