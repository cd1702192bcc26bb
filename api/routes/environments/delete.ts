import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { commonProblems, problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { deleteEnvironment } from '../../services/delete-environment.js';
import { etagOf, toView } from '../../services/view.js';
import { DeleteQuery, EnvironmentIdParam, EnvironmentSchema } from './schemas.js';

const route = createRoute({
  operationId: 'deleteEnvironment',
  method: 'delete',
  path: '/environments/{id}',
  tags: ['environments'],
  summary: 'Delete an environment (tear everything down in reverse)',
  security: [{ bearerAuth: [] }],
  request: { params: EnvironmentIdParam, query: DeleteQuery },
  responses: {
    202: { description: 'The delete operation is running', content: { 'application/json': { schema: EnvironmentSchema } } },
    ...commonProblems,
    404: problemResponse('No such environment'),
    409: problemResponse('Another operation is running (use force=true), deletion protection is on, or already deleted'),
    503: problemResponse('The workflow could not be started (the environment is FAILED; retry it)'),
  },
});

export function registerDeleteEnvironment(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(route, async (c) => {
    const { force, deleteBootstrap } = c.req.valid('query');
    const record = await deleteEnvironment(deps, { id: c.req.valid('param').id, principal: c.get('principal'), force, deleteBootstrap });
    c.header('Location', `/environments/${record.id}`);
    c.header('ETag', etagOf(record));
    return c.json(toView(record), 202);
  });
}
