import { BASE_STEPS } from '../../domain/plan/base/ids.js';
import { LABELS, OBJECT_NAMES, TEMPLATE_HASH, isOwned } from '../../domain/saxml/labels.js';
import type { NormalisedSpec } from '../../domain/spec.js';
import { saxmlManifests, type SaxmlObject } from '../../domain/saxml/manifests.js';
import { deployerStatus, type DeployerStatus } from '../../domain/saxml/status.js';
import { ClusterAccessError, KubernetesApiError, type ClusterClient, type KubeObject } from '../../kubernetes/port.js';
import { verb } from '../context.js';
import { APPLIED_KINDS, accessStatus, loadRunning, observe, openCluster, recordStatus, specOf, wholeCell } from './deployer.js';

/**
 * `POST …/saxml/apply`: server-side applies every object of the cell in dependency order
 * (namespace; identity and parameters; workloads), prunes the environment's objects that are no
 * longer wanted, and answers the status. Safe to call again and beside status reads: applying the
 * same objects changes nothing, which is why the plan's step calls it until the cell is READY. No
 * pod is started before the Workload Identity grant has succeeded (their Google identity comes from
 * it): until then only the namespace, service account and parameters are applied. An object that
 * exists without this environment's mark is never adopted: the answer is FAILED, naming it.
 */


export const applySaxml = verb(async (deps, ctx, input: { id: string; operationId: string }): Promise<DeployerStatus> => {
  // A create applies the cell, and so does an update that changes it.
  const record = await loadRunning(deps, input, ['create', 'update']);
  const spec = specOf(record);
  let client: ClusterClient;
  try {
    client = await openCluster(deps, record);
    const namespace = record.spec.saxml.namespace;
    const existing = await existingObjects(client, namespace);
    const unpublish = toUnpublish(existing, spec, record.id, namespace);
    const desired = saxmlManifests({ spec, environmentId: record.id, unpublish });
    const foreign = desired.filter((o) => {
      const found = existing.get(describe(o));
      return found && !isOwned(found.metadata?.labels, record.id);
    }).map(describe);
    if (foreign.length) {
      return await recordStatus(deps, ctx, record.id, wholeCell(spec, {
        state: 'FAILED', cell: { state: 'FAILED' }, code: 'NOT_ADOPTED',
        message: `${foreign.join(', ')} already exist${foreign.length === 1 ? 's' : ''} on the cluster without this environment's labels; ` +
          'they are not adopted: remove them or choose another saxml.namespace',
      }));
    }
    // A Job's template is immutable: one whose template changed (a new checkpoint, model path or
    // image) is deleted, and made again by a later call once it is gone.
    const replaced = desired.filter((o) => {
      const found = o.kind === 'Job' ? existing.get(describe(o)) : undefined;
      return found && found.metadata?.annotations?.[TEMPLATE_HASH] !== o.metadata?.annotations?.[TEMPLATE_HASH];
    });
    await Promise.all(replaced.filter((o) => !existing.get(describe(o))!.metadata?.deletionTimestamp)
      .map((o) => client.delete({ apiVersion: 'batch/v1', kind: 'Job', name: o.metadata!.name!, namespace })));
    const groups = applyOrder(desired.filter((o) => !replaced.includes(o)));
    // Granted by the create, or by an update that converged a failed create.
    const identityReady = [record.progress.create, record.progress.update].some((p) => p[BASE_STEPS.workloadIdentity]?.state === 'SUCCEEDED');
    for (const group of identityReady ? groups : groups.slice(0, 2)) await Promise.all(group.map((object) => client.apply(object as KubeObject)));
    if (!identityReady) {
      return await recordStatus(deps, ctx, record.id, wholeCell(spec, { message: `waiting for the Workload Identity grant (${BASE_STEPS.workloadIdentity}) before starting pods` }));
    }
    // Prune what is ours and no longer wanted (a model or a proxy removed from the spec).
    const wanted = new Set(desired.map(describe));
    const stale = [...existing.entries()].filter(([name, o]) => o.kind !== 'Namespace' && !wanted.has(name) && isOwned(o.metadata?.labels, record.id));
    await Promise.all(stale.map(([, o]) => client.delete({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, namespace: record.spec.saxml.namespace })));
    const status = deployerStatus(spec, await observe(client, record));
    return await recordStatus(deps, ctx, record.id, unpublish.length ? { ...status, unpublishing: unpublish } : status);
  } catch (error) {
    if (error instanceof ClusterAccessError) return recordStatus(deps, ctx, record.id, accessStatus(deps, record, error));
    if (error instanceof KubernetesApiError) {
      return recordStatus(deps, ctx, record.id, wholeCell(spec, {
        state: 'FAILED', cell: { state: 'FAILED' }, code: 'KUBERNETES_REFUSED',
        message: `the cluster refused the Saxml objects (${error.code} ${error.reason}): ${error.message}`,
      }));
    }
    throw error;
  }
});

/**
 * Models the spec no longer has whose publication the cell may still hold: those with a publish or
 * unpublish Job of this environment, until their unpublish Job has completed (then it is pruned).
 */
function toUnpublish(existing: Map<string, KubeObject>, spec: NormalisedSpec, environmentId: string, namespace: string): string[] {
  const wanted = new Set(spec.saxml.models.map((m) => m.id));
  const ids = [...existing.values()]
    .filter((o) => o.kind === 'Job' && isOwned(o.metadata?.labels, environmentId))
    .map((o) => o.metadata?.labels?.[LABELS.model])
    .filter((id): id is string => !!id && !wanted.has(id));
  const done = (id: string) => ((existing.get(`Job ${namespace}/${OBJECT_NAMES.unpublishJob(id)}`)?.status as { succeeded?: number } | undefined)?.succeeded ?? 0) > 0;
  return [...new Set(ids)].filter((id) => !done(id)).sort();
}

/** Namespace first; then what pods refer to (service account, parameters); then the workloads. */
function applyOrder(objects: SaxmlObject[]): SaxmlObject[][] {
  const rank = (o: SaxmlObject) => (o.kind === 'Namespace' ? 0 : o.kind === 'ServiceAccount' || o.kind === 'ConfigMap' ? 1 : 2);
  return [0, 1, 2].map((r) => objects.filter((o) => rank(o) === r));
}

const describe = (o: { kind?: string; metadata?: { name?: string; namespace?: string } }) =>
  `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

/** What already exists where the cell goes: the namespace and the objects of the kinds it applies, by `Kind ns/name`. */
async function existingObjects(client: ClusterClient, namespace: string): Promise<Map<string, KubeObject>> {
  const [ns, ...lists] = await Promise.all([
    client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace }),
    ...APPLIED_KINDS.map(([apiVersion, kind]) => client.list(apiVersion, kind, { namespace }).then((items) => items.map((o) => ({ ...o, apiVersion, kind })))),
  ]);
  const found = new Map<string, KubeObject>();
  if (ns) found.set(describe({ kind: 'Namespace', metadata: { name: namespace } }), { ...ns, apiVersion: 'v1', kind: 'Namespace' });
  for (const o of (lists as KubeObject[][]).flat()) found.set(describe({ kind: o.kind, metadata: { name: o.metadata?.name, namespace } }), o);
  return found;
}
