import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { buildRuntime, type Runtime } from '../../api/compose/index.js';
import { loadConfig } from '../../api/config.js';
import type { EnvironmentRecord } from '../../api/domain/environment.js';
import type { LocalWorkflowEngine } from '../../api/engine/local/index.js';
import type { Sandbox } from '../../api/sandbox/index.js';
import { createLogger } from '../../api/logger.js';
import { startServer, type RunningServer } from '../../api/startup.js';
import type { EnvironmentStore } from '../../api/store/port.js';
import type { InventoryItem } from '../../api/sandbox/inventory.js';
import { tableResolver } from './app.js';
import { jsonOf } from './bodies.js';
import { dataOf, serverClient } from './client.js';

/**
 * The whole local profile as `npm start` builds and serves it (`startServer`, start-up reconcile
 * included) — SQLite store, the in-process engine running the real workflow YAML, the sandbox
 * cloud — on 127.0.0.1 with a tiny time scale.
 * `waitFor` resolves when a store write makes a condition true (no sleeping, no polling loops).
 */
export interface LocalWorld {
  baseUrl: string;
  runtime: Runtime;
  server: RunningServer;
  sandbox: Sandbox;
  engine: LocalWorkflowEngine;
  logs: string[];
  request(path: string, init?: RequestInit): Promise<Response>;
  waitFor(id: string, condition: (record: EnvironmentRecord) => boolean): Promise<EnvironmentRecord>;
  /** Waits for the current operation's execution to end, then returns the environment. */
  settle(id: string): Promise<EnvironmentRecord>;
  stop(): Promise<void>;
}

export const E2E_TIME_SCALE = 0.002;

export interface LocalWorldOptions {
  dataDir?: string;
  sandbox?: Sandbox;
  timeScale?: number;
  /** Drain the outbox on a timer (seconds); by default only `server.deliverNow()` does. */
  deliveryIntervalSeconds?: number;
  /** Environment variables beside the ones the world sets (e.g. NOTIFY_DEFAULT_TARGETS). */
  env?: Record<string, string>;
  /** The service's clock (expiry, cost so far); the sandbox and the engine keep real (scaled) time. */
  now?: () => Date;
}

export async function startLocalWorld(options: LocalWorldOptions = {}): Promise<LocalWorld> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'saxml-e2e-'));
  const config = loadConfig({
    PROFILE: 'local', PORT: '0', DATA_DIR: dataDir, SANDBOX_TIME_SCALE: String(options.timeScale ?? E2E_TIME_SCALE), RECONCILE_INTERVAL_SECONDS: '0',
    DELIVERY_INTERVAL_SECONDS: String(options.deliveryIntervalSeconds ?? 0), ...options.env,
  });
  const logs: string[] = [];
  // DNS from an empty table: the local world's targets are loopback addresses, nothing is looked up.
  const runtime = await buildRuntime(config, createLogger({ level: 'info', sink: (l) => logs.push(l) }), {
    sandbox: options.sandbox, resolver: tableResolver(), slackIntervalMs: 0,
  });
  if (options.now) runtime.deps.now = options.now;
  const waiters = new Set<{ id: string; check: (r: EnvironmentRecord) => boolean; resolve: (r: EnvironmentRecord) => void }>();
  const store: EnvironmentStore = runtime.deps.store;
  const update = store.update.bind(store);
  store.update = async (id, mutate, opts) => {
    const result = await update(id, mutate, opts);
    for (const w of waiters) if (w.id === id && w.check(result.record)) { waiters.delete(w); w.resolve(result.record); }
    return result;
  };
  const server = await startServer(runtime, config);
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const engine = await runtime.localEngine!();
  const world: LocalWorld = {
    baseUrl,
    runtime,
    server,
    sandbox: await runtime.sandbox!(),
    engine,
    logs,
    request: (path, init) => fetch(`${baseUrl}${path}`, init),
    async waitFor(id, condition) {
      const current = await store.get(id);
      if (current && condition(current)) return current;
      return new Promise((resolve) => waiters.add({ id, check: condition, resolve }));
    },
    async settle(id) {
      const record = await store.get(id);
      const execution = record?.operation?.executionName;
      if (execution) await engine.waitFor(execution);
      return (await store.get(id))!;
    },
    async stop() {
      // As a crash would: running executions just stop with the runtime.
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

/**
 * `world(options)` starts a local world that is stopped after the test that started it (registers
 * the `afterEach` of the calling test file).
 */
export function worldPerTest(): (options?: LocalWorldOptions) => Promise<LocalWorld> {
  const worlds: LocalWorld[] = [];
  afterEach(async () => {
    await Promise.all(worlds.splice(0).map((w) => w.stop()));
  });
  return async (options) => {
    const w = await startLocalWorld(options);
    worlds.push(w);
    return w;
  };
}

/** Every resource the sandbox cloud holds, as `GET /_sandbox/inventory` lists them. */
export async function sandboxInventory(w: Pick<LocalWorld, 'request'>): Promise<InventoryItem[]> {
  return (await jsonOf<{ resources: InventoryItem[] }>(await w.request('/_sandbox/inventory'))).resources;
}

/** The environments' resources as `type name` (the service's own accounts live in `local-sandbox`). */
export async function environmentResources(w: Pick<LocalWorld, 'request'>): Promise<string[]> {
  return (await sandboxInventory(w)).filter((r) => r.project !== 'local-sandbox').map((r) => `${r.type} ${r.name}`);
}

/** Every event of the environment, oldest first, read page by page through the public API. */
export async function allEvents(w: Pick<LocalWorld, 'baseUrl'>, id: string) {
  const api = serverClient(w.baseUrl);
  const out = [];
  let pageToken: string | undefined;
  do {
    const page = dataOf(await api.GET('/environments/{id}/events', { params: { path: { id }, query: { pageSize: 100, ...(pageToken && { pageToken }) } } }), 200);
    out.push(...page.events);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}
