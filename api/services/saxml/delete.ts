import { isOwned, ownedSelector } from '../../domain/saxml/labels.js';
import type { DeployerStatus } from '../../domain/saxml/status.js';
import { ClusterAccessError, type ClusterClient, type KubeObject, type ObjectRef } from '../../kubernetes/port.js';
import { verb } from '../context.js';
import { APPLIED_KINDS, accessStatus, loadRunning, openCluster, recordStatus } from './deployer.js';

/**
 * `POST …/saxml/delete`: one round of the teardown each call, so the workflow polls it until
 * DELETED (level-triggered: every round looks at the cluster afresh, and calling it again or
 * concurrently is harmless).
 * 1. LoadBalancer Services first, and wait until they are gone: their forwarding rules would
 *    otherwise outlive the cluster and block deleting the VPC (reference §6).
 * 2. Then the namespace (when it is ours; otherwise only our objects in it).
 * 3. A namespace still terminating after `finalizerGraceMs` (reference §6: "the namespace step may
 *    fail"): the finalizers of our own objects are removed; finalizers of objects that are not
 *    ours are never touched — they are named, and the teardown ends: the namespace goes with the
 *    cluster, which the plan deletes next.
 */


export const deleteSaxml = verb(async (deps, ctx, input: { id: string; operationId: string }): Promise<DeployerStatus> => {
  const record = await loadRunning(deps, input, ['delete']);
  const previous = record.saxml;
  const status = (state: 'DELETING' | 'DELETED', message: string, extra: Partial<DeployerStatus> = {}): DeployerStatus => ({
    state, message, cell: { state: 'WAITING' }, modelServers: {}, models: {},
    ...(previous?.forced && { forced: previous.forced }), ...(previous?.left && { left: previous.left }), ...extra,
  });
  let client: ClusterClient;
  try {
    client = await openCluster(deps, record);
  } catch (error) {
    if (!(error instanceof ClusterAccessError)) throw error;
    if (error.code === 'NOT_FOUND') return recordStatus(deps, ctx, record.id, status('DELETED', 'the cluster does not exist: nothing of Saxml is left'));
    const access = accessStatus(deps, record, error);
    return recordStatus(deps, ctx, record.id, access.state === 'FAILED' ? access : status('DELETING', access.message, access.accessDeniedSince ? { accessDeniedSince: access.accessDeniedSince } : {}));
  }
  const round = await teardownRound(client, record.spec.saxml.namespace, record.id, deps.now().getTime(), deps.deployer.finalizerGraceMs);
  const forced = [...new Set([...(previous?.forced ?? []), ...round.forced])];
  const left = round.left.length ? round.left : previous?.left ?? [];
  return recordStatus(deps, ctx, record.id, status(round.state, round.message, { ...(forced.length && { forced }), ...(left.length && { left }) }));
});

interface Round {
  state: 'DELETING' | 'DELETED';
  message: string;
  forced: string[];
  left: string[];
}

const name = (o: KubeObject, kind: string) => `${kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
const refOf = (apiVersion: string, kind: string, o: KubeObject): ObjectRef =>
  ({ apiVersion, kind, name: o.metadata!.name!, ...(o.metadata?.namespace && { namespace: o.metadata.namespace }) });

async function teardownRound(client: ClusterClient, namespace: string, environmentId: string, now: number, graceMs: number): Promise<Round> {
  const done = { forced: [], left: [] };
  const owned = { namespace, labelSelector: ownedSelector(environmentId) };

  const balancers = (await client.list('v1', 'Service', owned)).filter((s) => (s.spec as { type?: string } | undefined)?.type === 'LoadBalancer');
  if (balancers.length) {
    await Promise.all(balancers.filter((s) => !s.metadata?.deletionTimestamp).map((s) => client.delete(refOf('v1', 'Service', s))));
    return { ...done, state: 'DELETING', message: `waiting for the load balancer${balancers.length > 1 ? 's' : ''} of ${balancers.map((s) => name(s, 'Service')).join(', ')} to be released` };
  }

  const ns = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  const ours = ns && isOwned(ns.metadata?.labels, environmentId);
  if (!ns) return { ...done, state: 'DELETED', message: `namespace ${namespace} is gone` };
  if (!ours) {
    // Someone else's namespace: remove only what carries this environment's labels.
    const remaining = (await Promise.all(APPLIED_KINDS.map(async ([apiVersion, kind]) => (await client.list(apiVersion, kind, owned)).map((o) => ({ apiVersion, kind, o }))))).flat();
    if (!remaining.length) return { ...done, state: 'DELETED', message: `no object of this environment is left in namespace ${namespace} (not ours: kept)` };
    await Promise.all(remaining.filter((r) => !r.o.metadata?.deletionTimestamp).map((r) => client.delete(refOf(r.apiVersion, r.kind, r.o))));
    return { ...done, state: 'DELETING', message: `deleting ${remaining.length} object(s) of this environment in namespace ${namespace}` };
  }

  const since = ns.metadata?.deletionTimestamp;
  if (!since) {
    await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    return { ...done, state: 'DELETING', message: `deleting namespace ${namespace}` };
  }
  const holding = ((ns.status as { conditions?: { type: string; status: string; message?: string }[] } | undefined)?.conditions ?? [])
    .filter((c) => c.status === 'True');
  const conditions = holding.map((c) => c.message).filter(Boolean).join('; ');
  const finalizersRemaining = holding.find((c) => c.type === 'NamespaceFinalizersRemaining')?.message;
  if (now - Date.parse(String(since)) < graceMs) {
    return { ...done, state: 'DELETING', message: `namespace ${namespace} is terminating${conditions ? `: ${conditions}` : ''}` };
  }

  // Past the bounded wait: what still holds the namespace?
  const held = (await Promise.all(APPLIED_KINDS.map(async ([apiVersion, kind]) =>
    (await client.list(apiVersion, kind, { namespace })).filter((o) => o.metadata?.finalizers?.length).map((o) => ({ apiVersion, kind, o }))))).flat();
  const mine = held.filter((h) => isOwned(h.o.metadata?.labels, environmentId));
  const theirs = held.filter((h) => !isOwned(h.o.metadata?.labels, environmentId));
  const forced = mine.map((h) => `${name(h.o, h.kind)} (${h.o.metadata!.finalizers!.join(', ')})`);
  await Promise.all(mine.map((h) => client.clearFinalizers(refOf(h.apiVersion, h.kind, h.o))));
  if (mine.length) return { state: 'DELETING', message: `namespace ${namespace}: removed the finalizers of ${forced.join(', ')}`, forced, left: [] };
  const left = theirs.length
    ? theirs.map((h) => `${name(h.o, h.kind)} holds finalizer${h.o.metadata!.finalizers!.length > 1 ? 's' : ''} ${h.o.metadata!.finalizers!.join(', ')}`)
    : finalizersRemaining ? [`namespace ${namespace}: ${finalizersRemaining}`] : [];
  if (!left.length) return { ...done, state: 'DELETING', message: `namespace ${namespace} is terminating` };
  return {
    state: 'DELETED', forced: [], left,
    message: `namespace ${namespace} is left terminating, held by what is not this environment's: ${left.join('; ')}; it goes with the cluster`,
  };
}
