import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { DELIVERY_ID } from '../../domain/notifications/delivery.js';
import { problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { redeliver } from '../../services/environments/redeliver.js';
import { ctxOf, environmentRoute, noSuchEnvironment } from '../contract.js';
import { DeliveryIdParam, DeliverySchema, EnvironmentIdParam } from './schemas.js';

/** The documented contract: a custom method on the delivery (AIP-136 style `…:redeliver`). */
export const route = environmentRoute({
  operationId: 'redeliver',
  method: 'post',
  path: '/environments/{id}/deliveries/{deliveryId}:redeliver',
  summary: 'Send one delivery again (same body, same webhook-id)',
  description: 'An ended delivery is sent again outside the order of its queue, with a fresh retry schedule; one waiting for its next retry is sent now.',
  request: { params: DeliveryIdParam },
  responses: {
    202: { description: 'Due now; the dispatcher sends it', content: { 'application/json': { schema: DeliverySchema } } },
    ...noSuchEnvironment,
    409: problemResponse('Still queued behind an earlier delivery to the same target, or being sent right now'),
  },
});

const SUFFIX = ':redeliver';

/**
 * What is served: Hono reads `{deliveryId}:redeliver` as one parameter named "deliveryId:redeliver",
 * so the served route matches any last segment ending in `:redeliver` (its pattern holds no `/`:
 * app.ts turns route paths into patterns) and validation checks the id and drops the verb.
 */
export const servedRoute = createRoute({
  ...route,
  hide: true,
  path: '/environments/{id}/deliveries/{deliveryId}{.+:redeliver}',
  request: {
    params: EnvironmentIdParam.extend({
      deliveryId: z.string()
        .refine((v) => v.endsWith(SUFFIX) && DELIVERY_ID.test(v.slice(0, -SUFFIX.length)), 'delivery ids look like dlv-0000000012-t1')
        .transform((v) => v.slice(0, -SUFFIX.length)),
    }),
  },
});

export const handler = (deps: Deps): RouteHandler<typeof servedRoute, AppEnv> => async (c) => {
  const { id, deliveryId } = c.req.valid('param');
  return c.json(await redeliver(deps, ctxOf(c), { id, deliveryId }), 202);
};
