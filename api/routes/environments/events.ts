import type { RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import type { AppEnv } from '../../http/types.js';
import { listEvents } from '../../services/environments/list-events.js';
import { ctxOf, environmentRoute, noSuchEnvironment } from '../contract.js';
import { EnvironmentIdParam, EventListSchema, EventsQuery } from './schemas.js';

export const route = environmentRoute({
  operationId: 'listEnvironmentEvents',
  method: 'get',
  path: '/environments/{id}/events',
  summary: "The environment's history, oldest or newest first; `after` for only what is new",
  request: { params: EnvironmentIdParam, query: EventsQuery },
  responses: {
    200: { description: 'A page of events', content: { 'application/json': { schema: EventListSchema } } },
    ...noSuchEnvironment,
  },
});

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const page = await listEvents(deps, ctxOf(c), { id: c.req.valid('param').id, ...c.req.valid('query') });
  return c.json({ events: page.items, nextPageToken: page.nextPageToken }, 200);
};
