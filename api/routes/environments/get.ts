import { z, type RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { jsonResponse } from '../../http/responses.js';
import type { AppEnv } from '../../http/types.js';
import { getEnvironment } from '../../services/environments/get.js';
import { etagOf } from '../../services/common/view.js';
import { ctxOf, environmentResponse, environmentRoute, ifNoneMatch, noSuchEnvironment, notModified } from '../contract.js';
import { EnvironmentIdParam } from './schemas.js';

export const route = environmentRoute({
  operationId: 'getEnvironment',
  method: 'get',
  path: '/environments/{id}',
  summary: 'Get an environment with its stage progress',
  request: { params: EnvironmentIdParam, headers: z.object({ 'if-none-match': ifNoneMatch }) },
  responses: {
    200: environmentResponse('The environment'),
    304: notModified,
    ...noSuchEnvironment,
  },
});

/**
 * The hottest route (clients poll it): the view's JSON comes from the read cache and is written
 * with plain headers. The compiler cannot check this body against the schema; a test does.
 */
export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const record = await getEnvironment(deps, ctxOf(c), { id: c.req.valid('param').id });
  const etag = etagOf(record);
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, { ETag: etag });
  return jsonResponse(c, 200, deps.readCache.viewJson(record, deps), { ETag: etag });
};
