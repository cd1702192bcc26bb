import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../domain/saxml/labels.js';
import { ClusterAccessError, KubernetesApiError, checkedTarget, type ClusterClient, type ClusterTarget, type Clusters, type KubeObject, type ObjectRef } from './port.js';

/**
 * The Kubernetes side of the cluster-client port, on @kubernetes/client-node: a KubeConfig built in
 * code from an endpoint, the cluster's CA and a bearer token (no kubeconfig file, TLS verified),
 * server-side apply with this service's field manager. Where the endpoint, CA and token come from
 * is the caller's (`CredentialSource`): Google's APIs in the cloud (gke.ts), the sandbox locally.
 */

export interface ClusterEndpoint {
  /** Host (and port, for the sandbox's fake API servers) of the control plane. */
  endpoint: string;
  /** The cluster CA, base64-encoded PEM (GKE's `masterAuth.clusterCaCertificate`). */
  caBase64: string;
}

export interface CredentialSource {
  endpoint(target: ClusterTarget): Promise<ClusterEndpoint>;
  /** An access token of `target.serviceAccount`. */
  token(target: ClusterTarget): Promise<string>;
}

export function kubeClusters(credentials: CredentialSource): Clusters {
  // One client per endpoint and token: it keeps what discovery learnt (which URL each kind has).
  const clients = new Map<string, ClusterClient>();
  return {
    async open(unchecked) {
      const target = checkedTarget(unchecked);
      const [where, token] = await Promise.all([credentials.endpoint(target), credentials.token(target)]);
      const key = `${where.endpoint}\u0000${where.caBase64}\u0000${token}`;
      const cached = clients.get(key);
      if (cached) return cached;
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: target.cluster, server: `https://${where.endpoint}`, caData: where.caBase64, skipTLSVerify: false }],
        users: [{ name: 'automation', token }],
        contexts: [{ name: 'saxml', cluster: target.cluster, user: 'automation' }],
        currentContext: 'saxml',
      });
      const client = objectClient(KubernetesObjectApi.makeApiClient(kc));
      // Tokens are renewed well within an hour: a few entries per cluster at most.
      if (clients.size >= 32) clients.delete(clients.keys().next().value!);
      clients.set(key, client);
      return client;
    },
  };
}

/** JSON as the server sent it: the client's model classes turn timestamps into Dates. */
const plain = <T>(value: T): KubeObject => JSON.parse(JSON.stringify(value)) as KubeObject;

function objectClient(api: KubernetesObjectApi): ClusterClient {
  const header = (ref: ObjectRef) => ({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace && { namespace: ref.namespace }) } });
  return {
    apply: (object) =>
      call(async () => plain(await api.patch(object as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply))),
    get: async (ref) => {
      try {
        return await call(async () => plain(await api.read(header(ref))));
      } catch (error) {
        if (error instanceof KubernetesApiError && error.code === 404) return undefined;
        throw error;
      }
    },
    list: (apiVersion, kind, options = {}) =>
      call(async () => {
        const list = await api.list(apiVersion, kind, options.namespace, undefined, undefined, undefined, undefined, options.labelSelector);
        return list.items.map((item) => ({ apiVersion, kind, ...plain(item) }));
      }),
    delete: async (ref) => {
      try {
        await call(() => api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background'));
        return 'deleted';
      } catch (error) {
        if (error instanceof KubernetesApiError && error.code === 404) return 'absent';
        throw error;
      }
    },
    clearFinalizers: async (ref) => {
      try {
        // A merge patch, not an apply: finalizers are a shared list other managers may have set.
        await call(() => api.patch({ ...header(ref), metadata: { ...header(ref).metadata, finalizers: null } } as unknown as KubernetesObject,
          undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch));
        return 'cleared';
      } catch (error) {
        if (error instanceof KubernetesApiError && error.code === 404) return 'absent';
        throw error;
      }
    },
  };
}

/** Kubernetes' `Status` errors become KubernetesApiError; TLS and connection failures ClusterAccessError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ApiException) {
      const body = statusBody(error.body);
      const code = Number(error.code);
      // 401, or a 403 from the authorizer ("User … cannot …"): access. Other 403s (a namespace being
      // terminated) are about the request.
      const message = body.message ?? error.message;
      if (code === 401 || (code === 403 && /User "[^"]*" cannot/.test(message))) {
        throw new ClusterAccessError('PERMISSION_DENIED', `the cluster's API server refused the automation account (${code}): ${message}`);
      }
      throw new KubernetesApiError(code, body.reason ?? 'Unknown', message);
    }
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    throw new ClusterAccessError('UNAVAILABLE', `cannot reach the cluster's API server${cause ? ` (${cause})` : ''}: ${(error as Error).message}`);
  }
}

function statusBody(body: unknown): { reason?: string; message?: string } {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { reason?: string; message?: string };
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as { reason?: string; message?: string };
}
