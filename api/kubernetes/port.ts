/**
 * The cluster-client port: what the Saxml deployer needs of a GKE cluster. The GKE adapter
 * (gke.ts: endpoint and CA from the Container API, a token of the project's automation account
 * from IAM Credentials, @kubernetes/client-node for the calls) and the local profile's sandbox
 * credentials (api/sandbox/kubernetes/) both end in kube.ts, so both speak real Kubernetes HTTP.
 *
 * Objects are plain JSON as the API server returns them (timestamps are RFC 3339 strings).
 */

import { PROJECT_ID, REGION, RFC1035, SA_ID, ZONE } from '../domain/spec.js';

export interface ClusterTarget {
  project: string;
  /** The cluster's region (or zone). */
  location: string;
  cluster: string;
  /** The account whose access token is used: the project's automation account. */
  serviceAccount: string;
}

/**
 * What each part of a target may be: the spec's own grammar (domain/spec.ts). The parts come from a
 * validated spec, but they become Google resource names (and, over the REST fallback, URL paths)
 * and a token request: the adapter checks them again at the edge rather than trust every caller to.
 */
const TARGET_PARTS: Readonly<Record<keyof ClusterTarget, (value: string) => boolean>> = {
  project: (v) => PROJECT_ID.test(v),
  location: (v) => REGION.test(v) || ZONE.test(v),
  // GKE cluster names: RFC 1035 labels of at most 40 characters (naming.ts holds derived ones to it).
  cluster: (v) => v.length <= 40 && RFC1035.test(v),
  serviceAccount: (v) => {
    const [id = '', project = ''] = v.split(/@(.*)\.iam\.gserviceaccount\.com$/);
    return SA_ID.test(id) && PROJECT_ID.test(project);
  },
};

/** The target, once every part has the grammar Google gives it; otherwise an error naming the part. */
export function checkedTarget(target: ClusterTarget): ClusterTarget {
  for (const [part, valid] of Object.entries(TARGET_PARTS) as [keyof ClusterTarget, (value: string) => boolean][]) {
    if (!valid(target[part])) throw new Error(`cluster target: ${part} ${JSON.stringify(target[part])} is not a valid ${part} name`);
  }
  return target;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string | Date;
    creationTimestamp?: string | Date;
    uid?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Which object: its kind's apiVersion and kind, its name and (for namespaced kinds) namespace. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ClusterClient {
  /** Server-side apply with this service's field manager, forcing ownership of the fields it sets. */
  apply(object: KubeObject): Promise<KubeObject>;
  /** The object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Objects of a kind, in a namespace (or cluster-wide for cluster-scoped kinds), by label selector. */
  list(apiVersion: string, kind: string, options?: { namespace?: string; labelSelector?: string }): Promise<KubeObject[]>;
  /** Deletes with background propagation; `absent` when it was already gone. */
  delete(ref: ObjectRef): Promise<'deleted' | 'absent'>;
  /** Removes every finalizer of the object (a JSON merge patch); `absent` when it was already gone. */
  clearFinalizers(ref: ObjectRef): Promise<'cleared' | 'absent'>;
}

export interface Clusters {
  /** A client for the cluster, acting as the target's service account. */
  open(target: ClusterTarget): Promise<ClusterClient>;
}

/**
 * Why a cluster cannot be reached: NOT_FOUND (no such cluster), NOT_READY (not RUNNING),
 * PERMISSION_DENIED (no token for the automation account, or the API server refused it),
 * UNAVAILABLE (anything transient).
 */
export class ClusterAccessError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'NOT_READY' | 'PERMISSION_DENIED' | 'UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'ClusterAccessError';
  }
}

/** A Kubernetes API error (a `Status` answer): HTTP code, reason and message. */
export class KubernetesApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubernetesApiError';
  }
}
