import { ClusterManagerClient } from '@google-cloud/container';
import { IAMCredentialsClient } from '@google-cloud/iam-credentials';
import { ClusterAccessError, type ClusterTarget, type Clusters } from './port.js';
import { kubeClusters, type CredentialSource } from './kube.js';
import { cachedTokens } from './tokens.js';

/**
 * The GKE adapter of the cluster-client port. The control plane's endpoint and CA come from the
 * Container API (`getCluster`); the bearer token is an access token of the project's automation
 * account from IAM Credentials (`generateAccessToken`, cached until shortly before it expires), so
 * this service acts on a cluster with exactly the rights the workflow has there. The service's
 * own identity needs `roles/iam.serviceAccountTokenCreator` on that account: the bootstrap stage
 * grants it. Tests pass clients aimed at local fakes; production uses Google's defaults (ADC).
 */
export interface GkeClients {
  container?: ClusterManagerClient;
  iamCredentials?: IAMCredentialsClient;
  now?: () => number;
}

const TOKEN_LIFETIME_SECONDS = 3600;
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

export function gkeClusters(clients: GkeClients = {}): Clusters {
  return kubeClusters(googleCredentials(clients));
}

export function googleCredentials(clients: GkeClients = {}): CredentialSource {
  // Created on first use: the cloud profile builds its deps at start, and a client does no I/O until called.
  let container = clients.container;
  let iam = clients.iamCredentials;
  const now = clients.now ?? Date.now;
  const token = cachedTokens(async (serviceAccount) => {
    iam ??= new IAMCredentialsClient();
    const [response] = await google(`mint an access token of ${serviceAccount}`, NEEDS.token, () =>
      iam!.generateAccessToken({ name: `projects/-/serviceAccounts/${serviceAccount}`, scope: [CLOUD_PLATFORM], lifetime: { seconds: TOKEN_LIFETIME_SECONDS } }));
    if (!response.accessToken) throw new ClusterAccessError('UNAVAILABLE', `IAM Credentials returned no token for ${serviceAccount}`);
    const expireSeconds = Number(response.expireTime?.seconds ?? 0);
    return { token: response.accessToken, expiresAt: expireSeconds ? expireSeconds * 1000 : now() + TOKEN_LIFETIME_SECONDS * 1000 };
  }, now);
  return {
    async endpoint(target: ClusterTarget) {
      container ??= new ClusterManagerClient();
      const name = `projects/${target.project}/locations/${target.location}/clusters/${target.cluster}`;
      const [cluster] = await google(`read cluster ${name}`, NEEDS.cluster, () => container!.getCluster({ name }));
      const status = String(cluster.status ?? '');
      if (!USABLE_STATUSES.has(status)) {
        throw new ClusterAccessError('NOT_READY', `cluster ${name} is ${status || 'in an unknown state'}, not RUNNING`);
      }
      const ca = cluster.masterAuth?.clusterCaCertificate;
      if (!cluster.endpoint || !ca) throw new ClusterAccessError('NOT_READY', `cluster ${name} has no endpoint or CA yet`);
      return { endpoint: cluster.endpoint, caBase64: ca };
    },
    token: (target: ClusterTarget) => token(target.serviceAccount),
  };
}

/**
 * A cluster whose control plane answers: RUNNING, RECONCILING, or DEGRADED (GKE's "needs
 * attention", still serving), by name (REST) or enum number (gRPC).
 */
const USABLE_STATUSES = new Set(['RUNNING', '2', 'RECONCILING', '3', 'DEGRADED', '7']);

/** What this service's identity needs for each call it makes as itself. */
const NEEDS = {
  cluster: 'roles/container.clusterViewer in the project (infra/iam.tf grants it in every target project)',
  token: 'roles/iam.serviceAccountTokenCreator on the automation account, which the bootstrap stage grants',
};

/**
 * Google errors arrive as gRPC codes (5 NOT_FOUND, 7 PERMISSION_DENIED) or, over the REST fallback,
 * as HTTP statuses (404, 403): both are read.
 */
async function google<T>(what: string, needs: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const code = (error as { code?: number | string }).code;
    const message = (error as Error).message;
    if (code === 5 || code === 404) throw new ClusterAccessError('NOT_FOUND', `cannot ${what}: not found`);
    if (code === 7 || code === 403) {
      throw new ClusterAccessError('PERMISSION_DENIED', `cannot ${what}: permission denied (${message}); the service's identity needs ${needs}`);
    }
    throw new ClusterAccessError('UNAVAILABLE', `cannot ${what}: ${message}`);
  }
}
