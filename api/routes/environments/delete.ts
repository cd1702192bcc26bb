import type { RouteHandler } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { deleteEnvironment } from '../../services/environments/delete.js';
import { ctxOf, environmentResponse, environmentRoute, ifMatch, noSuchEnvironment, respondWithEnvironment } from '../contract.js';
import { DeleteQuery, EnvironmentIdParam } from './schemas.js';

export const route = environmentRoute({
  operationId: 'deleteEnvironment',
  method: 'delete',
  path: '/environments/{id}',
  summary: 'Delete an environment (tear everything down in reverse)',
  request: { params: EnvironmentIdParam, query: DeleteQuery, headers: z.object({ 'if-match': ifMatch }) },
  responses: {
    200: environmentResponse('Already DELETED: nothing to do (deleting is idempotent)'),
    202: environmentResponse('The delete operation is running: the one started now, or the one already running (a repeated DELETE, forced or not, never cancels it)', { operationStarts: true }),
    ...noSuchEnvironment,
    409: problemResponse('Another operation (not a delete) is running (use force=true), or deletion protection is on'),
    412: problemResponse('The environment changed since the If-Match ETag'),
    503: problemResponse('Cloud Workflows is unavailable (nothing changed), or the workflow could not be started (the environment is FAILED; retry it)'),
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const { force, deleteBootstrap, purgeData } = c.req.valid('query');
  const { record, started } = await deleteEnvironment(deps, ctxOf(c), {
    id: c.req.valid('param').id, force, deleteBootstrap, purgeData, ifMatch: c.req.valid('header')['if-match'],
  });
  const deleting = started || (record.operation?.state === 'RUNNING' && record.operation.target === 'delete');
  return deleting ? respondWithEnvironment(c, deps, record, 202) : respondWithEnvironment(c, deps, record, 200);
};
