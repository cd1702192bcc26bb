import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../../http/types.js';
import { runDeliveries } from '../../services/internal/run-deliveries.js';
import { ctxOf } from '../contract.js';

/**
 * Cloud Scheduler → API (infra/scheduler.tf): drains the due notifications. It answers within
 * Cloud Run's 60 s request timeout; what is left is sent by the next call.
 */
export const RUN_BUDGET_MS = 40_000;

export const route = createRoute({
  hide: true,
  method: 'post',
  path: '/internal/deliveries:run',
  responses: {
    200: {
      description: 'What this run did',
      content: {
        'application/json': {
          schema: z.object({ attempted: z.number(), delivered: z.number(), retrying: z.number(), failed: z.number(), deferred: z.number() }),
        },
      },
    },
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) =>
  c.json(await runDeliveries(deps, ctxOf(c), { budgetMs: RUN_BUDGET_MS }), 200);
