import type { RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../../http/types.js';
import { listDeliveries } from '../../services/environments/list-deliveries.js';
import { ctxOf, environmentRoute, noSuchEnvironment } from '../contract.js';
import { DeliveriesQuery, DeliveryListSchema, EnvironmentIdParam } from './schemas.js';

export const route = environmentRoute({
  operationId: 'listEnvironmentDeliveries',
  method: 'get',
  path: '/environments/{id}/deliveries',
  summary: "The environment's notifications, newest event first: target (redacted), event, attempts, next attempt",
  request: { params: EnvironmentIdParam, query: DeliveriesQuery },
  responses: {
    200: { description: 'A page of deliveries', content: { 'application/json': { schema: DeliveryListSchema } } },
    ...noSuchEnvironment,
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const page = await listDeliveries(deps, ctxOf(c), { id: c.req.valid('param').id, ...c.req.valid('query') });
  return c.json({ deliveries: page.items, nextPageToken: page.nextPageToken }, 200);
};
