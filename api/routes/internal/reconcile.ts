import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../../http/types.js';
import { expireDue } from '../../services/internal/expire.js';
import { reconcileAll } from '../../services/internal/reconcile.js';
import { ctxOf } from '../contract.js';

/**
 * What the periodic timer does, on demand: Cloud Scheduler calls it (infra/scheduler.tf) because a
 * Cloud Run instance scaled to zero runs no timer. Settles operations, then runs the expiry sweep.
 */
export const route = createRoute({
  hide: true,
  method: 'post',
  path: '/internal/reconcile',
  responses: {
    200: {
      description: 'Done',
      content: { 'application/json': { schema: z.object({ settled: z.number(), notices: z.number(), deletes: z.number() }) } },
    },
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const settled = await reconcileAll(deps, ctxOf(c), undefined);
  return c.json({ settled, ...(await expireDue(deps, ctxOf(c), undefined)) }, 200);
};
