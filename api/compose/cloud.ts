import { GoogleAuth } from 'google-auth-library';
import type { CloudConfig } from '../config.js';
import type { Deps } from '../deps.js';
import { PRODUCTION_API_BASES } from '../domain/plan/types.js';
import { createExecutionsClient, CloudWorkflowsEngine } from '../engine/cloud-workflows.js';
import { AccessPolicy } from '../domain/access.js';
import { googleCerts, googleIdTokenAuthenticator } from '../identity/google-id-token.js';
import type { Logger } from '../logger.js';
import { computeQuotaReader } from '../quota/compute.js';
import { createFirestoreStore } from '../store/firestore.js';
import { parseKey } from '../notify/secret-box.js';
import { FINALIZER_GRACE_MS, IAM_PROPAGATION_MS, buildNotifier, commonDeps, lazyClusters, type Runtime, type RuntimeOptions } from './runtime.js';

/** Cloud Run: Firestore, Cloud Workflows, Google APIs, Google ID tokens. */
export async function buildCloudRuntime(config: CloudConfig, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const common = commonDeps(config, logger);
  const notify = buildNotifier(config, parseKey(config.NOTIFY_ENCRYPTION_KEY)!, common.deps.apiBase, options);
  const store = createFirestoreStore({ projectId: config.GOOGLE_CLOUD_PROJECT, databaseId: config.FIRESTORE_DATABASE });
  const idTokens = googleIdTokenAuthenticator({ audiences: config.API_AUDIENCE, verification: config.ID_TOKEN_VERIFICATION, certs: googleCerts() });
  const deps: Deps = {
    ...common.deps,
    store,
    engine: new CloudWorkflowsEngine({
      client: createExecutionsClient(),
      project: config.GOOGLE_CLOUD_PROJECT,
      location: config.WORKFLOW_LOCATION,
      workflow: config.WORKFLOW_NAME,
    }),
    google: { apis: () => PRODUCTION_API_BASES, workflowServiceAccount: config.WORKFLOW_SERVICE_ACCOUNT, serviceAccount: config.RUNTIME_SERVICE_ACCOUNT },
    // The Google and Kubernetes client libraries load on the first deploy, not at start.
    clusters: lazyClusters(async () => (await import('../kubernetes/gke.js')).gkeClusters()),
    deployer: { finalizerGraceMs: FINALIZER_GRACE_MS, iamPropagationMs: IAM_PROPAGATION_MS },
    auth: { authenticator: idTokens, policy: new AccessPolicy(config.ALLOWED_PRINCIPALS) },
    internalAuth: { authenticator: idTokens, workflowPrincipal: `serviceAccount:${config.WORKFLOW_SERVICE_ACCOUNT}` },
    traceProject: config.GOOGLE_CLOUD_PROJECT,
    // The runtime account's own token (roles/compute.viewer on the target projects, README).
    quotas: computeQuotaReader({ base: () => PRODUCTION_API_BASES.compute, token: computeReadToken() }),
    notify,
  };
  return { deps, setBoundPort: common.setBoundPort, close: () => store.close() };
}

function computeReadToken(): () => Promise<string> {
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/compute.readonly'] });
  return async () => {
    const token = await auth.getAccessToken();
    if (!token) throw new Error('no access token for the runtime service account');
    return token;
  };
}
