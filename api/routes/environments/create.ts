import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { commonProblems, problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { createEnvironment, normaliseSpec, createPlan } from '../../services/create-environment.js';
import { etagOf, toView } from '../../services/view.js';
import { CreateQuery, EnvironmentSchema, EnvironmentSpecBody, ValidateOnlyResultSchema } from './schemas.js';

const route = createRoute({
  operationId: 'createEnvironment',
  method: 'post',
  path: '/environments',
  tags: ['environments'],
  summary: 'Create an environment',
  description:
    'Validates the spec, records the environment and starts its create operation. Send `Idempotency-Key` to make retries safe. ' +
    'With `validateOnly=true`, returns the normalised spec and the plan, and records nothing.',
  security: [{ bearerAuth: [] }],
  request: {
    query: CreateQuery,
    body: { required: true, content: { 'application/json': { schema: EnvironmentSpecBody } } },
  },
  responses: {
    200: { description: 'validateOnly: the normalised spec and the plan a create would run', content: { 'application/json': { schema: ValidateOnlyResultSchema } } },
    202: { description: 'Recorded; the create operation is running', content: { 'application/json': { schema: EnvironmentSchema } } },
    ...commonProblems,
    409: problemResponse('Name taken in the project, or the Idempotency-Key is in flight'),
    413: problemResponse('Body over 64 KiB'),
    415: problemResponse('Not application/json'),
    503: problemResponse('The workflow could not be started (the environment is recorded as FAILED; retry it)'),
  },
});

export function registerCreateEnvironment(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(route, async (c) => {
    const spec = c.req.valid('json');
    if (c.req.valid('query').validateOnly) {
      deps.auth.policy.assertProject(c.get('principal'), spec.project);
      const normalised = normaliseSpec(spec);
      return c.json({ spec: normalised, plan: createPlan(deps, normalised) }, 200);
    }
    const record = await createEnvironment(deps, { spec, principal: c.get('principal') });
    c.header('Location', `/environments/${record.id}`);
    c.header('ETag', etagOf(record));
    return c.json(toView(record), 202);
  });
}
