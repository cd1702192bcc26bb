import type { Deps } from '../../deps.js';
import { requireWorkflowIdentity } from '../../http/auth.js';
import { newRouter, withContractMiddleware } from '../router.js';
import * as deliveries from './deliveries.js';
import * as plan from './plan.js';
import * as reconcile from './reconcile.js';
import * as reports from './reports.js';
import * as saxml from './saxml.js';

/**
 * Workflow → API routes (DESIGN §4), and the scheduler's outbox drain, which calls with the same
 * identity. Only the workflow's identity may call them; they are hidden from the public OpenAPI
 * document but validated like every other route.
 */
export function internalRouter(deps: Deps) {
  const workflowOnly = [requireWorkflowIdentity(deps.internalAuth.authenticator, deps.internalAuth.workflowPrincipal)];
  const internal = <R extends Parameters<typeof withContractMiddleware>[0]>(route: R) => withContractMiddleware(route, deps, workflowOnly);
  return newRouter()
    .openapi(internal(plan.route), plan.handler(deps))
    .openapi(internal(reports.route), reports.handler(deps))
    .openapi(internal(reconcile.route), reconcile.handler(deps))
    .openapi(internal(saxml.applyRoute), saxml.apply(deps))
    .openapi(internal(saxml.statusRoute), saxml.status(deps))
    .openapi(internal(saxml.deleteRoute), saxml.remove(deps))
    .openapi(internal(deliveries.route), deliveries.handler(deps));
}
