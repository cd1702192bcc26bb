import type { Deps } from '../../deps.js';
import { newRouter, withContractMiddleware } from '../router.js';
import * as removeBootstrap from './remove-bootstrap.js';

/** What belongs to a project rather than to one environment: its shared bootstrap. */
export function projectsRouter(deps: Deps) {
  return newRouter().openapi(withContractMiddleware(removeBootstrap.route, deps), removeBootstrap.handler(deps));
}
