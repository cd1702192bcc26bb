import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { createIdGenerator } from './domain/ids.js';
import { PendingEngine } from './engine/pending.js';
import { AccessPolicy, googleCerts, googleIdTokenAuthenticator, staticTokenAuthenticator } from './http/auth.js';
import { createLogger, type Logger } from './http/logger.js';
import { SqliteEnvironmentStore } from './store/sqlite.js';

export interface Runtime {
  deps: Deps;
  /** Set once the server listens, so the workflow learns where to call back. */
  setBoundPort(port: number): void;
  close(): Promise<void>;
}

/**
 * The composition root: builds every adapter for the configured profile, once. Only this file
 * (and server.ts) knows which adapters exist. Cloud adapters are imported only in the cloud
 * profile: their Google client libraries take most of a second to load.
 */
export async function buildRuntime(config: Config, logger: Logger = createLogger({ level: config.LOG_LEVEL })): Promise<Runtime> {
  let apiBase = config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://127.0.0.1:${config.PORT}`;
  const setBoundPort = (port: number) => {
    if (!config.PUBLIC_URL) apiBase = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  };
  const now = () => new Date();
  const common = {
    logger,
    now,
    newId: createIdGenerator(),
    apiBase: () => apiBase,
    idempotencyTtlMs: config.IDEMPOTENCY_TTL_HOURS * 3600_000,
  };

  if (config.PROFILE === 'local') {
    const store = new SqliteEnvironmentStore({ path: join(config.DATA_DIR, 'environments.sqlite') });
    // The local engine's calls to the internal routes carry this secret instead of a Google ID token.
    const internalSecret = randomBytes(32).toString('base64url');
    const deps: Deps = {
      ...common,
      store,
      engine: new PendingEngine(now),
      auth: { authenticator: staticTokenAuthenticator(config.API_TOKEN), policy: new AccessPolicy('allow-all') },
      internalAuth: { authenticator: staticTokenAuthenticator(internalSecret, 'workflow:local'), workflowPrincipal: 'workflow:local' },
    };
    return { deps, setBoundPort, close: () => store.close() };
  }

  const [{ createFirestoreStore }, { createExecutionsClient, CloudWorkflowsEngine }] = await Promise.all([
    import('./store/firestore.js'),
    import('./engine/cloud-workflows.js'),
  ]);
  const store = createFirestoreStore({ projectId: config.GOOGLE_CLOUD_PROJECT, databaseId: config.FIRESTORE_DATABASE });
  const idTokens = googleIdTokenAuthenticator({ audience: config.API_AUDIENCE, verification: config.ID_TOKEN_VERIFICATION, certs: googleCerts() });
  const deps: Deps = {
    ...common,
    store,
    engine: new CloudWorkflowsEngine({
      client: createExecutionsClient(),
      project: config.GOOGLE_CLOUD_PROJECT,
      location: config.WORKFLOW_LOCATION,
      workflow: config.WORKFLOW_NAME,
    }),
    auth: { authenticator: idTokens, policy: new AccessPolicy(config.ALLOWED_PRINCIPALS) },
    internalAuth: { authenticator: idTokens, workflowPrincipal: `serviceAccount:${config.WORKFLOW_SERVICE_ACCOUNT}` },
    traceProject: config.GOOGLE_CLOUD_PROJECT,
  };
  return { deps, setBoundPort, close: () => store.close() };
}
