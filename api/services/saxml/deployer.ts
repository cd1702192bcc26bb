import type { V1Deployment, V1Job, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Deps } from '../../deps.js';
import type { EnvironmentRecord, NewEvent, Operation } from '../../domain/environment.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { resourceNames } from '../../domain/naming.js';
import { ownedSelector } from '../../domain/saxml/labels.js';
import { saxmlOutputs } from '../../domain/saxml/outputs.js';
import { deployerStatus, type DeployerStatus, type Observed } from '../../domain/saxml/status.js';
import type { NormalisedSpec } from '../../domain/spec.js';
import { ClusterAccessError, type ClusterClient } from '../../kubernetes/port.js';
import type { ServiceContext } from '../context.js';
import { commit } from '../common/commit.js';

/**
 * What the three Saxml verbs (apply, status, delete) share: the environment they act on, a client
 * for its cluster (as the project's automation account), what the cluster shows, and recording the
 * deployer's status — state, `outputs.saxml` and one event per change, in one store transaction.
 */

export const specOf = (record: EnvironmentRecord) => record.spec as NormalisedSpec;

/** The namespaced kinds the deployer applies, and so checks, prunes and tears down. */
export const APPLIED_KINDS = [['apps/v1', 'Deployment'], ['batch/v1', 'Job'], ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'ServiceAccount']] as const;

const NOTHING_OBSERVED: Observed = { deployments: [], jobs: [], services: [], pods: [], nodes: [] };

/** The cell's status before anything of it is observed, with another state (a wait, or a failure of the whole). */
export function wholeCell(spec: NormalisedSpec, change: Pick<DeployerStatus, 'message'> & Partial<Pick<DeployerStatus, 'state' | 'code' | 'cell'>>): DeployerStatus {
  return { ...deployerStatus(spec, NOTHING_OBSERVED), ...change };
}

export async function loadEnvironment(deps: Deps, id: string): Promise<EnvironmentRecord> {
  const record = await deps.store.get(id);
  if (!record) throw notFound(`environment ${id}`);
  return record;
}

/**
 * The environment, when its running operation is a `target` one. The deployer's routes carry no
 * operation id: an execution that was superseded (a create overtaken by a forced delete, say) and
 * not cancelled yet must not act on the cluster behind the running operation's back, so its call
 * is answered 409, and the workflow stops at its report as on any 409 (issue 9).
 */
export async function loadRunning(deps: Deps, input: { id: string; operationId: string }, targets: readonly Operation['target'][]): Promise<EnvironmentRecord> {
  const record = await loadEnvironment(deps, input.id);
  const op = record.operation;
  if (op?.id !== input.operationId || op.state !== 'RUNNING' || !targets.includes(op.target)) {
    throw new DomainError('FAILED_PRECONDITION',
      `operation ${input.operationId} is not the running ${targets.join(' or ')} operation of environment ${input.id}` +
      `${op ? ` (that is ${op.id}, ${op.target}, ${op.state})` : ''}: the execution that called must stop`);
  }
  return record;
}

export function openCluster(deps: Deps, record: EnvironmentRecord): Promise<ClusterClient> {
  const names = resourceNames(record.spec);
  return deps.clusters.open({ project: record.project, location: record.region, cluster: names.cluster, serviceAccount: names.automationServiceAccountEmail });
}

/** The environment's workloads in its namespace (by its labels), their pods, and every node. */
export async function observe(client: ClusterClient, record: EnvironmentRecord): Promise<Observed> {
  const namespace = record.spec.saxml.namespace;
  const owned = { namespace, labelSelector: ownedSelector(record.id) };
  const [deployments, jobs, services, pods, nodes] = await Promise.all([
    client.list('apps/v1', 'Deployment', owned),
    client.list('batch/v1', 'Job', owned),
    client.list('v1', 'Service', owned),
    client.list('v1', 'Pod', { namespace }),
    client.list('v1', 'Node'),
  ]);
  return {
    deployments: deployments as V1Deployment[],
    jobs: jobs as V1Job[],
    services: services as V1Service[],
    pods: pods as V1Pod[],
    nodes: nodes as V1Node[],
  };
}

/**
 * A status for a cluster that cannot be used: waiting while it is missing, starting or briefly
 * unreachable; FAILED when access is denied for longer than IAM takes to propagate a grant (the
 * token-creator grant of bootstrap may be minutes old), naming what to fix.
 */
export function accessStatus(deps: Deps, record: EnvironmentRecord, error: ClusterAccessError): DeployerStatus {
  const previous = record.saxml;
  const base = { cell: { state: 'WAITING' as const }, modelServers: previous?.modelServers ?? {}, models: previous?.models ?? {} };
  if (error.code !== 'PERMISSION_DENIED') return { ...base, state: 'DEPLOYING', message: `waiting for the cluster: ${error.message}` };
  const since = previous?.accessDeniedSince ?? deps.now().toISOString();
  const waited = deps.now().getTime() - Date.parse(since);
  if (waited < deps.deployer.iamPropagationMs) {
    return { ...base, state: 'DEPLOYING', message: `waiting for IAM to propagate: ${error.message}`, accessDeniedSince: since };
  }
  return { ...base, state: 'FAILED', cell: { state: 'FAILED' }, code: 'CLUSTER_ACCESS_DENIED', message: error.message, accessDeniedSince: since };
}

/**
 * Records a status: the record's `saxml` part, the user's `outputs.saxml` (while creating), and an
 * event for each part whose state changed. Nothing is written when nothing changed.
 */
export async function recordStatus(deps: Deps, ctx: ServiceContext, id: string, status: DeployerStatus): Promise<DeployerStatus> {
  await commit(deps, ctx, id, (current) => {
    const events = changes(current.saxml, status, deps.now().toISOString(), current.operation?.id);
    const creating = current.operation?.target !== 'delete' && current.state !== 'DELETED';
    const outputs = creating && status.state !== 'DELETING' && status.state !== 'DELETED'
      ? { ...current.outputs, saxml: saxmlOutputs(specOf(current), status) }
      : current.outputs;
    const same = JSON.stringify(current.saxml) === JSON.stringify(status) && outputs === current.outputs;
    if (same) return { record: null };
    return { record: { ...current, saxml: status, outputs }, events };
  });
  return status;
}

function changes(before: DeployerStatus | undefined, after: DeployerStatus, time: string, operationId: string | undefined): NewEvent[] {
  const events: NewEvent[] = [];
  const event = (message: string, details?: Record<string, unknown>): NewEvent =>
    ({ time, type: 'saxml.changed', stage: 'saxml', ...(operationId && { operationId }), message, ...(details && { details }) });
  const parts = (s: DeployerStatus | undefined) => new Map(
    [s?.adminServer, s?.proxy, ...Object.values(s?.modelServers ?? {}), ...Object.values(s?.models ?? {})]
      .filter((p): p is NonNullable<typeof p> => !!p)
      .map((p) => [p.object, p]),
  );
  const old = parts(before);
  for (const [object, part] of parts(after)) {
    const was = old.get(object);
    if (was?.state === part.state) continue;
    events.push(event(`saxml: ${object} ${part.state}${part.message ? `: ${part.message}` : ''}`, { object, state: part.state }));
  }
  for (const model of after.unpublishing ?? []) {
    if (!before?.unpublishing?.includes(model)) events.push(event(`saxml: unpublishing model ${model} (removed from the spec)`, { unpublishing: model }));
  }
  for (const forced of after.forced ?? []) {
    if (!before?.forced?.includes(forced)) events.push(event(`saxml: removed the finalizers of ${forced} (ours) after waiting for them`, { forced }));
  }
  for (const left of after.left ?? []) {
    if (!before?.left?.includes(left)) events.push(event(`saxml: left in place (not ours, never touched): ${left}`, { left }));
  }
  if (before?.state !== after.state) events.push(event(`saxml ${after.state}: ${after.message}`, { state: after.state }));
  return events;
}
