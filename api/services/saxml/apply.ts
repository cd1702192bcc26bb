import { isOwned, ownedSelector } from '../../domain/saxml/labels.js';
import { saxmlManifests, type SaxmlObject } from '../../domain/saxml/manifests.js';
import { deployerStatus, type DeployerStatus } from '../../domain/saxml/status.js';
import { ClusterAccessError, KubernetesApiError, type ClusterClient, type KubeObject } from '../../kubernetes/port.js';
import { verb } from '../context.js';
import { accessStatus, loadEnvironment, observe, openCluster, recordStatus, specOf } from './deployer.js';

/**
 * `POST …/saxml/apply`: server-side applies every object of the cell in dependency order
 * (namespace; identity and parameters; workloads), prunes the environment's objects that are no
 * longer wanted, and answers the status. Safe to call again and beside status reads: applying the
 * same objects changes nothing. An object that exists without this environment's mark is never
 * adopted: the answer is FAILED, naming it.
 */

/** Kinds the deployer prunes: everything it applies except the namespace. */
const PRUNED = [['apps/v1', 'Deployment'], ['batch/v1', 'Job'], ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'ServiceAccount']] as const;

export const applySaxml = verb(async (deps, ctx, input: { id: string }): Promise<DeployerStatus> => {
  const record = await loadEnvironment(deps, input.id);
  const spec = specOf(record);
  let client: ClusterClient;
  try {
    client = await openCluster(deps, record);
    const desired = saxmlManifests({ spec, environmentId: record.id });
    const foreign = await notOurs(client, desired, record.id);
    if (foreign.length) {
      const status = { ...deployerStatus(spec, { deployments: [], jobs: [], services: [], pods: [], nodes: [] }), state: 'FAILED' as const,
        message: `${foreign.join(', ')} already exist${foreign.length === 1 ? 's' : ''} on the cluster without this environment's labels; ` +
          'they are not adopted: remove them or choose another saxml.namespace' };
      return await recordStatus(deps, ctx, record.id, status);
    }
    for (const group of applyOrder(desired)) await Promise.all(group.map((object) => client.apply(object as KubeObject)));
    await prune(client, desired, record.spec.saxml.namespace, record.id);
    return await recordStatus(deps, ctx, record.id, deployerStatus(spec, await observe(client, record)));
  } catch (error) {
    if (error instanceof ClusterAccessError) return recordStatus(deps, ctx, record.id, accessStatus(deps, record, error));
    if (error instanceof KubernetesApiError) {
      const status = { ...deployerStatus(spec, { deployments: [], jobs: [], services: [], pods: [], nodes: [] }), state: 'FAILED' as const,
        message: `the cluster refused the Saxml objects (${error.code} ${error.reason}): ${error.message}` };
      return recordStatus(deps, ctx, record.id, status);
    }
    throw error;
  }
});

/** Namespace first; then what pods refer to (service account, parameters); then the workloads. */
function applyOrder(objects: SaxmlObject[]): SaxmlObject[][] {
  const rank = (o: SaxmlObject) => (o.kind === 'Namespace' ? 0 : o.kind === 'ServiceAccount' || o.kind === 'ConfigMap' ? 1 : 2);
  return [0, 1, 2].map((r) => objects.filter((o) => rank(o) === r));
}

const describe = (o: { kind?: string; metadata?: { name?: string; namespace?: string } }) =>
  `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

async function notOurs(client: ClusterClient, desired: SaxmlObject[], environmentId: string): Promise<string[]> {
  const found = await Promise.all(desired.map(async (o) => {
    const existing = await client.get({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, ...(o.metadata?.namespace && { namespace: o.metadata.namespace }) });
    return existing && !isOwned(existing.metadata?.labels, environmentId) ? describe(o) : undefined;
  }));
  return found.filter((f): f is string => !!f);
}

async function prune(client: ClusterClient, desired: SaxmlObject[], namespace: string, environmentId: string): Promise<void> {
  const wanted = new Set(desired.map(describe));
  for (const [apiVersion, kind] of PRUNED) {
    const existing = await client.list(apiVersion, kind, { namespace, labelSelector: ownedSelector(environmentId) });
    const stale = existing.filter((o) => !wanted.has(describe({ kind, metadata: { name: o.metadata?.name, namespace } })));
    await Promise.all(stale.map((o) => client.delete({ apiVersion, kind, name: o.metadata!.name!, namespace })));
  }
}
