import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { PROJECT_ID } from '../../domain/spec.js';
import { commonProblems, problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { removeProjectBootstrap } from '../../services/projects/remove-bootstrap.js';
import { BEARER_AUTH, ctxOf, environmentResponse, respondWithEnvironment } from '../contract.js';

export const route = createRoute({
  operationId: 'removeProjectBootstrap',
  method: 'delete',
  path: '/projects/{project}/bootstrap',
  tags: ['projects'],
  security: BEARER_AUTH,
  summary: 'Remove a project\'s bootstrap resources once no environment uses them',
  description:
    'Removes what the environments of a project share — the automation service account and its roles, the automation bucket, ' +
    'the Pub/Sub agent\'s grants — when no live environment of the project is left (a delete with `deleteBootstrap=true` does ' +
    'this by itself when it is the last). The removal runs as an operation of the project\'s newest DELETED environment, which ' +
    'is answered: watch it like any operation. Creates in the project are refused while it runs.',
  request: { params: z.object({ project: z.string().regex(PROJECT_ID, 'must be a Google Cloud project id').openapi({ param: { name: 'project', in: 'path' }, example: 'my-project-1' }) }) },
  responses: {
    ...commonProblems,
    200: environmentResponse('Nothing to do: the bootstrap was removed already'),
    202: environmentResponse('The removal runs (started now, or already running)', { operationStarts: true }),
    404: problemResponse('No environment of the project was ever recorded: this service made no bootstrap there'),
    409: problemResponse('Live environments still use the bootstrap (named in the problem)'),
    503: problemResponse('Cloud Workflows is unavailable'),
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const { record, started } = await removeProjectBootstrap(deps, ctxOf(c), { project: c.req.valid('param').project });
  return started || record.operation?.state === 'RUNNING' ? respondWithEnvironment(c, deps, record, 202) : respondWithEnvironment(c, deps, record, 200);
};
