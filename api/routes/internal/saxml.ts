import type { Hono } from 'hono';
import { problem } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';

/**
 * The Saxml deployer's routes. Until it is built they answer 501, so a create with saxml enabled
 * fails at that stage and says why — never a fake success (DESIGN §4).
 */
export function registerSaxml(app: Hono<AppEnv>): void {
  const notYet = (what: string) =>
    `the Saxml deployer (${what}) is not implemented yet; create the environment with saxml.enabled=false for now`;
  app.post('/internal/environments/:id/saxml/apply', (c) => problem(c, 'NOT_IMPLEMENTED', notYet('apply')));
  app.get('/internal/environments/:id/saxml/status', (c) => problem(c, 'NOT_IMPLEMENTED', notYet('status')));
  app.post('/internal/environments/:id/saxml/delete', (c) => problem(c, 'NOT_IMPLEMENTED', notYet('delete')));
}
