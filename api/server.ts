import { buildRuntime } from './compose/index.js';
import { ConfigError, StartupError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './startup.js';

/**
 * Process entry: parse config, build adapters once, listen, and drain on SIGTERM (Cloud Run gives
 * 10 s). Problems a person can fix (configuration, port, data folder) are one line and exit 1.
 */
async function main(): Promise<void> {
  try {
    const config = loadConfig(process.env);
    const logger = createLogger({ level: config.LOG_LEVEL });
    const server = await startServer(await buildRuntime(config, logger), config);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal}: draining`);
      void server.close().finally(() => process.exit(0));
      // Cloud Run kills the container 10 s after SIGTERM; leave before that with what we have.
      setTimeout(() => process.exit(0), 8000).unref();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

// Not a top-level await: the service is bundled as a CommonJS script (api/scripts/build.ts).
void main();
