import type { Deps } from '../deps.js';
import type { Principal } from '../domain/access.js';
import type { Logger } from '../logger.js';
import { fromPortError } from './common/port-errors.js';

/**
 * What every verb knows about the request it serves: who asks, and where its log lines go (the
 * logger already carries the request id and trace, so whatever a service logs joins the request
 * the user can quote). Work that no request asked for (reconciliation) runs as a system principal.
 */
export interface ServiceContext {
  principal: Principal;
  logger: Logger;
  requestId?: string;
}

export const systemContext = (logger: Logger, task: string): ServiceContext =>
  ({ principal: { id: `system:${task}` }, logger: logger.child({ task }) });

export type Verb<I, O> = (deps: Deps, ctx: ServiceContext, input: I) => Promise<O>;

/**
 * Declares a verb (the contract is in README.md). The wrapper is the one place where failures of
 * the ports — store and engine — become domain errors, so no verb can leak an adapter's error, and
 * no route or HTTP module needs to know the ports' error classes.
 */
export function verb<I, O>(body: Verb<I, O>): Verb<I, O> {
  return async (deps, ctx, input) => {
    try {
      return await body(deps, ctx, input);
    } catch (error) {
      throw fromPortError(error, ctx);
    }
  };
}
