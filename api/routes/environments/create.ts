import type { RouteHandler } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { MAX_BODY_BYTES } from '../../http/limits.js';
import { problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { createEnvironment, previewEnvironment } from '../../services/environments/create.js';
import { etagOf, toView } from '../../services/common/view.js';
import { ctxOf, environmentResponse, environmentRoute, idempotencyKey } from '../contract.js';
import { CreateQuery, EnvironmentSpecInput, ValidateOnlyResultSchema } from './schemas.js';

export const route = environmentRoute({
  operationId: 'createEnvironment',
  method: 'post',
  path: '/environments',
  summary: 'Create an environment',
  description:
    'Validates the spec, records the environment and starts its create operation. Send `Idempotency-Key` to make retries safe. ' +
    'A quota preflight reads the target project first: a shortfall records the environment with its operation FAILED, creates nothing and answers 409 QUOTA_EXCEEDED. ' +
    'With `validateOnly=true`, returns the normalised spec, the plan, the cost estimate and the preflight, and records nothing.',
  request: {
    query: CreateQuery,
    headers: z.object({ 'idempotency-key': idempotencyKey }),
    body: { required: true, content: { 'application/json': { schema: EnvironmentSpecInput } } },
  },
  responses: {
    200: { description: 'validateOnly: the normalised spec, the plan a create would run, its cost estimate and the quota preflight', content: { 'application/json': { schema: ValidateOnlyResultSchema } } },
    202: environmentResponse(
      'Recorded; the create operation is running. Webhook targets carry their signing `secret` here, and nowhere else, ever',
      { operationStarts: true, idempotent: true },
    ),
    409: problemResponse('Name taken in the project, the Idempotency-Key is in flight, or QUOTA_EXCEEDED: the project lacks quota (or the reservation is unusable); the environment is recorded FAILED, nothing was created'),
    413: problemResponse(`Body over ${MAX_BODY_BYTES / 1024} KiB`),
    415: problemResponse('Not application/json'),
    422: problemResponse('Invalid fields (one entry per problem), or the Idempotency-Key was used with another request'),
    503: problemResponse('The workflow could not be started (the environment is recorded as FAILED; retry it)'),
  },
});

// The body is documented above and parsed by the service: it authorizes on the project first.
export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const input = { body: c.get('body') };
  if (c.req.valid('query').validateOnly) return c.json({ kind: 'ValidateOnlyResult' as const, ...(await previewEnvironment(deps, ctxOf(c), input)) }, 200);
  const { record, secrets } = await createEnvironment(deps, ctxOf(c), input);
  const view = toView(record, deps);
  // The generated signing secrets are shown here, once; a replay of this request answers without them.
  c.set('replayBody', view);
  c.header('ETag', etagOf(record));
  c.header('Location', `/environments/${record.id}`);
  const notifications = view.notifications.map((target) => (secrets[target.id] ? { ...target, secret: secrets[target.id] } : target));
  return c.json({ ...view, notifications }, 202);
};
