import type {
  V1ConfigMap, V1Container, V1Deployment, V1Job, V1Namespace, V1ObjectMeta, V1PodSpec, V1Service, V1ServiceAccount, V1Toleration,
} from '@kubernetes/client-node';
import { resourceNames } from '../naming.js';
import { gkeNodePoolName, type CpuNodePool, type NormalisedSpec } from '../spec.js';
import { tpuType } from '../tpu.js';
import { createHash } from 'node:crypto';
import { GKE_NODE_LABELS, LABELS, MANAGED_BY, OBJECT_NAMES, TEMPLATE_HASH, TPU_RESOURCE } from './labels.js';

/**
 * The Saxml cell as Kubernetes objects (reference §4.3), pure: from the normalised spec and the
 * environment id, the objects the deployer applies, in the order it applies them. Typed with the
 * Kubernetes models of @kubernetes/client-node (types only: the domain does no I/O) and checked
 * against Kubernetes' own schemas in a test.
 *
 * Where this differs from the guide, on purpose:
 * - one ConfigMap with one set of keys (the guide's TPU_SLICE_* / TPU_* mismatch cannot happen:
 *   per-pool TPU settings go straight into each model server's selectors and flags);
 * - one model server per TPU pool that serves models, pinned to its pool, sized from the TPU table;
 * - the proxy runs without `--reload`, behind a Service of the spec's type;
 * - models are published by one Job each instead of by hand from an idle util pod; no debug pods;
 * - resource requests on every container; `privileged` only on the model server.
 */

export type SaxmlObject = V1Namespace | V1ServiceAccount | V1ConfigMap | V1Deployment | V1Service | V1Job;

/** The workload SA's Workload Identity annotation (reference §2.6). */
const WORKLOAD_IDENTITY_ANNOTATION = 'iam.gke.io/gcp-service-account';

const ADMIN_POOL = 'saxml-admin-node-pool';
const PROXY_POOL = 'saxml-proxy-node-pool';
const ADMIN_PORT = 10000;
const MODEL_SERVER_PORT = 10001;
const PROXY_CONTAINER_PORT = 8087;
const PROXY_SERVICE_PORT = 8080;
/** How long a publish Job may wait for its replicas to load: the workflow waits as long. */
const PUBLISH_DEADLINE_SECONDS = 7200;

export interface ManifestInput {
  spec: NormalisedSpec;
  environmentId: string;
  /** Models removed from the spec whose publication the cell still holds: an unpublish Job each. */
  unpublish?: readonly string[];
}

export function saxmlManifests({ spec, environmentId, unpublish }: ManifestInput): SaxmlObject[] {
  const names = resourceNames(spec);
  const sax = spec.saxml;
  const namespace = sax.namespace;
  const common = { [LABELS.managedBy]: MANAGED_BY, [LABELS.environment]: environmentId, [LABELS.name]: 'saxml', [LABELS.instance]: spec.name };
  const meta = (name: string, component: string, extra: Record<string, string> = {}): V1ObjectMeta =>
    ({ name, namespace, labels: { ...common, [LABELS.component]: component, ...extra } });
  /** Pod template labels: the selector's labels plus the environment's. */
  const podLabels = (component: string, extra: Record<string, string> = {}) => ({ ...common, [LABELS.component]: component, ...extra });
  const selector = (component: string, extra: Record<string, string> = {}) =>
    ({ [LABELS.environment]: environmentId, [LABELS.component]: component, ...extra });

  const nsObject: V1Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { ...common, [LABELS.component]: 'namespace' } } };
  const ksa: V1ServiceAccount = {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { ...meta(sax.serviceAccountName, 'identity'), annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: names.workloadServiceAccountEmail } },
  };
  // One set of keys, read by every pod through envFrom: the admin image's entrypoint reads GSBUCKET and
  // SAX_CELL; the model server, saxutil and the proxy's Python client read SAX_ROOT.
  const parameters: V1ConfigMap = {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(OBJECT_NAMES.configMap, 'parameters'),
    data: { GSBUCKET: names.adminBucket, SAX_CELL: sax.cell, SAX_ROOT: `gs://${names.adminBucket}/sax-root` },
  };
  const envFrom = [{ configMapRef: { name: OBJECT_NAMES.configMap } }];
  const podSpec = (containers: V1Container[], placement: Placement, extra: Partial<V1PodSpec> = {}): V1PodSpec => ({
    serviceAccountName: sax.serviceAccountName,
    ...(Object.keys(placement.nodeSelector).length && { nodeSelector: placement.nodeSelector }),
    ...(placement.tolerations.length && { tolerations: placement.tolerations }),
    containers,
    ...extra,
  });

  const admin: V1Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(OBJECT_NAMES.adminServer, 'admin-server'),
    spec: {
      replicas: 1,
      // One admin per cell: never two at once during a rollout (they would fight over sax-root).
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector('admin-server') },
      template: {
        metadata: { labels: podLabels('admin-server') },
        spec: podSpec([{
          name: 'sax-admin-server',
          image: sax.images.adminServer,
          envFrom,
          ports: [{ name: 'admin', containerPort: ADMIN_PORT }, { name: 'http', containerPort: 8080 }],
          resources: { requests: { cpu: '1', memory: '2Gi' } },
          terminationMessagePolicy: 'FallbackToLogsOnError',
        }], cpuPoolPlacement(spec, ADMIN_POOL)),
      },
    },
  };

  const modelServers = servingPools(spec).map((pool): V1Deployment => {
    const type = tpuType(pool.tpuType)!;
    const labels = { [LABELS.tpuPool]: pool.name };
    return {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(OBJECT_NAMES.modelServer(pool.name), 'model-server', labels),
      spec: {
        // One pool is one single-host slice: one model server (validation keeps model replicas at 1).
        replicas: 1,
        // The slice has room for one server: the old pod must release the chips before a new one starts.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector('model-server', labels) },
        template: {
          metadata: { labels: podLabels('model-server', labels) },
          spec: podSpec([{
            name: 'sax-model-server',
            image: sax.images.modelServer,
            envFrom,
            args: [
              `--port=${MODEL_SERVER_PORT}`,
              '--sax_cell=$(SAX_CELL)',
              `--platform_chip=${type.chip}`,
              `--platform_topology=${type.topology}`,
              '--jax_platforms=tpu',
            ],
            ports: [{ name: 'model', containerPort: MODEL_SERVER_PORT }],
            resources: {
              requests: { cpu: '4', memory: '32Gi', [TPU_RESOURCE]: String(type.chipsPerVm) },
              limits: { [TPU_RESOURCE]: String(type.chipsPerVm) },
            },
            // The only privileged container: the Saxml v1.1.0 model server opens the TPU devices
            // (/dev/accel*, /dev/vfio) itself and raises its locked-memory limit, which GKE allows
            // without privilege only from 1.28 on; the guide runs it privileged for that reason.
            securityContext: { privileged: true },
            terminationMessagePolicy: 'FallbackToLogsOnError',
          }], {
            nodeSelector: {
              [GKE_NODE_LABELS.nodePool]: gkeNodePoolName(pool),
              [GKE_NODE_LABELS.tpuAccelerator]: type.accelerator,
              [GKE_NODE_LABELS.tpuTopology]: type.topology,
            },
            // GKE taints TPU nodes google.com/tpu=present:NoSchedule; it adds this toleration to pods
            // requesting the resource, but saying so keeps the manifest self-explanatory.
            tolerations: [{ key: TPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' }],
          }),
        },
      },
    };
  });

  const proxy: SaxmlObject[] = [];
  if (sax.proxy.image) {
    proxy.push({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(OBJECT_NAMES.proxy, 'proxy'),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector('proxy') },
        template: {
          metadata: { labels: podLabels('proxy') },
          spec: podSpec([{
            name: 'saxml-proxy',
            image: sax.proxy.image,
            envFrom,
            command: ['uvicorn'],
            // No --reload (the guide's development flag): it watches files and restarts workers.
            args: ['sax_http_proxy_server:app', '--host', '0.0.0.0', '--port', String(PROXY_CONTAINER_PORT)],
            ports: [{ name: 'http', containerPort: PROXY_CONTAINER_PORT }],
            resources: { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } },
            terminationMessagePolicy: 'FallbackToLogsOnError',
          }], cpuPoolPlacement(spec, PROXY_POOL)),
        },
      },
    } satisfies V1Deployment, {
      apiVersion: 'v1', kind: 'Service', metadata: meta(OBJECT_NAMES.proxy, 'proxy'),
      spec: {
        type: sax.proxy.serviceType,
        selector: selector('proxy'),
        ports: [{ name: 'http', port: PROXY_SERVICE_PORT, targetPort: 'http', protocol: 'TCP' }],
      },
    } satisfies V1Service);
  }

  /** A saxutil Job (its template, immutable, is replaced when it changes: TEMPLATE_HASH). */
  const saxutilJob = (name: string, component: string, modelId: string, env: { name: string; value: string }[], script: string): V1Job => {
    const labels = { [LABELS.model]: modelId };
    const template = {
      metadata: { labels: podLabels(component, labels) },
      spec: podSpec([{
        name: component,
        image: sax.images.util,
        envFrom,
        env: [{ name: 'MODEL_ID', value: modelId }, ...env],
        command: ['/bin/bash', '-c', script],
        resources: { requests: { cpu: '250m', memory: '256Mi' } },
        terminationMessagePolicy: 'FallbackToLogsOnError' as const,
      }], cpuPoolPlacement(spec, ADMIN_POOL), { restartPolicy: 'Never' }),
    };
    return {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { ...meta(name, component, labels), annotations: { [TEMPLATE_HASH]: templateHash(template) } },
      spec: { backoffLimit: 3, activeDeadlineSeconds: PUBLISH_DEADLINE_SECONDS, template },
    };
  };
  const publishJobs = sax.models.map((model) => saxutilJob(OBJECT_NAMES.publishJob(model.id), 'publish', model.id, [
    { name: 'MODEL_PATH', value: model.modelPath },
    { name: 'CHECKPOINT', value: model.checkpoint },
    { name: 'REPLICAS', value: String(model.replicas) },
  ], PUBLISH_SCRIPT));
  const unpublishJobs = (unpublish ?? []).map((id) => saxutilJob(OBJECT_NAMES.unpublishJob(id), 'unpublish', id, [], UNPUBLISH_SCRIPT));

  return [nsObject, ksa, parameters, admin, ...modelServers, ...proxy, ...publishJobs, ...unpublishJobs];
}

/** A short hash of a pod template (sorted keys): equal templates, equal hashes. */
function templateHash(template: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(template))).digest('hex').slice(0, 16);
}

/**
 * The publish Job's script (util image: Ubuntu with saxutil). Idempotent: a model the admin already
 * knows is updated to this path, checkpoint and replica count (`saxutil publish` refuses an existing
 * model; `update` takes the same arguments, as the Python client's Update does). It ends when the
 * admin reports the requested replicas loaded (`saxutil ls --csv`, fourth column), so the Job's
 * completion means "serving"; a failure leaves its output in the pod's termination message.
 */
export const PUBLISH_SCRIPT = [
  'set -u',
  'model="${SAX_CELL}/${MODEL_ID}"',
  'until saxutil ls "${SAX_CELL}" >/dev/null 2>&1; do echo "waiting for the admin server of ${SAX_CELL}"; sleep 5; done',
  'if saxutil ls --acls=false "${model}" >/dev/null 2>&1; then saxutil update "${model}" "${MODEL_PATH}" "${CHECKPOINT}" "${REPLICAS}" || exit 1;',
  'else saxutil publish "${model}" "${MODEL_PATH}" "${CHECKPOINT}" "${REPLICAS}" || exit 1; fi',
  'until [ "$(saxutil ls --csv --acls=false "${model}" | tail -n 1 | cut -d, -f4)" -ge "${REPLICAS}" ] 2>/dev/null; do sleep 10; done',
  'echo "${model} serves ${REPLICAS} replica(s)"',
].join('\n');

/** The unpublish Job's script: a model the admin lists is unpublished; one it does not is done. */
export const UNPUBLISH_SCRIPT = [
  'set -u',
  'model="${SAX_CELL}/${MODEL_ID}"',
  'until saxutil ls "${SAX_CELL}" >/dev/null 2>&1; do echo "waiting for the admin server of ${SAX_CELL}"; sleep 5; done',
  'if saxutil ls --acls=false "${model}" >/dev/null 2>&1; then saxutil unpublish "${model}" || exit 1; fi',
  'echo "${model} is not published"',
].join('\n');

/** TPU pools that serve at least one model, in spec order: each gets one model server. */
export function servingPools(spec: NormalisedSpec) {
  const used = new Set(spec.saxml.models.map((m) => m.tpuPool));
  return spec.cluster.tpuNodePools.filter((p) => used.has(p.name));
}

interface Placement {
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
}

const EFFECTS = { NO_SCHEDULE: 'NoSchedule', PREFER_NO_SCHEDULE: 'PreferNoSchedule', NO_EXECUTE: 'NoExecute' } as const;

/**
 * The guide's CPU pool for a component (its node label and taint), when the spec has a pool of that
 * name; otherwise no pinning: the pod goes to any node without a taint it does not tolerate.
 */
export function cpuPoolPlacement(spec: NormalisedSpec, poolName: string): Placement {
  const pool: CpuNodePool | undefined = spec.cluster.cpuNodePools.find((p) => p.name === poolName);
  if (!pool) return { nodeSelector: {}, tolerations: [] };
  return {
    nodeSelector: { [GKE_NODE_LABELS.nodePool]: pool.name },
    tolerations: pool.taints.map((t) => ({ key: t.key, operator: 'Equal', value: t.value, effect: EFFECTS[t.effect] })),
  };
}

/** `<cell>/<id>`: the id Sax clients use (`/sax/test/llama7b`). */
export const saxModelId = (cell: string, id: string): string => `${cell}/${id}`;
