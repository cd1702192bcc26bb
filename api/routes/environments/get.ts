import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { commonProblems, problemResponse } from '../../http/problem.js';
import { jsonResponse } from '../../http/request-context.js';
import type { AppEnv } from '../../http/types.js';
import { getEnvironment } from '../../services/get-environment.js';
import { reconcile } from '../../services/reconcile.js';
import { etagOf, viewJson } from '../../services/view.js';
import { EnvironmentIdParam, EnvironmentSchema } from './schemas.js';

const route = createRoute({
  operationId: 'getEnvironment',
  method: 'get',
  path: '/environments/{id}',
  tags: ['environments'],
  summary: 'Get an environment with its stage progress',
  security: [{ bearerAuth: [] }],
  request: { params: EnvironmentIdParam },
  responses: {
    200: { description: 'The environment', content: { 'application/json': { schema: EnvironmentSchema } } },
    304: { description: 'Unchanged since the If-None-Match ETag' },
    ...commonProblems,
    404: problemResponse('No such environment'),
  },
});

export function registerGetEnvironment(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(route, async (c) => {
    // A running operation whose execution already ended (missed final report) is settled on read.
    const record = await reconcile(deps, await getEnvironment(deps, c.req.valid('param').id, c.get('principal')));
    const etag = etagOf(record);
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { ETag: etag });
    return jsonResponse(c, 200, viewJson(record), { ETag: etag });
  });
}
