import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { Runtime } from './compose/runtime.js';
import { StartupError, type Config } from './config.js';
import { systemContext } from './services/context.js';
import { expireDue } from './services/internal/expire.js';
import { reconcileAll } from './services/internal/reconcile.js';

export interface RunningServer {
  port: number;
  /**
   * Settle running operations with the engine, then run the expiry sweep, now (the timer does both
   * every RECONCILE_INTERVAL_SECONDS).
   */
  reconcileNow(): Promise<void>;
  /** Stops accepting requests and background work, drains, then closes the runtime (engine, store). */
  close(): Promise<void>;
}

/**
 * Serves the runtime's app: listens, tells the runtime where it is reachable, and reconciles
 * operations whose execution ended unseen — at start (the local engine forgets its executions when
 * the process stops: those become INTERRUPTED) and then periodically. Used by `server.ts` and by
 * the end-to-end tests, so what runs in the tests is what runs in production.
 */
export async function startServer(runtime: Runtime, config: Pick<Config, 'PORT' | 'HOST' | 'RECONCILE_INTERVAL_SECONDS'>): Promise<RunningServer> {
  const { deps } = runtime;
  const app = createApp(deps, { mounts: runtime.mounts });
  const ctx = systemContext(deps.logger, 'reconcile');
  const reconcileNow = () => reconcileAll(deps, ctx, undefined).then(() => expireDue(deps, ctx, undefined)).then(
    () => undefined,
    (error: unknown) => ctx.logger.error('reconcile failed', { error: String(error) }),
  );
  let server!: ServerType;
  const port = await new Promise<number>((resolve, reject) => {
    server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => resolve(info.port));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new StartupError(`port ${config.PORT} on ${config.HOST} is already in use: stop the other process or set PORT`)
        : error.code === 'EACCES' ? new StartupError(`not allowed to listen on ${config.HOST}:${config.PORT}: choose a port above 1023 or set HOST`)
        : error);
    });
  });
  runtime.setBoundPort(port);
  deps.logger.info(`listening on http://${config.HOST}:${port}`, { port });
  const timer = config.RECONCILE_INTERVAL_SECONDS > 0 ? setInterval(() => void reconcileNow(), config.RECONCILE_INTERVAL_SECONDS * 1000) : undefined;
  timer?.unref();
  void reconcileNow();
  return {
    port,
    reconcileNow,
    async close() {
      clearInterval(timer);
      // Stop accepting, stop our own background work, let in-flight requests finish (idle
      // keep-alive connections are closed so this does not wait on them), then release the adapters.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.stopBackgroundWork?.();
      (server as Server).closeIdleConnections?.();
      await drained;
      await runtime.close();
    },
  };
}
