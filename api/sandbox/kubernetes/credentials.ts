import type { CredentialSource } from '../../kubernetes/kube.js';
import { ClusterAccessError, type ClusterTarget } from '../../kubernetes/port.js';
import { cachedTokens } from '../../kubernetes/tokens.js';
import type { Sandbox } from '../index.js';

/**
 * The local profile's cluster credentials, asked of the sandbox as the GKE adapter asks Google:
 * the cluster (endpoint, CA, status) from the Container API and an access token of the automation
 * account from IAM Credentials, both as this service's own identity — so the sandbox refuses the
 * token unless bootstrap granted that identity token-creator on the account. The calls go to the
 * sandbox in-process (its HTTP app, with its auth and faults); Kubernetes calls then go over HTTPS
 * to the cluster's fake API server through the same @kubernetes/client-node code as in the cloud.
 */
export function sandboxCredentials(sandbox: () => Promise<Sandbox>, serviceIdentity: string, now: () => number = Date.now): CredentialSource {
  const call = async (path: string, init: RequestInit = {}) => {
    const s = await sandbox();
    const res = await s.app.request(path, { ...init, headers: { ...init.headers, authorization: s.identities.authorization(serviceIdentity), 'content-type': 'application/json' } });
    const body = (await res.json()) as Record<string, unknown> & { error?: { message?: string } };
    return { status: res.status, body };
  };
  const token = cachedTokens(async (serviceAccount) => {
    const { status, body } = await call(`/iamcredentials/v1/projects/-/serviceAccounts/${encodeURIComponent(serviceAccount)}:generateAccessToken`, {
      method: 'POST', body: JSON.stringify({ scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' }),
    });
    if (status === 403) {
      throw new ClusterAccessError('PERMISSION_DENIED', `cannot mint an access token of ${serviceAccount}: ${body.error?.message ?? 'permission denied'}; ` +
        `this service's identity (${serviceIdentity}) needs roles/iam.serviceAccountTokenCreator on it, which the bootstrap stage grants`);
    }
    if (status !== 200) throw new ClusterAccessError('UNAVAILABLE', `cannot mint an access token of ${serviceAccount}: ${status} ${body.error?.message ?? ''}`);
    return { token: String(body.accessToken), expiresAt: Date.parse(String(body.expireTime)) };
  }, now);
  return {
    async endpoint(target: ClusterTarget) {
      const name = `projects/${target.project}/locations/${target.location}/clusters/${target.cluster}`;
      const path = [target.project, target.location, target.cluster].map(encodeURIComponent);
      const { status, body } = await call(`/container/v1/projects/${path[0]}/locations/${path[1]}/clusters/${path[2]}`);
      if (status === 404) throw new ClusterAccessError('NOT_FOUND', `cannot read cluster ${name}: not found`);
      if (status === 403) {
        throw new ClusterAccessError('PERMISSION_DENIED', `cannot read cluster ${name}: ${body.error?.message ?? 'permission denied'}; ` +
          `this service's identity (${serviceIdentity}) needs roles/container.clusterViewer in the project`);
      }
      if (status !== 200) throw new ClusterAccessError('UNAVAILABLE', `cannot read cluster ${name}: ${status} ${body.error?.message ?? ''}`);
      // DEGRADED is GKE's "needs attention": the control plane still serves.
      if (!['RUNNING', 'RECONCILING', 'DEGRADED'].includes(String(body.status))) {
        throw new ClusterAccessError('NOT_READY', `cluster ${name} is ${String(body.status)}, not RUNNING`);
      }
      return { endpoint: String(body.endpoint), caBase64: String((body.masterAuth as { clusterCaCertificate?: string }).clusterCaCertificate) };
    },
    token: (target) => token(target.serviceAccount),
  };
}
