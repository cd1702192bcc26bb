import { createApp } from '../../api/app.js';
import type { Deps } from '../../api/deps.js';
import { createIdGenerator } from '../../api/domain/ids.js';
import { PendingEngine } from './pending-engine.js';
import { PRODUCTION_API_BASES } from '../../api/domain/plan/types.js';
import { AccessPolicy } from '../../api/domain/access.js';
import type { Authenticator } from '../../api/identity/port.js';
import { staticTokenAuthenticator } from '../../api/identity/static-token.js';
import { DomainError } from '../../api/domain/errors.js';
import { defaultPrices } from '../../api/domain/cost/prices.js';
import { QuotaUnreadableError, type QuotaReader } from '../../api/quota/port.js';
import { ClusterAccessError } from '../../api/kubernetes/port.js';
import { createLogger } from '../../api/logger.js';
import { ChangeFeed } from '../../api/services/common/change-feed.js';
import { ReadCache } from '../../api/services/common/read-cache.js';
import { createNotifier, type NotifierOptions } from '../../api/notify/notifier.js';
import { SecretBox } from '../../api/notify/secret-box.js';
import type { Resolver } from '../../api/notify/url-safety.js';
import { SqliteEnvironmentStore } from '../../api/store/sqlite.js';

export const INTERNAL_SECRET = 'test-internal-secret-0123456789';
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7);

/**
 * DNS from a table: a name not in it does not resolve, so no test ever asks a real resolver
 * (which would send a packet off the machine).
 */
export function tableResolver(table: Record<string, string[]> = {}): Resolver {
  return async (hostname) => {
    const addresses = table[hostname];
    if (addresses) return addresses;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  };
}

/** The real notifier as the local profile builds it, on a test key, with DNS from a table. */
export function testNotifier(options: Partial<NotifierOptions> & { now?: () => Date } = {}) {
  return createNotifier({
    box: new SecretBox(TEST_ENCRYPTION_KEY),
    policy: { allowLoopback: true },
    resolver: tableResolver(),
    defaults: [],
    publicUrl: () => 'http://127.0.0.1:8080',
    now: () => new Date(),
    slackIntervalMs: 0,
    ...options,
  });
}

/** The in-process app reaches no Google API: the preflight reports that it could not read the project. */
const UNREADABLE_QUOTAS: QuotaReader = {
  regionQuotas: async () => { throw new QuotaUnreadableError('no Compute Engine in this test'); },
  reservation: async () => { throw new QuotaUnreadableError('no Compute Engine in this test'); },
};

/**
 * The app on embedded parts: an in-memory SQLite store, an engine that never finishes (unless the
 * test passes another), no auth unless asked. `logs` collects every log line the app wrote.
 */
export function buildTestApp(overrides: Partial<Deps> = {}) {
  const logs: string[] = [];
  // The store stamps updateTime with the same clock the app reads, so a test can move time.
  const now = overrides.now ?? (() => new Date());
  const store = new SqliteEnvironmentStore({ path: ':memory:', now: () => now().toISOString() });
  const deps: Deps = {
    store,
    engine: new PendingEngine(),
    logger: createLogger({ level: 'debug', sink: (line) => logs.push(line) }),
    now,
    newId: createIdGenerator(),
    auth: { authenticator: staticTokenAuthenticator(undefined), policy: new AccessPolicy('allow-all') },
    internalAuth: { authenticator: staticTokenAuthenticator(INTERNAL_SECRET, 'workflow:local'), workflowPrincipal: 'workflow:local' },
    apiBase: () => 'http://127.0.0.1:0',
    google: { apis: () => PRODUCTION_API_BASES, workflowServiceAccount: 'saxml-workflow@svc-project.iam.gserviceaccount.com', serviceAccount: 'saxml-api@svc-project.iam.gserviceaccount.com' },
    // API tests deploy nothing: a cluster is never found.
    clusters: { open: async (target) => { throw new ClusterAccessError('NOT_FOUND', `no cluster ${target.cluster} in API tests`); } },
    deployer: { finalizerGraceMs: 0, iamPropagationMs: 0 },
    idempotencyTtlMs: 3600_000,
    prices: defaultPrices,
    quotas: UNREADABLE_QUOTAS,
    expiry: { graceMs: 120_000 },
    readCache: new ReadCache(),
    notify: testNotifier({ now }),
    changes: new ChangeFeed({ maxWatches: 10, heartbeatMs: 15_000 }),
    ...overrides,
  };
  const app = createApp(deps);
  return { app, deps, store: deps.store, logs };
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** An Authenticator for tests: each bearer token stands for one principal. */
export function tokensAuthenticator(principals: Record<string, string>): Authenticator {
  return {
    async authenticate({ authorization }) {
      const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      const id = token ? principals[token] : undefined;
      if (!id) throw new DomainError('UNAUTHENTICATED', 'unknown test token');
      return { id, email: id.split(':')[1] };
    },
  };
}
