import type { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { requireWorkflowIdentity } from '../../http/auth.js';
import type { AppEnv } from '../../http/types.js';
import { registerFetchPlan } from './plan.js';
import { registerReports } from './reports.js';
import { registerSaxml } from './saxml.js';

/**
 * Workflow → API routes (DESIGN §4). Only the workflow's identity may call them; they are not in
 * the public OpenAPI document.
 */
export function registerInternalRoutes(app: Hono<AppEnv>, deps: Deps): void {
  app.use('/internal/*', requireWorkflowIdentity(deps.internalAuth.authenticator, deps.internalAuth.workflowPrincipal));
  registerFetchPlan(app, deps);
  registerReports(app, deps);
  registerSaxml(app);
}
