import type { Principal } from './auth.js';
import type { Logger } from './logger.js';

/** Per-request variables set by middleware and read by handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    principal: Principal;
  };
}
