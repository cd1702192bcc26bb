import { readFileSync } from 'node:fs';
import type { Mount } from '../app.js';
import { StartupError, type Config } from '../config.js';
import { defaultPrices, PriceTableSchema, type PriceTable } from '../domain/cost/prices.js';
import { durationMs } from '../domain/expiry.js';
import type { Deps } from '../deps.js';
import { createIdGenerator } from '../domain/ids.js';
import type { LocalWorkflowEngine } from '../engine/local/index.js';
import type { Clusters } from '../kubernetes/port.js';
import type { Logger } from '../logger.js';
import { createNotifier } from '../notify/notifier.js';
import type { Notifier } from '../notify/port.js';
import { SecretBox } from '../notify/secret-box.js';
import type { Resolver } from '../notify/url-safety.js';
import type { Sandbox } from '../sandbox/index.js';
import { ChangeFeed } from '../services/common/change-feed.js';
import { ReadCache } from '../services/common/read-cache.js';

/** What tests may put in place of the real thing (never set by the service itself). */
export interface RuntimeOptions {
  /** Keep one simulated cloud across a simulated restart of the process. */
  sandbox?: Sandbox;
  /** Answer DNS from a table: tests never look up a public name. */
  resolver?: Resolver;
  /** Pace Slack webhooks faster than Slack's one message a second. */
  slackIntervalMs?: number;
}

export interface Runtime {
  deps: Deps;
  /** Served beside the API (the local profile's sandbox cloud). */
  mounts?: Mount[];
  /** Set once the server listens, so the workflow learns where to call back. */
  setBoundPort(port: number): void;
  /** Local profile: the in-process engine behind `deps.engine` (tests await executions on it). */
  localEngine?: () => Promise<LocalWorkflowEngine>;
  /** Local profile: the sandbox cloud behind the mount (tests read its inventory). */
  sandbox?: () => Promise<Sandbox>;
  /**
   * Stops what the process runs by itself (the local engine's executions, which call this very
   * server): called before the listener drains, or draining would wait for them.
   */
  stopBackgroundWork?(): Promise<void>;
  /** Releases the adapters (store, engine), once no request is in flight. */
  close(): Promise<void>;
}

/** How long an event stream stays silent before it sends a heartbeat (proxies close idle connections). */
const HEARTBEAT_MS = 15_000;
/**
 * The notifier over the service's key. The default targets' URLs are checked for form at start
 * (DNS is checked at every send); a bad one stops the service with one line that names its
 * position, not the URL. The URL rules are loaded only when there are defaults to check (the
 * notifier loads them itself on first use).
 */
export async function buildNotifier(config: Config, key: Buffer, apiBase: () => string, options: RuntimeOptions): Promise<Notifier> {
  const policy = { allowLoopback: config.PROFILE === 'local' };
  const defaults = config.NOTIFY_DEFAULT_TARGETS ?? [];
  if (defaults.length) {
    const { checkUrlForm, UnsafeUrlError } = await import('../notify/url-safety.js');
    defaults.forEach((target, i) => {
      try {
        checkUrlForm(target.url, target.type, policy);
      } catch (error) {
        if (error instanceof UnsafeUrlError) throw new StartupError(`NOTIFY_DEFAULT_TARGETS[${i}].url ${error.reason}`);
        throw error;
      }
    });
  }
  return createNotifier({
    box: new SecretBox(key), policy, resolver: options.resolver, defaults, publicUrl: apiBase, now: () => new Date(),
    ...(options.slackIntervalMs !== undefined && { slackIntervalMs: options.slackIntervalMs }),
  });
}

/** What both profiles share: clock, ids, logger, read cache, and where the workflow reaches this service. */
export function commonDeps(config: Config, logger: Logger) {
  let apiBase = config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://127.0.0.1:${config.PORT}`;
  const setBoundPort = (port: number) => {
    if (!config.PUBLIC_URL) apiBase = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  };
  // PRICES_FILE is read at start, so an unusable one stops the service at once.
  const pricesFile = config.PRICES_FILE ? readPrices(config.PRICES_FILE) : undefined;
  return {
    setBoundPort,
    deps: {
      logger,
      now: () => new Date(),
      newId: createIdGenerator(),
      apiBase: () => apiBase,
      idempotencyTtlMs: config.IDEMPOTENCY_TTL_HOURS * 3600_000,
      prices: pricesFile ? () => pricesFile : defaultPrices,
      expiry: {
        ...(config.DEFAULT_TTL && { defaultTtlMs: durationMs(config.DEFAULT_TTL) }),
        ...(config.MAX_TTL && { maxTtlMs: durationMs(config.MAX_TTL) }),
        graceMs: config.EXPIRY_GRACE_SECONDS * 1000,
      },
      readCache: new ReadCache(),
      changes: new ChangeFeed({ maxWatches: config.MAX_EVENT_STREAMS, heartbeatMs: HEARTBEAT_MS }),
    },
  };
}

/** PRICES_FILE: a price table of the repository's shape; a file that cannot be used stops the service with one line. */
export function readPrices(path: string): PriceTable {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StartupError(`PRICES_FILE ${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  const parsed = PriceTableSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new StartupError(`PRICES_FILE ${path} is not a price table: ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

/**
 * How long the Saxml teardown lets a terminating namespace's finalizers run before it removes its
 * own objects' finalizers (foreign ones are never touched), and how long a refused cluster access
 * counts as IAM still propagating a fresh grant (Google: usually under a minute, up to 7 minutes).
 */
export const FINALIZER_GRACE_MS = 120_000;
export const IAM_PROPAGATION_MS = 7 * 60_000;

/** A Clusters port whose adapter is built on first use (its libraries are large). */
export function lazyClusters(build: () => Promise<Clusters>): Clusters {
  let built: Promise<Clusters> | undefined;
  return { open: async (target) => (await (built ??= build())).open(target) };
}
