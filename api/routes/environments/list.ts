import type { RouteHandler } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/errors.js';
import { LABEL_KEY, LABEL_VALUE } from '../../domain/spec.js';
import type { AppEnv } from '../../http/types.js';
import { listEnvironments } from '../../services/environments/list.js';
import { toView } from '../../services/common/view.js';
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

/**
 * At most this many `label` filters: more filters than that describe no real query, and each one
 * costs the store work (on Firestore all but the first are matched while scanning).
 */
export const MAX_LABEL_FILTERS = 16;

const badLabel = (message: string) => new DomainError('INVALID_ARGUMENT', message, { errors: [{ path: '$.query.label', message }] });

/**
 * `label=k:v` (repeatable) → `{k: v}`. Keys and values follow the labels' own rules, so a filter
 * that could never match (or would be dropped, like `__proto__`) is refused, not silently ignored.
 */
export function parseLabels(label: string | string[] | undefined): Record<string, string> | undefined {
  if (label === undefined) return undefined;
  const entries = Array.isArray(label) ? label : [label];
  if (entries.length > MAX_LABEL_FILTERS) throw badLabel(`at most ${MAX_LABEL_FILTERS} label filters, not ${entries.length}`);
  const labels = new Map<string, string>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw badLabel(`label filter "${entry}" must look like key:value`);
    const [key, value] = [entry.slice(0, colon), entry.slice(colon + 1)];
    if (!LABEL_KEY.test(key)) throw badLabel(`label filter key "${key}" is not a label key: lowercase letter first, then lowercase letters, digits, _ or -`);
    if (!LABEL_VALUE.test(value)) throw badLabel(`label filter value "${value}" is not a label value: lowercase letters, digits, _ or -`);
    if (labels.has(key) && labels.get(key) !== value) throw badLabel(`label ${key} is filtered on twice, with different values`);
    labels.set(key, value);
  }
  return Object.fromEntries(labels);
}

export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const { label, ...query } = c.req.valid('query');
  const page = await listEnvironments(deps, ctxOf(c), { ...query, labels: parseLabels(label) });
  return c.json({ environments: page.items.map((record) => toView(record, deps)), nextPageToken: page.nextPageToken }, 200);
};
