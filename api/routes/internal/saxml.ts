import type { Hono } from 'hono';
import { problem } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';

/**
 * The Saxml deployer's routes. Until it is built, `apply` answers 501, so a create with saxml
 * enabled fails at that stage and says why — never a fake success (DESIGN §4). Teardown must still
 * work for such environments: since nothing can have been deployed, `delete` succeeds and `status`
 * reports DELETED, which is the truth.
 */
export function registerSaxml(app: Hono<AppEnv>): void {
  const nothingDeployed = 'nothing is deployed: the Saxml deployer is not implemented yet';
  app.post('/internal/environments/:id/saxml/apply', (c) =>
    problem(c, 'NOT_IMPLEMENTED', 'the Saxml deployer is not implemented yet; create the environment with saxml.enabled=false for now'));
  app.get('/internal/environments/:id/saxml/status', (c) => c.json({ state: 'DELETED', message: nothingDeployed }));
  app.post('/internal/environments/:id/saxml/delete', (c) => c.json({ state: 'DELETED', message: nothingDeployed }, 202));
}
