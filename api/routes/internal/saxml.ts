import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import { problem } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { EnvironmentIdParam } from '../environments/schemas.js';

/**
 * The Saxml deployer's routes. Until it is built, `apply` answers 501, so a create with saxml
 * enabled fails at that stage and says why — never a fake success (DESIGN §4). Teardown must still
 * work for such environments: since nothing can have been deployed, `delete` succeeds and `status`
 * reports DELETED, which is the truth.
 */
const SaxmlStatus = z.object({ state: z.enum(['DEPLOYING', 'READY', 'FAILED', 'DELETING', 'DELETED']), message: z.string() });
const nothingDeployed = { state: 'DELETED', message: 'nothing is deployed: the Saxml deployer is not implemented yet' } as const;
const path = (verb: string) => `/internal/environments/{id}/saxml/${verb}` as const;

export const applyRoute = createRoute({
  hide: true, method: 'post', path: path('apply'), request: { params: EnvironmentIdParam },
  responses: { 501: { description: 'Not implemented yet' } },
});
export const statusRoute = createRoute({
  hide: true, method: 'get', path: path('status'), request: { params: EnvironmentIdParam },
  responses: { 200: { description: 'Deployer state', content: { 'application/json': { schema: SaxmlStatus } } } },
});
export const deleteRoute = createRoute({
  hide: true, method: 'post', path: path('delete'), request: { params: EnvironmentIdParam },
  responses: { 202: { description: 'Teardown started', content: { 'application/json': { schema: SaxmlStatus } } } },
});

export const apply: RouteHandler<typeof applyRoute, AppEnv> = (c) =>
  problem(c, 'NOT_IMPLEMENTED', 'the Saxml deployer is not implemented yet; create the environment with saxml.enabled=false for now');
export const status: RouteHandler<typeof statusRoute, AppEnv> = (c) => c.json(nothingDeployed, 200);
export const remove: RouteHandler<typeof deleteRoute, AppEnv> = (c) => c.json(nothingDeployed, 202);
