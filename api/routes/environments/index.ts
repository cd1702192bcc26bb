import type { Deps } from '../../deps.js';
import { newRouter, servedWithout, withContractMiddleware } from '../router.js';
import * as cancel from './cancel.js';
import * as create from './create.js';
import * as del from './delete.js';
import * as deliveries from './deliveries.js';
import * as events from './events.js';
import * as get from './get.js';
import * as list from './list.js';
import * as plan from './plan.js';
import * as redeliver from './redeliver.js';
import * as retry from './retry.js';
import * as update from './update.js';
import * as watchEvents from './watch-events.js';

/** The public environment routes, one file each: contract (`route`) and handler. */
export function environmentsRouter(deps: Deps) {
  const router = newRouter();
  // Documented in full; served without the part their handlers read themselves (see servedWithout).
  router.openAPIRegistry.registerPath(create.route);
  router.openAPIRegistry.registerPath(get.route);
  router.openAPIRegistry.registerPath(update.route);
  // Redeliver is documented with its custom-method path and served under a pattern Hono can route.
  router.openAPIRegistry.registerPath(redeliver.route);
  return router
    .openapi({ ...servedWithout(withContractMiddleware(create.route, deps), 'body'), hide: true }, create.handler(deps))
    .openapi({ ...servedWithout(withContractMiddleware(get.route, deps), 'headers'), hide: true }, get.handler(deps))
    .openapi(withContractMiddleware(list.route, deps), list.handler(deps))
    .openapi({ ...servedWithout(withContractMiddleware(update.route, deps), 'body'), hide: true }, update.handler(deps))
    .openapi(withContractMiddleware(del.route, deps), del.handler(deps))
    .openapi(withContractMiddleware(events.route, deps), events.handler(deps))
    .openapi(withContractMiddleware(watchEvents.route, deps), watchEvents.handler(deps))
    .openapi(withContractMiddleware(plan.route, deps), plan.handler(deps))
    .openapi(withContractMiddleware(retry.route, deps), retry.handler(deps))
    .openapi(withContractMiddleware(cancel.route, deps), cancel.handler(deps))
    .openapi(withContractMiddleware(deliveries.route, deps), deliveries.handler(deps))
    .openapi(withContractMiddleware(redeliver.servedRoute, deps), redeliver.handler(deps));
}
