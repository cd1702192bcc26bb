import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { commonProblems, problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { retryEnvironment } from '../../services/retry-environment.js';
import { etagOf, toView } from '../../services/view.js';
import { EnvironmentIdParam, EnvironmentSchema } from './schemas.js';

const route = createRoute({
  operationId: 'retryEnvironment',
  method: 'post',
  path: '/environments/{id}/retry',
  tags: ['environments'],
  summary: 'Resume a FAILED environment from its failed steps',
  description: 'Resumes the last operation (create or delete); steps it already completed are skipped.',
  security: [{ bearerAuth: [] }],
  request: { params: EnvironmentIdParam },
  responses: {
    202: { description: 'The retry operation is running', content: { 'application/json': { schema: EnvironmentSchema } } },
    ...commonProblems,
    404: problemResponse('No such environment'),
    409: problemResponse('Not FAILED, or another operation is running'),
    503: problemResponse('The workflow could not be started'),
  },
});

export function registerRetryEnvironment(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(route, async (c) => {
    const record = await retryEnvironment(deps, { id: c.req.valid('param').id, principal: c.get('principal') });
    c.header('ETag', etagOf(record));
    return c.json(toView(record), 202);
  });
}
