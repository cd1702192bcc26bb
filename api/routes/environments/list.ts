import type { RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/errors.js';
import type { AppEnv } from '../../http/types.js';
import { listEnvironments } from '../../services/environments/list.js';
import { toView } from '../../services/shared/view.js';
import { ctxOf, environmentRoute } from '../contract.js';
import { EnvironmentListSchema, ListQuery } from './schemas.js';

export const route = environmentRoute({
  operationId: 'listEnvironments',
  method: 'get',
  path: '/environments',
  summary: 'List environments, newest first',
  request: { query: ListQuery },
  responses: {
    200: { description: 'A page of environments', content: { 'application/json': { schema: EnvironmentListSchema } } },
  },
});

/** `label=k:v` (repeatable) → `{k: v}`. */
export function parseLabels(label: string | string[] | undefined): Record<string, string> | undefined {
  if (label === undefined) return undefined;
  const labels: Record<string, string> = {};
  for (const entry of Array.isArray(label) ? label : [label]) {
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      throw new DomainError('INVALID_ARGUMENT', `label filter "${entry}" must look like key:value`, {
        errors: [{ path: '$.query.label', message: 'must look like key:value' }],
      });
    }
    labels[entry.slice(0, colon)] = entry.slice(colon + 1);
  }
  return labels;
}

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const { label, ...query } = c.req.valid('query');
  const page = await listEnvironments(deps, ctxOf(c), { ...query, labels: parseLabels(label) });
  return c.json({ environments: page.items.map((record) => toView(record, deps)), nextPageToken: page.nextPageToken }, 200);
};
