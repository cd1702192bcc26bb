import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { Mount } from '../app.js';
import { StartupError, type LocalConfig } from '../config.js';
import type { Deps } from '../deps.js';
import { sandboxBases } from '../sandbox/bases.js';
import { fileStore } from '../sandbox/persistence.js';
import type { Sandbox, SandboxOptions } from '../sandbox/index.js';
import { newKey, parseKey } from '../notify/secret-box.js';
import { AccessPolicy } from '../domain/access.js';
import { RUNTIME_TARGET_ROLES, WORKFLOW_TARGET_ROLES } from '../domain/defaults.js';
import { GOOGLE_API_NAMES } from '../domain/google-apis.js';
import { staticTokenAuthenticator } from '../identity/static-token.js';
import type { Logger } from '../logger.js';
import { computeQuotaReader } from '../quota/compute.js';
import { StoreInUseError } from '../store/port.js';
import { SqliteEnvironmentStore } from '../store/sqlite.js';
import { FINALIZER_GRACE_MS, IAM_PROPAGATION_MS, buildNotifier, commonDeps, lazyClusters, type Runtime, type RuntimeOptions } from './runtime.js';

/** Where the sandbox cloud is served beside the API. */
const SANDBOX_PATH = '/_sandbox';

/**
 * The local workflow's identity in the sandbox (the production one is WORKFLOW_SERVICE_ACCOUNT). It
 * lives in the service's own project, `local-sandbox`, never in an environment's project.
 */
export const LOCAL_WORKFLOW_SERVICE_ACCOUNT = 'saxml-workflow@local-sandbox.iam.gserviceaccount.com';
/**
 * This service's own identity in the sandbox (the Cloud Run runtime account, RUNTIME_SERVICE_ACCOUNT,
 * in production): it reads quotas for the preflight and reaches the clusters as the automation account.
 */
export const LOCAL_SERVICE_ACCOUNT = 'saxml-api@local-sandbox.iam.gserviceaccount.com';

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
 * A sandbox cloud in which the workflow's and this service's own service accounts exist and hold
 * their roles in every project, as in production (Terraform creates them and grants
 * WORKFLOW_TARGET_ROLES and RUNTIME_TARGET_ROLES in the target projects): bootstrap grants both
 * token-creator on the automation account.
 */
export async function sandboxWithWorkflowIdentity(options: SandboxOptions): Promise<Sandbox> {
  const { createSandbox } = await import('../sandbox/index.js');
  const workflow = { member: `serviceAccount:${LOCAL_WORKFLOW_SERVICE_ACCOUNT}`, roles: [...WORKFLOW_TARGET_ROLES] };
  const service = { member: `serviceAccount:${LOCAL_SERVICE_ACCOUNT}`, roles: [...RUNTIME_TARGET_ROLES] };
  const sandbox = createSandbox({ ...options, inherited: [...(options.inherited ?? []), workflow, service] });
  const accounts = [[LOCAL_WORKFLOW_SERVICE_ACCOUNT, 'Saxml environments workflow (local)'], [LOCAL_SERVICE_ACCOUNT, 'Saxml environments API (local)']] as const;
  for (const [email, displayName] of accounts) {
    const [accountId, project] = email.replace('.iam.gserviceaccount.com', '').split('@') as [string, string];
    // Made as the workflow's identity, which holds iam.serviceAccountAdmin (Terraform's part in
    // production); the service's own identity may not create accounts.
    const res = await sandbox.app.request(`/iam/v1/projects/${project}/serviceAccounts`, {
      method: 'POST',
      headers: { authorization: sandbox.identities.authorization(LOCAL_WORKFLOW_SERVICE_ACCOUNT), 'content-type': 'application/json' },
      body: JSON.stringify({ accountId, serviceAccount: { displayName } }),
    });
    // 409: a sandbox restored from DATA_DIR has it already.
    if (!res.ok && res.status !== 409) throw new Error(`sandbox: could not create ${email}: ${res.status} ${await res.text()}`);
  }
  return sandbox;
}

/**
 * `create` runs on the first call and its result is shared; a failure is not kept, so the next
 * call tries again (and fails with the same clear error if it must).
 */
function onFirstUse<T>(create: () => Promise<T>): { get: () => Promise<T>; ifCreated: () => Promise<T | undefined> } {
  let created: Promise<T> | undefined;
  return {
    get: () =>
      (created ??= create().catch((error: unknown) => {
        created = undefined;
        throw error;
      })),
    ifCreated: async () => created?.catch(() => undefined),
  };
}

/** The SQLite store under DATA_DIR; a folder that cannot be used stops the service with one line. */
function openStore(dataDir: string): SqliteEnvironmentStore {
  try {
    return new SqliteEnvironmentStore({ path: join(dataDir, 'environments.sqlite') });
  } catch (error) {
    if (error instanceof StoreInUseError) throw new StartupError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'].includes(code)) {
      throw new StartupError(`DATA_DIR ${dataDir} cannot be used (${code}): it must be a folder this process can write; set DATA_DIR to one`);
    }
    throw error;
  }
}

/**
 * NOTIFY_ENCRYPTION_KEY, or a key generated on first start and kept beside the store (readable by
 * this user only), so that sealed notification targets survive restarts.
 */
function localEncryptionKey(config: LocalConfig): Buffer {
  if (config.NOTIFY_ENCRYPTION_KEY) return parseKey(config.NOTIFY_ENCRYPTION_KEY)!;
  const path = join(config.DATA_DIR, 'notify-encryption.key');
  if (!existsSync(path)) writeFileSync(path, `${newKey().toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  const key = parseKey(readFileSync(path, 'utf8'));
  if (!key) throw new StartupError(`${path} does not hold the base64 of 32 bytes: restore it, or remove it (targets sealed with it can then no longer be sent to)`);
  return key;
}

/** The laptop: SQLite under DATA_DIR, the in-process engine running the real YAML, the sandbox cloud. */
export async function buildLocalRuntime(config: LocalConfig, logger: Logger, options: RuntimeOptions): Promise<Runtime> {
  const common = commonDeps(config, logger);
  const apiBase = common.deps.apiBase;
  const store = openStore(config.DATA_DIR);
  const notify = buildNotifier(config, localEncryptionKey(config), apiBase, options);
  // The local engine's calls to the internal routes carry this secret instead of a Google ID token.
  const internalSecret = randomBytes(32).toString('base64url');
  // The sandbox, the engine's code and the workflow definition (parsed and checked) are loaded on
  // first use: they would be most of the start-up time.
  // The simulated cloud survives restarts beside the store (api/sandbox/persistence.ts).
  const sandbox = onFirstUse(async () => options.sandbox ?? sandboxWithWorkflowIdentity({
    timeScale: config.SANDBOX_TIME_SCALE,
    store: fileStore(join(config.DATA_DIR, 'sandbox.json')),
  }));
  const engine = onFirstUse(async () => {
    const { LocalWorkflowEngine } = await import('../engine/local/index.js');
    return new LocalWorkflowEngine({
      definition: readFileSync(workflowDefinitionPath(), 'utf8'),
      timeScale: config.SANDBOX_TIME_SCALE,
      namePrefix: 'projects/local/locations/local/workflows/saxml-environment',
      // The deployment's user environment variables, as Cloud Workflows has them: where this service
      // is, and the sandbox (the one non-googleapis host allowed to receive Google credentials).
      env: () => ({ API_BASE: apiBase(), SANDBOX_BASE: `${apiBase()}${SANDBOX_PATH}` }),
      tokens: {
        oauth2: async () => (await sandbox.get()).identities.bearer(LOCAL_WORKFLOW_SERVICE_ACCOUNT),
        oidc: async () => internalSecret,
      },
      logger: (entry) => logger.debug(`workflow: ${entry.message}`, { execution: entry.execution, step: entry.step }),
    });
  });
  const deps: Deps = {
    ...common.deps,
    store,
    engine: {
      start: async (input) => (await engine.get()).start(input),
      get: async (name) => (await engine.get()).get(name),
      cancel: async (name) => (await engine.get()).cancel(name),
      // Nothing runs before the engine is first used (a fresh process has no executions).
      listActive: async () => (await engine.ifCreated())?.listActive() ?? [],
    },
    google: {
      apis: () => sandboxBases(`${apiBase()}${SANDBOX_PATH}`),
      workflowServiceAccount: LOCAL_WORKFLOW_SERVICE_ACCOUNT,
      serviceAccount: LOCAL_SERVICE_ACCOUNT,
    },
    // The cluster client of the cloud (@kubernetes/client-node over HTTPS) against the sandbox
    // clusters' fake API servers; endpoint, CA and token are asked of the sandbox as this service.
    clusters: lazyClusters(async () => {
      const [{ kubeClusters }, { sandboxCredentials }] = await Promise.all([import('../kubernetes/kube.js'), import('../sandbox/kubernetes/credentials.js')]);
      return kubeClusters(sandboxCredentials(sandbox.get, LOCAL_SERVICE_ACCOUNT));
    }),
    // Simulated durations are scaled; so are the deployer's waits for them.
    deployer: { finalizerGraceMs: FINALIZER_GRACE_MS * config.SANDBOX_TIME_SCALE, iamPropagationMs: IAM_PROPAGATION_MS * config.SANDBOX_TIME_SCALE },
    auth: { authenticator: staticTokenAuthenticator(config.API_TOKEN), policy: new AccessPolicy('allow-all') },
    internalAuth: { authenticator: staticTokenAuthenticator(internalSecret, 'workflow:local'), workflowPrincipal: 'workflow:local' },
    quotas: computeQuotaReader({
      base: () => sandboxBases(`${apiBase()}${SANDBOX_PATH}`).compute,
      token: async () => (await sandbox.get()).identities.bearer(LOCAL_SERVICE_ACCOUNT),
    }),
    notify,
  };
  // Delegated to rather than mounted with `app.route`: Google-style paths (`…/v1/{name}:verb`) would
  // push the whole app from Hono's RegExpRouter to its slower TrieRouter. Built on first use, as the
  // sandbox itself is.
  let mounted: { sandbox: Sandbox; app: Hono } | undefined;
  const sandboxMount: Mount = {
    path: SANDBOX_PATH,
    // `/_sandbox/<api>/…` are the simulated Google APIs, which check the sandbox's own bearer tokens.
    ownCredentials: (path) => (GOOGLE_API_NAMES as readonly string[]).includes(path.slice(SANDBOX_PATH.length + 1).split('/')[0]!),
    fetch: async (request) => {
      const current = await sandbox.get();
      if (mounted?.sandbox !== current) mounted = { sandbox: current, app: new Hono().route(SANDBOX_PATH, current.app) };
      return mounted.app.fetch(request);
    },
  };
  return {
    deps,
    mounts: [sandboxMount],
    setBoundPort: common.setBoundPort,
    localEngine: engine.get,
    sandbox: sandbox.get,
    stopBackgroundWork: async () => (await engine.ifCreated())?.shutdown(),
    close: async () => {
      await (await engine.ifCreated())?.shutdown();
      await store.close();
    },
  };
}
