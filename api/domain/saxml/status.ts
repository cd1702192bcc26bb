import type { V1Deployment, V1Job, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { z } from 'zod';
import { gkeNodePoolName, type NormalisedSpec } from '../spec.js';
import { GKE_NODE_LABELS, LABELS, OBJECT_NAMES } from './labels.js';
import { saxModelId, servingPools } from './manifests.js';

/**
 * The deployer's status rules, pure: what the cluster shows (objects, pods, nodes) → the state of
 * each part of the cell and of the whole, with a precise message on failure (DESIGN §1.5):
 * - an image that cannot be pulled is named;
 * - an unschedulable pod names its node pool and the scheduler's reasons (taints, capacity,
 *   selectors) — a model server only once its TPU pool has nodes (before, it is WAITING for them);
 * - a crash loop names the container and its last log line;
 * - a failed publish Job gives its output.
 * Objects are read as the Kubernetes API returns them (plain JSON: only non-date fields are used).
 */

export const DEPLOYER_STATES = ['DEPLOYING', 'READY', 'FAILED', 'DELETING', 'DELETED'] as const;
export const COMPONENT_STATES = ['WAITING', 'DEPLOYING', 'READY', 'FAILED'] as const;
type ComponentState = (typeof COMPONENT_STATES)[number];

/** Why a part failed, as the error code of the step that sees it. */
export const FAILURE_CODES = ['UNSCHEDULABLE', 'IMAGE_PULL_FAILED', 'CRASH_LOOP', 'PUBLISH_FAILED', 'NOT_ADOPTED', 'CLUSTER_ACCESS_DENIED', 'KUBERNETES_REFUSED'] as const;

const Component = z.object({
  /** The Kubernetes object: `Deployment saxml/sax-admin-server`. */
  object: z.string(),
  state: z.enum(COMPONENT_STATES),
  message: z.string().optional(),
  code: z.enum(FAILURE_CODES).optional(),
});
export type ComponentStatus = z.infer<typeof Component>;

export const ModelStatusSchema = Component.extend({
  modelId: z.string().describe('The Sax model id clients use, e.g. /sax/test/llama7b'),
  tpuPool: z.string(),
  replicas: z.object({ requested: z.number().int(), ready: z.number().int() }),
});
export type ModelStatus = z.infer<typeof ModelStatusSchema>;

export const DeployerStatusSchema = z.object({
  state: z.enum(DEPLOYER_STATES),
  message: z.string(),
  /** On FAILED: what kind of failure (the step's error code). */
  code: z.enum(FAILURE_CODES).optional(),
  /** The CPU side: admin server (and proxy). The plan's apply step is done when it is READY. */
  cell: z.object({ state: z.enum(COMPONENT_STATES) }),
  adminServer: Component.optional(),
  /** Per TPU pool: READY when its model server runs and every model it serves is loaded. */
  modelServers: z.record(z.string(), Component),
  /** Per model id: its publish Job (READY once the requested replicas are loaded). */
  models: z.record(z.string(), ModelStatusSchema),
  proxy: Component.extend({ address: z.string().optional() }).optional(),
  /** Teardown: our own finalizers removed by force, and foreign ones left in place (never touched). */
  forced: z.array(z.string()).optional(),
  left: z.array(z.string()).optional(),
  /** Models removed from the spec that the cell is unpublishing (an unpublish Job each). */
  unpublishing: z.array(z.string()).optional(),
  /** When the cluster first refused this service's access (IAM grants take time to propagate). */
  accessDeniedSince: z.string().optional(),
});
export type DeployerStatus = z.infer<typeof DeployerStatusSchema>;

export interface Observed {
  deployments: V1Deployment[];
  jobs: V1Job[];
  services: V1Service[];
  pods: V1Pod[];
  nodes: V1Node[];
}

export function deployerStatus(spec: NormalisedSpec, observed: Observed): DeployerStatus {
  const ns = spec.saxml.namespace;
  const deployment = (name: string) => observed.deployments.find((d) => d.metadata?.name === name);
  const job = (name: string) => observed.jobs.find((j) => j.metadata?.name === name);
  const podsOf = (labels: Record<string, string> | undefined) =>
    observed.pods.filter((p) => Object.entries(labels ?? {}).every(([k, v]) => p.metadata?.labels?.[k] === v));
  const poolHasNodes = (pool: string) =>
    observed.nodes.some((n) => n.metadata?.labels?.[GKE_NODE_LABELS.nodePool] === pool && isReady(n));

  const adminName = OBJECT_NAMES.adminServer;
  const adminServer = deploymentStatus(`Deployment ${ns}/${adminName}`, deployment(adminName), podsOf, () => true);

  const models: Record<string, ModelStatus> = {};
  for (const model of spec.saxml.models) {
    const name = OBJECT_NAMES.publishJob(model.id);
    const state = jobStatus(`Job ${ns}/${name}`, job(name), podsOf);
    models[model.id] = {
      ...state,
      modelId: saxModelId(spec.saxml.cell, model.id),
      tpuPool: model.tpuPool,
      replicas: { requested: model.replicas, ready: state.state === 'READY' ? model.replicas : 0 },
    };
  }

  const modelServers: Record<string, ComponentStatus> = {};
  for (const pool of servingPools(spec)) {
    const name = OBJECT_NAMES.modelServer(pool.name);
    const server = deploymentStatus(`Deployment ${ns}/${name}`, deployment(name), podsOf, () => poolHasNodes(gkeNodePoolName(pool)), pool.name);
    const own = Object.values(models).filter((m) => m.tpuPool === pool.name);
    const failedModel = own.find((m) => m.state === 'FAILED');
    modelServers[pool.name] =
      server.state !== 'READY' ? server
      : failedModel ? { ...server, state: 'FAILED', message: `model ${failedModel.modelId}: ${failedModel.message}`, ...(failedModel.code && { code: failedModel.code }) }
      : own.every((m) => m.state === 'READY') ? server
      : { ...server, state: 'DEPLOYING', message: `loading ${own.filter((m) => m.state !== 'READY').map((m) => m.modelId).join(', ')}` };
  }

  const proxy = spec.saxml.proxy.image ? proxyStatus(spec, deployment(OBJECT_NAMES.proxy), observed.services.find((s) => s.metadata?.name === OBJECT_NAMES.proxy), podsOf) : undefined;
  // A model removed from the spec is unpublished before the cell is READY again.
  const unpublishing = observed.jobs
    .filter((j) => j.metadata?.labels?.[LABELS.component] === 'unpublish')
    .map((j) => jobStatus(`Job ${ns}/${j.metadata?.name}`, j, podsOf));
  const cellParts = [adminServer, ...(proxy ? [proxy] : []), ...unpublishing];
  const parts: ComponentStatus[] = [...cellParts, ...Object.values(modelServers), ...Object.values(models)];
  const failed = parts.find((p) => p.state === 'FAILED');
  const pending = parts.filter((p) => p.state !== 'READY');
  return {
    state: failed ? 'FAILED' : pending.length ? 'DEPLOYING' : 'READY',
    ...(failed?.code && { code: failed.code }),
    message: failed ? `${failed.object}: ${failed.message}`
      : pending.length ? `waiting for ${pending.map((p) => `${p.object} (${p.message ?? p.state.toLowerCase()})`).join('; ')}`
      : `Saxml cell ${spec.saxml.cell} serves ${spec.saxml.models.length} model(s)`,
    cell: { state: combined(cellParts) },
    adminServer,
    modelServers,
    models,
    ...(proxy && { proxy }),
  };
}

function combined(parts: ComponentStatus[]): ComponentState {
  if (parts.some((p) => p.state === 'FAILED')) return 'FAILED';
  if (parts.every((p) => p.state === 'READY')) return 'READY';
  return parts.some((p) => p.state === 'WAITING') ? 'WAITING' : 'DEPLOYING';
}

const isReady = (node: V1Node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

type PodsOf = (labels: Record<string, string> | undefined) => V1Pod[];

/**
 * A Deployment: READY when all its replicas are available; otherwise the first pod problem.
 * `poolReady`: whether the node pool it needs has nodes (a model server waits for its TPU pool).
 */
function deploymentStatus(object: string, d: V1Deployment | undefined, podsOf: PodsOf, poolReady: () => boolean, pool?: string): ComponentStatus {
  if (!d) return { object, state: 'DEPLOYING', message: 'not applied yet' };
  const want = d.spec?.replicas ?? 1;
  if ((d.status?.availableReplicas ?? 0) >= want && (d.status?.updatedReplicas ?? want) >= want) return { object, state: 'READY' };
  const pods = podsOf(d.spec?.selector?.matchLabels);
  for (const pod of pods) {
    const problem = podProblem(pod, poolReady, pool ?? d.spec?.template?.spec?.nodeSelector?.[GKE_NODE_LABELS.nodePool]);
    if (problem) return { object, ...problem };
  }
  return { object, state: 'DEPLOYING', message: pods.length ? progressOf(pods[0]!) : 'creating pods' };
}

/** A publish Job: READY when complete, FAILED with its output, otherwise its pod's progress. */
function jobStatus(object: string, j: V1Job | undefined, podsOf: PodsOf): ComponentStatus {
  if (!j) return { object, state: 'DEPLOYING', message: 'not applied yet' };
  const condition = (type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  if (condition('Complete') || (j.status?.succeeded ?? 0) > 0) return { object, state: 'READY' };
  const pods = podsOf({ 'job-name': j.metadata?.name ?? '' });
  const failed = condition('Failed');
  if (failed) {
    const output = pods.map(terminationMessage).find(Boolean);
    return { object, state: 'FAILED', code: 'PUBLISH_FAILED', message: `${failed.reason ?? 'Failed'}: ${failed.message ?? 'the Job failed'}${output ? `; output: ${output}` : ''}` };
  }
  for (const pod of pods) {
    const problem = podProblem(pod, () => true, j.spec?.template?.spec?.nodeSelector?.[GKE_NODE_LABELS.nodePool]);
    if (problem) return { object, ...problem };
  }
  const running = pods.find((p) => p.status?.phase === 'Running');
  return { object, state: 'DEPLOYING', message: running ? 'publishing and waiting for the replicas to load' : pods[0] ? progressOf(pods[0]) : 'creating its pod' };
}

function proxyStatus(spec: NormalisedSpec, d: V1Deployment | undefined, service: V1Service | undefined, podsOf: PodsOf): ComponentStatus & { address?: string } {
  const ns = spec.saxml.namespace;
  const pods = deploymentStatus(`Deployment ${ns}/${OBJECT_NAMES.proxy}`, d, podsOf, () => true);
  const object = `Service ${ns}/${OBJECT_NAMES.proxy}`;
  if (pods.state !== 'READY') return pods;
  if (!service) return { object, state: 'DEPLOYING', message: 'not applied yet' };
  const port = service.spec?.ports?.[0]?.port ?? 8080;
  if (service.spec?.type === 'LoadBalancer') {
    const ingress = service.status?.loadBalancer?.ingress?.[0];
    const host = ingress?.ip ?? ingress?.hostname;
    return host ? { object, state: 'READY', address: `${host}:${port}` } : { object, state: 'DEPLOYING', message: 'waiting for the load balancer address' };
  }
  return { object, state: 'READY', address: `${OBJECT_NAMES.proxy}.${ns}.svc.cluster.local:${port}` };
}

/** A pod problem that is a failure (or, for a pool without nodes yet, a wait); undefined if none. */
function podProblem(pod: V1Pod, poolReady: () => boolean, pool: string | undefined): Omit<ComponentStatus, 'object'> | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    if (!poolReady()) return { state: 'WAITING', message: `waiting for the nodes of node pool ${pool}` };
    const where = pool ? `on node pool ${pool}` : 'on any node';
    return { state: 'FAILED', code: 'UNSCHEDULABLE', message: `pod ${pod.metadata?.name} cannot be scheduled ${where}: ${scheduled.message ?? 'Unschedulable'}` };
  }
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting;
    if (waiting && ['ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'].includes(waiting.reason ?? '')) {
      return { state: 'FAILED', code: 'IMAGE_PULL_FAILED', message: `cannot pull image ${c.image} for container ${c.name}: ${waiting.message ?? waiting.reason}` };
    }
    if (waiting?.reason === 'CrashLoopBackOff') {
      const last = lastLine(c.lastState?.terminated?.message);
      const exit = c.lastState?.terminated?.exitCode;
      return {
        state: 'FAILED',
        code: 'CRASH_LOOP',
        message: `container ${c.name} keeps crashing (${c.restartCount ?? 0} restarts${exit !== undefined ? `, exit code ${exit}` : ''})${last ? `; last log line: ${last}` : ''}`,
      };
    }
  }
  return undefined;
}

function progressOf(pod: V1Pod): string {
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  if (waiting) return `${waiting.reason ?? 'waiting'}${waiting.message ? `: ${waiting.message}` : ''}`;
  return pod.status?.phase === 'Running' ? 'starting' : (pod.status?.phase ?? 'Pending').toLowerCase();
}

function terminationMessage(pod: V1Pod): string | undefined {
  for (const c of pod.status?.containerStatuses ?? []) {
    const message = c.state?.terminated?.message ?? c.lastState?.terminated?.message;
    if (message?.trim()) return message.trim().split('\n').slice(-5).join(' | ');
  }
  return undefined;
}

const lastLine = (text: string | undefined) => text?.trim().split('\n').at(-1);
