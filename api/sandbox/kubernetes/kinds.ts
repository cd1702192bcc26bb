/**
 * The kinds the fake Kubernetes API serves (discovery lists exactly these). Nodes and Pods are
 * read-only: the fake derives them from the sandbox cluster's node pools and from the workloads.
 */
export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  /** Derived from other state: get and list only. */
  derived?: true;
}

export const KINDS: readonly KindInfo[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false, derived: true },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, derived: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true },
];

export const groupVersion = (k: Pick<KindInfo, 'group' | 'version'>) => (k.group ? `${k.group}/${k.version}` : k.version);

export const kindByPlural = (groupVersionText: string, plural: string) =>
  KINDS.find((k) => groupVersion(k) === groupVersionText && k.plural === plural);

export const kindOf = (apiVersion: string | undefined, kind: string | undefined) =>
  KINDS.find((k) => groupVersion(k) === apiVersion && k.kind === kind);

export function discovery(groupVersionText: string) {
  const resources = KINDS.filter((k) => groupVersion(k) === groupVersionText).map((k) => ({
    name: k.plural,
    singularName: k.singular,
    namespaced: k.namespaced,
    kind: k.kind,
    verbs: k.derived ? ['get', 'list'] : ['create', 'delete', 'get', 'list', 'patch', 'update'],
  }));
  return resources.length ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionText, resources } : undefined;
}
