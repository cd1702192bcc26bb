import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp } from './app.js';
import type { Runtime } from './compose/runtime.js';
import { StartupError, type Config } from './config.js';
import type { DispatchSummary } from './notify/dispatcher.js';
import { systemContext } from './services/context.js';
import { expireDue } from './services/internal/expire.js';
import { reconcileAll } from './services/internal/reconcile.js';
import { runDeliveries } from './services/internal/run-deliveries.js';

export interface RunningServer {
  port: number;
  /**
   * Settle running operations with the engine, then run the expiry sweep, now (the timer does both
   * every RECONCILE_INTERVAL_SECONDS).
   */
  reconcileNow(): Promise<void>;
  /**
   * Send what is due in the outbox now, after any run under way (the timer does it every
   * DELIVERY_INTERVAL_SECONDS); resolves when this run has nothing more it may send.
   */
  deliverNow(): Promise<DispatchSummary>;
  /** Stops accepting requests and background work, drains, then closes the runtime (engine, store). */
  close(): Promise<void>;
}

/** One local run of the dispatcher sends for at most this long; the next tick continues. */
const DELIVERY_BUDGET_MS = 30_000;

/**
 * Serves the runtime's app: listens, tells the runtime where it is reachable, and reconciles
 * operations whose execution ended unseen — at start (the local engine forgets its executions when
 * the process stops: those become INTERRUPTED) and then periodically. Beside it, a timer drains
 * the notification outbox (in the cloud, Cloud Scheduler calls POST /internal/deliveries:run
 * instead). Used by `server.ts` and by the end-to-end tests, so what runs in the tests is what
 * runs in production.
 */
export async function startServer(
  runtime: Runtime,
  config: Pick<Config, 'PORT' | 'HOST' | 'RECONCILE_INTERVAL_SECONDS' | 'DELIVERY_INTERVAL_SECONDS'>,
): Promise<RunningServer> {
  const { deps } = runtime;
  const app = createApp(deps, { mounts: runtime.mounts });
  const ctx = systemContext(deps.logger, 'reconcile');
  const reconcileNow = () => reconcileAll(deps, ctx, undefined).then(() => expireDue(deps, ctx, undefined)).then(
    () => undefined,
    (error: unknown) => ctx.logger.error('reconcile failed', { error: String(error) }),
  );
  const deliveryCtx = systemContext(deps.logger, 'deliveries');
  const stopping = new AbortController();
  const idle: DispatchSummary = { attempted: 0, delivered: 0, retrying: 0, failed: 0, deferred: 0 };
  // Runs are serial: one at a time in this process (other processes are kept apart by claims).
  let deliveries: Promise<DispatchSummary> = Promise.resolve(idle);
  let delivering = false;
  const deliverNow = () => {
    deliveries = deliveries.then(async () => {
      delivering = true;
      try {
        return await runDeliveries(deps, deliveryCtx, { budgetMs: DELIVERY_BUDGET_MS, signal: stopping.signal });
      } catch (error) {
        deliveryCtx.logger.error('delivery run failed', { error: String(error) });
        return idle;
      } finally {
        delivering = false;
      }
    });
    return deliveries;
  };
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
  // Milliseconds since the process started (performance's time origin): what a cold start costs,
  // in production's own logs (README › Benchmarks explains where it goes).
  deps.logger.info(`listening on http://${config.HOST}:${port}`, { port, startupMs: Math.round(performance.now()) });
  const timer = config.RECONCILE_INTERVAL_SECONDS > 0 ? setInterval(() => void reconcileNow(), config.RECONCILE_INTERVAL_SECONDS * 1000) : undefined;
  timer?.unref();
  void reconcileNow();
  const deliveryTimer = config.DELIVERY_INTERVAL_SECONDS > 0
    ? setInterval(() => { if (!delivering) void deliverNow(); }, config.DELIVERY_INTERVAL_SECONDS * 1000)
    : undefined;
  deliveryTimer?.unref();
  return {
    port,
    reconcileNow,
    deliverNow,
    async close() {
      clearInterval(timer);
      clearInterval(deliveryTimer);
      // Delivery attempts under way finish and are recorded; nothing new is claimed. What is left
      // stays in the outbox for the next start.
      stopping.abort();
      // Stop accepting, end the event streams (they would never end by themselves), stop our own
      // background work, let in-flight requests finish (idle keep-alive connections are closed so
      // this does not wait on them), then release the adapters.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      deps.changes.close();
      await runtime.stopBackgroundWork?.();
      (server as Server).closeIdleConnections?.();
      await Promise.all([drained, deliveries]);
      await runtime.close();
    },
  };
}
