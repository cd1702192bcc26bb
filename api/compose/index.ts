import type { Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import type { Runtime, RuntimeOptions } from './runtime.js';

export type { Runtime } from './runtime.js';

/**
 * The composition root: builds every adapter for the configured profile, once. Each profile's
 * adapters are imported only when that profile runs — the cloud never loads SQLite, the sandbox
 * or the local engine, and the laptop never loads the Google client libraries.
 */
export async function buildRuntime(
  config: Config,
  logger: Logger = createLogger({ level: config.LOG_LEVEL }),
  /** Test doubles for the edges tests must not touch (a kept sandbox, DNS). */
  options: RuntimeOptions = {},
): Promise<Runtime> {
  if (config.PROFILE === 'local') return (await import('./local.js')).buildLocalRuntime(config, logger, options);
  return (await import('./cloud.js')).buildCloudRuntime(config, logger, options);
}
