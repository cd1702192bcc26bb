import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { createIdGenerator } from './domain/ids.js';
import { PRODUCTION_API_BASES } from './domain/plan/types.js';
import { LocalWorkflowEngine } from './engine/local/index.js';
import { createSandbox, sandboxBases, type Sandbox, type SandboxOptions } from './gcp/sandbox/index.js';
import { AccessPolicy, staticTokenAuthenticator } from './http/auth.js';
import { createLogger, type Logger } from './http/logger.js';
import { SqliteEnvironmentStore } from './store/sqlite.js';

export interface Runtime {
  deps: Deps;
  /** Set once the server listens, so the workflow learns where to call back. */
  setBoundPort(port: number): void;
  close(): Promise<void>;
}

/**
 * The workflow definition: `workflows/` beside `api/` in the repository, and beside `dist/` in the
 * container image, so it is looked up from this module's folder upwards.
 */
export function workflowDefinitionPath(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'workflows', 'environment.workflows.yaml');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`workflows/environment.workflows.yaml not found above ${from}`);
  }
}

/**
 * The local workflow's identity in the sandbox (the production one is WORKFLOW_SERVICE_ACCOUNT). It
 * lives in the service's own project, `local-sandbox`, never in an environment's project.
 */
export const LOCAL_WORKFLOW_SERVICE_ACCOUNT = 'saxml-workflow@local-sandbox.iam.gserviceaccount.com';

/**
 * A sandbox cloud in which the workflow's own service account exists, as it does in production
 * (Terraform creates it): bootstrap grants it token-creator on the automation account.
 */
export async function sandboxWithWorkflowIdentity(options: SandboxOptions): Promise<Sandbox> {
  const sandbox = createSandbox(options);
  const [accountId, project] = LOCAL_WORKFLOW_SERVICE_ACCOUNT.replace('.iam.gserviceaccount.com', '').split('@') as [string, string];
  const res = await sandbox.app.request(`/iam/v1/projects/${project}/serviceAccounts`, {
    method: 'POST',
    headers: { authorization: sandbox.identities.authorization(LOCAL_WORKFLOW_SERVICE_ACCOUNT), 'content-type': 'application/json' },
    body: JSON.stringify({ accountId, serviceAccount: { displayName: 'Saxml environments workflow (local)' } }),
  });
  if (!res.ok) throw new Error(`sandbox: could not create the workflow identity: ${res.status} ${await res.text()}`);
  return sandbox;
}

/**
 * The composition root: builds every adapter for the configured profile, once. Only this file
 * (and server.ts) knows which adapters exist. Cloud adapters are imported only in the cloud
 * profile: their Google client libraries take most of a second to load.
 */
export async function buildRuntime(
  config: Config,
  logger: Logger = createLogger({ level: config.LOG_LEVEL }),
  /** Tests keep one simulated cloud across a simulated restart of the process. */
  reuse: { sandbox?: Sandbox } = {},
): Promise<Runtime> {
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
    const sandbox = reuse.sandbox ?? (await sandboxWithWorkflowIdentity({ timeScale: config.SANDBOX_TIME_SCALE }));
    const engine = new LocalWorkflowEngine({
      definition: readFileSync(workflowDefinitionPath(), 'utf8'),
      timeScale: config.SANDBOX_TIME_SCALE,
      namePrefix: 'projects/local/locations/local/workflows/saxml-environment',
      tokens: {
        oauth2: async () => sandbox.identities.bearer(LOCAL_WORKFLOW_SERVICE_ACCOUNT),
        oidc: async () => internalSecret,
      },
      logger: (entry) => logger.debug(`workflow: ${entry.message}`, { execution: entry.execution, step: entry.step }),
    });
    const deps: Deps = {
      ...common,
      store,
      engine,
      google: {
        apis: () => sandboxBases(`${apiBase}/_sandbox`),
        sandboxBase: () => `${apiBase}/_sandbox`,
        workflowServiceAccount: LOCAL_WORKFLOW_SERVICE_ACCOUNT,
      },
      auth: { authenticator: staticTokenAuthenticator(config.API_TOKEN), policy: new AccessPolicy('allow-all') },
      internalAuth: { authenticator: staticTokenAuthenticator(internalSecret, 'workflow:local'), workflowPrincipal: 'workflow:local' },
      sandbox,
    };
    return {
      deps,
      setBoundPort,
      close: async () => {
        await engine.shutdown();
        await store.close();
      },
    };
  }

  const [{ createFirestoreStore }, { createExecutionsClient, CloudWorkflowsEngine }, { googleCerts, googleIdTokenAuthenticator }] = await Promise.all([
    import('./store/firestore.js'),
    import('./engine/cloud-workflows.js'),
    import('./http/google-id-token.js'),
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
    google: { apis: () => PRODUCTION_API_BASES, workflowServiceAccount: config.WORKFLOW_SERVICE_ACCOUNT },
    auth: { authenticator: idTokens, policy: new AccessPolicy(config.ALLOWED_PRINCIPALS) },
    internalAuth: { authenticator: idTokens, workflowPrincipal: `serviceAccount:${config.WORKFLOW_SERVICE_ACCOUNT}` },
    traceProject: config.GOOGLE_CLOUD_PROJECT,
  };
  return { deps, setBoundPort, close: () => store.close() };
}
