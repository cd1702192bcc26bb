import type { Principal } from '../domain/access.js';
import type { Logger } from '../logger.js';

/** Per-request variables set by middleware and read by handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /** Set by the authentication middleware (absent on public service routes such as /healthz). */
    principal: Principal;
    /** The parsed JSON body, for routes whose service parses it (jsonBody middleware). */
    body: unknown;
    /** A response that already carries the request id header (see responses.ts). */
    stampedResponse: Response;
    /**
     * What an Idempotency-Key replay answers instead of the response body, when that body holds
     * something shown once (a webhook's generated signing secret), which is never stored in clear.
     */
    replayBody: unknown;
  };
}
