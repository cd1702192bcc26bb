import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { ReportBatchSchema } from '../../domain/reports.js';
import { problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { applyReportBatch } from '../../services/internal/apply-reports.js';
import { ctxOf } from '../contract.js';
import { EnvironmentIdParam } from '../environments/schemas.js';

/** Step and operation progress from the workflow; idempotent by (operation, step, state). */
export const route = createRoute({
  hide: true,
  method: 'post',
  path: '/internal/environments/{id}/reports',
  request: { params: EnvironmentIdParam, body: { required: true, content: { 'application/json': { schema: ReportBatchSchema } } } },
  responses: {
    200: {
      description: 'Recorded. `continue`: the operation goes on (a delete that removes the project\'s bootstrap too): fetch the plan again',
      content: { 'application/json': { schema: z.object({ applied: z.boolean(), continue: z.literal(true).optional() }) } },
    },
    409: problemResponse('Not the running operation (cancelled, superseded or ended): the execution must stop'),
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) =>
  c.json(await applyReportBatch(deps, ctxOf(c), { id: c.req.valid('param').id, batch: c.req.valid('json') }), 200);
