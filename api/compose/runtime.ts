import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { createIdGenerator } from '../domain/ids.js';
import type { Logger } from '../http/logger.js';
import type { LocalWorkflowEngine } from '../engine/local/index.js';

export interface Runtime {
  deps: Deps;
  /** Set once the server listens, so the workflow learns where to call back. */
  setBoundPort(port: number): void;
  /** Local profile: the in-process engine behind `deps.engine` (tests await executions on it). */
  localEngine?: () => Promise<LocalWorkflowEngine>;
  close(): Promise<void>;
}

/** What both profiles share: clock, ids, logger, and where the workflow reaches this service. */
export function commonDeps(config: Config, logger: Logger) {
  let apiBase = config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://127.0.0.1:${config.PORT}`;
  const setBoundPort = (port: number) => {
    if (!config.PUBLIC_URL) apiBase = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  };
  return {
    setBoundPort,
    deps: {
      logger,
      now: () => new Date(),
      newId: createIdGenerator(),
      apiBase: () => apiBase,
      idempotencyTtlMs: config.IDEMPOTENCY_TTL_HOURS * 3600_000,
    },
  };
}
