import { createRoute, z, type RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import { DeployerStatusSchema } from '../../domain/saxml/status.js';
import type { AppEnv } from '../../http/types.js';
import { applySaxml } from '../../services/saxml/apply.js';
import { deleteSaxml } from '../../services/saxml/delete.js';
import { saxmlStatus } from '../../services/saxml/status.js';
import { ctxOf } from '../contract.js';
import { EnvironmentIdParam, OperationIdSchema } from '../environments/schemas.js';

/**
 * The Saxml deployer's routes, called by the workflow's `api` steps (plan/saxml.ts): apply the
 * cell, read its status, and move its teardown on. Each answers the deployer's status.
 */
const path = (verb: string) => `/internal/environments/{id}/saxml/${verb}` as const;
/** The calling execution's operation: the deployer acts only for the environment's running one. */
const request = { params: EnvironmentIdParam, query: z.object({ operationId: OperationIdSchema }) };
const answer = (description: string) => ({ 200: { description, content: { 'application/json': { schema: DeployerStatusSchema } } } });

export const applyRoute = createRoute({
  hide: true, method: 'post', path: path('apply'), request,
  responses: answer('Applied (idempotent); the status of the cell'),
});
export const statusRoute = createRoute({
  hide: true, method: 'get', path: path('status'), request,
  responses: answer('The status of the cell'),
});
export const deleteRoute = createRoute({
  hide: true, method: 'post', path: path('delete'), request,
  responses: answer('One round of the teardown done; its status (DELETING until DELETED)'),
});

/** The verbs' input: which environment, for which operation. */
type Validated = Context<AppEnv, string, { out: { param: { id: string }; query: { operationId: string } } }>;
const inputOf = (c: Validated) => ({ id: c.req.valid('param').id, operationId: c.req.valid('query').operationId });

export const apply = (deps: Deps): RouteHandler<typeof applyRoute, AppEnv> => async (c) =>
  c.json(await applySaxml(deps, ctxOf(c), inputOf(c)), 200);
export const status = (deps: Deps): RouteHandler<typeof statusRoute, AppEnv> => async (c) =>
  c.json(await saxmlStatus(deps, ctxOf(c), inputOf(c)), 200);
export const remove = (deps: Deps): RouteHandler<typeof deleteRoute, AppEnv> => async (c) =>
  c.json(await deleteSaxml(deps, ctxOf(c), inputOf(c)), 200);
