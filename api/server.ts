import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { buildRuntime } from './compose/index.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './http/logger.js';
import { reconcileAll } from './services/reconcile.js';
import { StoreInUseError } from './store/port.js';

/**
 * Process entry: parse config (exit 1 with one line per problem), build adapters once, listen,
 * and drain on SIGTERM (Cloud Run gives 10 s).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  let runtime;
  try {
    runtime = await buildRuntime(config, logger);
  } catch (error) {
    // Expected at start-up and fully explained by its message: one line, exit 1, like a bad config.
    if (error instanceof StoreInUseError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = createApp(runtime.deps);
  // Settle operations whose execution ended unseen — at start (the local engine forgets its
  // executions when the process stops: those become INTERRUPTED) and then periodically.
  const reconcileNow = () => void reconcileAll(runtime.deps).catch((error) => logger.error('reconcile failed', { error: String(error) }));
  const reconcileTimer = config.RECONCILE_INTERVAL_SECONDS > 0 ? setInterval(reconcileNow, config.RECONCILE_INTERVAL_SECONDS * 1000) : undefined;
  reconcileTimer?.unref();
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    runtime.setBoundPort(info.port);
    logger.info(`listening on http://${config.HOST}:${info.port}`, { profile: config.PROFILE, port: info.port });
    reconcileNow();
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: draining`);
    clearInterval(reconcileTimer);
    server.close(() => {
      void runtime.close().finally(() => process.exit(0));
    });
    // Cloud Run kills the container 10 s after SIGTERM; leave before that with what we have.
    setTimeout(() => process.exit(0), 8000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
