/**
 * How this service marks and names what it puts on a cluster. Every object carries the managed-by
 * label and the environment's id: the deployer prunes and tears down only objects with both, and
 * never touches anything else in the namespace.
 */

export const MANAGED_BY = 'saxml-environments';
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  environment: 'saxml-environments.io/environment',
  tpuPool: 'saxml-environments.io/tpu-pool',
  model: 'saxml-environments.io/model',
} as const;

/** A Job's pod template is immutable: the hash of the one it was made with says when to replace it. */
export const TEMPLATE_HASH = 'saxml-environments.io/template-hash';

/** The field manager of every server-side apply: the fields it sets are this service's. */
export const FIELD_MANAGER = 'saxml-environments';

/** Label selector of everything an environment owns on its cluster. */
export const ownedSelector = (environmentId: string): string =>
  `${LABELS.managedBy}=${MANAGED_BY},${LABELS.environment}=${environmentId}`;

export const isOwned = (labels: Record<string, string> | undefined, environmentId: string): boolean =>
  labels?.[LABELS.managedBy] === MANAGED_BY && labels[LABELS.environment] === environmentId;

export const OBJECT_NAMES = {
  configMap: 'saxml-parameters',
  adminServer: 'sax-admin-server',
  proxy: 'saxml-proxy',
  modelServer: (pool: string) => `sax-model-server-${pool}`,
  /** Model ids are `[a-z0-9_]+`; Kubernetes names take no `_`. */
  publishJob: (modelId: string) => `sax-publish-${modelId.replaceAll('_', '-')}`,
  /** A model removed from the spec is unpublished by this Job (then it is pruned). */
  unpublishJob: (modelId: string) => `sax-unpublish-${modelId.replaceAll('_', '-')}`,
} as const;

/** GKE labels every node (reference §2.4). */
export const GKE_NODE_LABELS = {
  nodePool: 'cloud.google.com/gke-nodepool',
  tpuAccelerator: 'cloud.google.com/gke-tpu-accelerator',
  tpuTopology: 'cloud.google.com/gke-tpu-topology',
} as const;

/** The extended resource GKE's TPU device plugin advertises (chips per VM). */
export const TPU_RESOURCE = 'google.com/tpu';
