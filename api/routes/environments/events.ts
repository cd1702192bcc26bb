import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { commonProblems, problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { listEvents } from '../../services/list-events.js';
import { EnvironmentIdParam, EventListSchema, EventsQuery } from './schemas.js';

const route = createRoute({
  operationId: 'listEnvironmentEvents',
  method: 'get',
  path: '/environments/{id}/events',
  tags: ['environments'],
  summary: "The environment's history, oldest first",
  security: [{ bearerAuth: [] }],
  request: { params: EnvironmentIdParam, query: EventsQuery },
  responses: {
    200: { description: 'A page of events', content: { 'application/json': { schema: EventListSchema } } },
    ...commonProblems,
    404: problemResponse('No such environment'),
  },
});

export function registerListEvents(app: OpenAPIHono<AppEnv>, deps: Deps): void {
  app.openapi(route, async (c) => {
    const page = await listEvents(deps, c.req.valid('param').id, c.req.valid('query'), c.get('principal'));
    return c.json({ events: page.items, nextPageToken: page.nextPageToken }, 200);
  });
}
