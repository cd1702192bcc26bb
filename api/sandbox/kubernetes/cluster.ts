/**
 * One sandbox cluster's Kubernetes state and the controllers that move it, timer-free like the rest
 * of the sandbox: every request first reconciles (namespace and object deletion, scheduling) and
 * statuses are computed from timestamps when read. What it simulates (and how long it takes) is in
 * FIDELITY.md's Kubernetes section:
 * - the scheduler: node selectors, taints and tolerations, cpu/memory/google.com/tpu capacity, with
 *   Kubernetes' own "0/N nodes are available: …" text;
 * - the kubelet: image pulls (ErrImagePull → ImagePullBackOff on demand), start-up, crash loops;
 * - Saxml itself, just enough: admin servers register, publish Jobs publish and wait until a model
 *   server of the namespace's cell has loaded the model;
 * - the service controller: LoadBalancer addresses with a forwarding rule in the sandbox's compute
 *   inventory, removed (with the Service's cleanup finalizer) on delete;
 * - the namespace controller: content deleted, finalizers honoured, the namespace gone when empty.
 */
import { createLoadBalancerRule } from '../compute.js';
import { keyOf } from '../compute-resources.js';
import type { FaultConfig } from '../faults.js';
import { hash32, type ClusterRec, type World } from '../state.js';
import { KUBE_DURATIONS, imagePullSeconds, modelLoadSeconds } from './durations.js';
import { groupVersion, type KindInfo } from './kinds.js';
import { nodesOf, renderNode, type FakeNode } from './nodes.js';
import { conflicts, content, isObject, managedFields, sameJson, withoutLeaves, type JsonObject, type PodSlot, type StoredObject } from './objects.js';

export const LB_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';

/** A Kubernetes `Status` failure. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; kind?: string; group?: string },
  ) {
    super(message);
  }
  toStatus() {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, ...(this.details && { details: this.details }), code: this.code };
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const resourceName = (k: KindInfo) => (k.group ? `${k.plural}.${k.group}` : k.plural);
const notFound = (k: KindInfo, name: string) =>
  new KubeError(404, 'NotFound', `${resourceName(k)} "${name}" not found`, { name, kind: k.plural, ...(k.group && { group: k.group }) });

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name?: string } }[];
  resources?: { requests?: Record<string, string> };
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: {
    nodeSelector?: Record<string, string>;
    tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
    containers?: Container[];
    serviceAccountName?: string;
    restartPolicy?: string;
  };
}

/** A pod's life on the simulated clock. */
interface Timeline {
  slot: PodSlot;
  owner: StoredObject;
  container: Container;
  pulledAt?: number;
  readyAt?: number;
  pullFailing?: boolean;
  crash?: { lastLogLine: string };
  /** Publish Jobs: when saxutil reaches the admin, and how the Job ends. */
  terminated?: { at: number; exitCode: number; message: string };
}

export class FakeCluster {
  readonly objects = new Map<string, StoredObject>();
  #rv = 1;

  constructor(
    readonly world: World,
    readonly rec: ClusterRec,
  ) {}

  key(kind: KindInfo, name: string, namespace?: string): string {
    return `${groupVersion(kind)}/${kind.plural}/${kind.namespaced ? namespace : ''}/${name}`;
  }

  private now(): number {
    return this.world.now();
  }

  private faults(): FaultConfig {
    return this.world.faults.get();
  }

  nodes(): FakeNode[] {
    return nodesOf(this.rec, this.faults());
  }

  /** Settles the sandbox's operations, then runs the controllers up to now. */
  reconcile(): void {
    this.world.settle();
    const now = this.now();
    for (const ns of [...this.objects.values()].filter((o) => o.kind.kind === 'Namespace' && o.deletionAt !== undefined)) {
      const inside = [...this.objects.values()].filter((o) => o.namespace === ns.name);
      for (const object of inside) if (object.deletionAt === undefined) this.markDeleted(object);
      if (inside.length === 0 && now >= ns.deletionAt! + this.world.sched.scaled(KUBE_DURATIONS.podTermination)) ns.finalizers = [];
    }
    for (const object of [...this.objects.values()]) {
      if (object.deletionAt !== undefined && object.finalizers.length === 0) this.objects.delete(this.key(object.kind, object.name, object.namespace));
    }
    this.schedule(now);
    this.writeSaxRoots(now);
  }

  /** A container's environment: its ConfigMaps (envFrom), then its own `env`. */
  private envOf(owner: StoredObject, container: Container): Record<string, string> {
    const out: Record<string, string> = {};
    for (const ref of container.envFrom ?? []) {
      const map = ref.configMapRef?.name ? this.objects.get(`v1/configmaps/${owner.namespace}/${ref.configMapRef.name}`) : undefined;
      Object.assign(out, map ? (content(map).data as Record<string, string> | undefined) : {});
    }
    for (const e of container.env ?? []) out[e.name] = e.value ?? '';
    return out;
  }

  /**
   * A running Saxml admin server keeps its cell's state in its bucket (`gs://$GSBUCKET/sax-root`,
   * reference §4.3): the objects appear in the sandbox bucket, so a teardown has to empty it.
   */
  private writeSaxRoots(now: number) {
    for (const t of this.timelines()) {
      if (!isImage(t.container.image, 'sax-admin-server') || t.readyAt === undefined || t.readyAt > now) continue;
      const env = this.envOf(t.owner, t.container);
      const bucket = this.world.buckets.get(env.GSBUCKET ?? '');
      if (!bucket) continue;
      const cell = env.SAX_CELL || '/sax/test';
      for (const name of [`sax-root${cell}/METADATA`, `sax-root${cell}/location.proto`, `sax-fs-root${cell}/acls`]) {
        if (!bucket.objects.has(name)) bucket.objects.set(name, { size: 256, createdAt: t.readyAt });
      }
    }
  }

  // ---- API verbs -------------------------------------------------------------------------

  apply(kind: KindInfo, namespace: string | undefined, name: string, body: JsonObject, manager: string, force: boolean): StoredObject {
    if (!manager) throw new KubeError(400, 'BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    if (body.apiVersion !== groupVersion(kind) || body.kind !== kind.kind) {
      throw new KubeError(400, 'BadRequest', `the API version in the data (${String(body.apiVersion)}) and kind (${String(body.kind)}) do not match the URL (${groupVersion(kind)}, ${kind.kind})`);
    }
    const meta = isObject(body.metadata) ? body.metadata : {};
    if (meta.name !== name) throw new KubeError(400, 'BadRequest', `the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    if (kind.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) {
      throw new KubeError(400, 'BadRequest', `the namespace of the provided object does not match the namespace sent on the request`);
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) || name.length > 253) {
      throw new KubeError(422, 'Invalid', `${kind.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
    }
    if (kind.namespaced) this.requireLiveNamespace(namespace!);
    const key = this.key(kind, name, namespace);
    const existing = this.objects.get(key);
    const config: JsonObject = { ...body, metadata: { ...meta, name, ...(kind.namespaced && { namespace }) } };
    delete config.status;
    const now = this.now();
    if (!existing) {
      const object: StoredObject = {
        kind, name, ...(kind.namespaced && { namespace }), uid: this.uid(key), createdAt: now, resourceVersion: this.#rv++, generation: 1,
        applied: new Map([[manager, config]]), appliedAt: new Map([[manager, now]]), finalizers: stringList(meta.finalizers),
      };
      this.objects.set(key, object);
      this.created(object);
      return object;
    }
    if (existing.deletionAt !== undefined) throw new KubeError(409, 'Conflict', `Operation cannot be fulfilled on ${resourceName(kind)} "${name}": object is being deleted`);
    const found = conflicts(existing, manager, config);
    if (found.length && !force) {
      throw new KubeError(409, 'Conflict', `Apply failed with ${found.length} conflict${found.length > 1 ? 's' : ''}: ${found.map((c) => `conflict with "${c.manager}": ${c.path}`).join('; ')}`);
    }
    const before = content(existing);
    // A forced apply takes the conflicting fields over: their former managers no longer set them.
    for (const other of new Set(found.map((c) => c.manager))) {
      existing.applied.set(other, withoutLeaves(existing.applied.get(other)!, new Set(found.filter((c) => c.manager === other).map((c) => c.path))));
    }
    const previous = existing.applied.get(manager);
    existing.applied.set(manager, config);
    const after = content(existing);
    this.checkImmutable(kind, name, before, after, () => (previous ? existing.applied.set(manager, previous) : existing.applied.delete(manager)));
    existing.appliedAt.set(manager, now);
    for (const f of stringList(meta.finalizers)) if (!existing.finalizers.includes(f)) existing.finalizers.push(f);
    if (!sameJson(before, after)) {
      existing.resourceVersion = this.#rv++;
      if (!sameJson(before.spec, after.spec)) existing.generation += 1;
      if (!sameJson((before.spec as JsonObject | undefined)?.template, (after.spec as JsonObject | undefined)?.template)) this.rollOut(existing);
    }
    return existing;
  }

  /** An object another controller made (the test API's scenarios): it carries no apply of ours. */
  createForeign(kind: KindInfo, namespace: string | undefined, body: JsonObject, manager: string): StoredObject {
    const object = this.apply(kind, namespace, String((body.metadata as JsonObject).name), body, manager, true);
    object.foreign = true;
    return object;
  }

  get(kind: KindInfo, name: string, namespace?: string): StoredObject {
    const object = this.objects.get(this.key(kind, name, namespace));
    if (!object) throw notFound(kind, name);
    return object;
  }

  list(kind: KindInfo, namespace?: string): StoredObject[] {
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && (namespace === undefined || o.namespace === namespace))
      .sort((a, b) => `${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.name}`));
  }

  delete(kind: KindInfo, name: string, namespace?: string): StoredObject {
    const object = this.get(kind, name, namespace);
    if (object.deletionAt === undefined) this.markDeleted(object);
    if (object.finalizers.length === 0 && object.kind.kind !== 'Namespace') this.objects.delete(this.key(kind, name, namespace));
    return object;
  }

  /** A JSON merge patch of `metadata.finalizers` (and labels/annotations): what the deployer sends. */
  mergePatch(kind: KindInfo, name: string, namespace: string | undefined, patch: JsonObject): StoredObject {
    const object = this.get(kind, name, namespace);
    const meta = isObject(patch.metadata) ? patch.metadata : {};
    if ('finalizers' in meta) {
      const next = stringList(meta.finalizers);
      if (object.deletionAt !== undefined && next.some((f) => !object.finalizers.includes(f))) {
        throw new KubeError(422, 'Invalid', `${kind.kind} "${name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted`);
      }
      object.finalizers = next;
    }
    object.resourceVersion = this.#rv++;
    this.reconcile();
    return object;
  }

  // ---- rendering ---------------------------------------------------------------------------

  render(object: StoredObject): JsonObject {
    const body = content(object);
    const meta = isObject(body.metadata) ? body.metadata : {};
    const rendered: JsonObject = {
      ...body,
      apiVersion: groupVersion(object.kind),
      kind: object.kind.kind,
      metadata: {
        ...meta,
        name: object.name,
        ...(object.namespace && { namespace: object.namespace }),
        uid: object.uid,
        resourceVersion: String(object.resourceVersion),
        generation: object.generation,
        creationTimestamp: iso(object.createdAt),
        ...(object.deletionAt !== undefined && { deletionTimestamp: iso(object.deletionAt), deletionGracePeriodSeconds: 0 }),
        ...(object.finalizers.length && { finalizers: [...object.finalizers] }),
        managedFields: managedFields(object, groupVersion(object.kind)) as unknown as JsonObject[],
      },
    };
    const status = this.status(object, rendered);
    return status ? { ...rendered, ...status } : rendered;
  }

  renderNodes(): JsonObject[] {
    return this.nodes().map((n) => renderNode(n) as unknown as JsonObject);
  }

  renderPods(namespace?: string): JsonObject[] {
    return this.timelines()
      .filter((t) => namespace === undefined || t.owner.namespace === namespace)
      .map((t) => this.renderPod(t));
  }

  // ---- controllers -------------------------------------------------------------------------

  private uid(key: string): string {
    const h = hash32(`${key}/${this.#rv}/${this.now()}`).toString(16).padStart(8, '0');
    return `${h}-${h.slice(0, 4)}-4${h.slice(1, 4)}-8${h.slice(4, 7)}-${hash32(key).toString(16).padStart(12, '0').slice(0, 12)}`;
  }

  private requireLiveNamespace(namespace: string) {
    const ns = this.objects.get(`v1/namespaces//${namespace}`);
    if (!ns) throw new KubeError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
    if (ns.deletionAt !== undefined) {
      throw new KubeError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private checkImmutable(kind: KindInfo, name: string, before: JsonObject, after: JsonObject, undo: () => void) {
    const spec = (o: JsonObject) => (isObject(o.spec) ? o.spec : {});
    const fields = kind.kind === 'Job' ? ['template', 'selector', 'completions'] : kind.kind === 'Deployment' ? ['selector'] : [];
    for (const field of fields) {
      if (spec(before)[field] !== undefined && !sameJson(spec(before)[field], spec(after)[field])) {
        undo();
        const label = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
        throw new KubeError(422, 'Invalid', `${label} "${name}" is invalid: spec.${field}: Invalid value: ${JSON.stringify(spec(after)[field])}: field is immutable`);
      }
    }
  }

  private created(object: StoredObject) {
    if (object.kind.kind === 'Deployment' || object.kind.kind === 'Job') this.rollOut(object);
    const spec = content(object).spec as JsonObject | undefined;
    if (object.kind.kind === 'Service' && spec?.type === 'LoadBalancer') this.provisionLoadBalancer(object);
  }

  /** New pods for the current template (both Deployments here use Recreate; Jobs never change). */
  private rollOut(object: StoredObject) {
    const spec = content(object).spec as JsonObject | undefined;
    const replicas = object.kind.kind === 'Job' ? 1 : Number(spec?.replicas ?? 1);
    const hash = hash32(`${object.uid}/${object.generation}/${this.now()}`).toString(36).slice(0, 10);
    object.pods = Array.from({ length: replicas }, (_, i) => ({
      name: object.kind.kind === 'Job' ? `${object.name}-${hash.slice(0, 5)}` : `${object.name}-${hash}-${hash32(`${hash}${i}`).toString(36).slice(0, 5)}`,
      uid: this.uid(`${object.name}/${hash}/${i}`),
      createdAt: this.now(),
    }));
  }

  private provisionLoadBalancer(service: StoredObject) {
    service.finalizers.push(LB_FINALIZER);
    service.loadBalancer = {};
    this.world.sched.start(KUBE_DURATIONS.loadBalancerCreate, () => {
      if (!this.objects.has(this.key(service.kind, service.name, service.namespace)) || service.deletionAt !== undefined || !this.world.clusters.has(clusterKey(this.rec))) return;
      const rule = createLoadBalancerRule(this.world, {
        project: this.rec.project, region: this.rec.location.replace(/-[a-z]$/, ''), cluster: this.rec.name, service: `${service.namespace}/${service.name}`,
      });
      service.loadBalancer = { ruleKey: keyOf('forwardingRule', rule.project, rule.region, rule.name), address: String(rule.body.IPAddress) };
      service.resourceVersion = this.#rv++;
    });
  }

  private markDeleted(object: StoredObject) {
    object.deletionAt = this.now();
    object.resourceVersion = this.#rv++;
    if (object.kind.kind === 'Namespace' && !object.finalizers.includes('kubernetes')) object.finalizers.push('kubernetes');
    if (object.finalizers.includes(LB_FINALIZER)) {
      this.world.sched.start(KUBE_DURATIONS.loadBalancerDelete, () => {
        if (object.loadBalancer?.ruleKey) this.world.compute.delete(object.loadBalancer.ruleKey);
        object.finalizers = object.finalizers.filter((f) => f !== LB_FINALIZER);
      });
    }
  }

  /** Places pods that have no node yet, in the order they were created (a first-fit scheduler). */
  private schedule(now: number) {
    const nodes = this.nodes();
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const used = new Map<string, { cpu: number; memory: number; tpu: number }>();
    const pending: { slot: PodSlot; template: PodTemplate }[] = [];
    const workloads = [...this.objects.values()].filter((o) => o.pods?.length && o.deletionAt === undefined);
    for (const owner of workloads) {
      const template = (content(owner).spec as JsonObject | undefined)?.template as PodTemplate | undefined;
      for (const slot of owner.pods!) {
        if (slot.node && !byName.has(slot.node)) delete slot.node;
        if (slot.node) add(used, slot.node, requests(template));
        else pending.push({ slot, template: template ?? {} });
      }
    }
    pending.sort((a, b) => a.slot.createdAt - b.slot.createdAt || a.slot.name.localeCompare(b.slot.name));
    for (const { slot, template } of pending) {
      const need = requests(template);
      const reasons = new Map<string, number>();
      const fit = nodes.find((node) => {
        const why = unfit(node, template, need, used.get(node.name));
        if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
        return !why;
      });
      if (fit) {
        slot.node = fit.name;
        slot.scheduledAt = Math.max(slot.createdAt, fit.readyAt, slot.lastBlockedAt ?? 0);
        delete slot.unschedulable;
        add(used, fit.name, need);
      } else {
        slot.lastBlockedAt = now;
        slot.unschedulable = nodes.length === 0 ? 'no nodes available to schedule pods'
          : `0/${nodes.length} nodes are available: ${[...reasons].map(([why, n]) => `${n} ${why}`).sort().join(', ')}. ` +
            `preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
      }
    }
  }

  /** Every pod of every live workload, with its life so far. */
  private timelines(): Timeline[] {
    const faults = this.faults();
    const scaled = (s: number) => this.world.sched.scaled(s);
    const out: Timeline[] = [];
    for (const owner of this.objects.values()) {
      if (!owner.pods || owner.deletionAt !== undefined) continue;
      const container = ((content(owner).spec as JsonObject)?.template as PodTemplate | undefined)?.spec?.containers?.[0];
      if (!container) continue;
      for (const slot of owner.pods) {
        const t: Timeline = { slot, owner, container };
        if (slot.scheduledAt !== undefined) {
          if (faults.imagePullErrors.includes(container.image)) t.pullFailing = true;
          else {
            t.pulledAt = slot.scheduledAt + scaled(imagePullSeconds(container.image));
            const crash = faults.crashLoops.find((c) => c.image === container.image);
            if (crash) t.crash = { lastLogLine: crash.lastLogLine };
            else t.readyAt = t.pulledAt + scaled(startSeconds(container.image));
          }
        }
        out.push(t);
      }
    }
    // Saxml, as far as the deployer sees it: publish Jobs end once a model server of their cell
    // (namespace) has loaded the model, or fail at publish for a bad checkpoint.
    const ready = (t: Timeline) => t.readyAt !== undefined && t.readyAt <= this.now();
    for (const job of out.filter((t) => t.owner.kind.kind === 'Job' && t.readyAt !== undefined)) {
      const env = this.envOf(job.owner, job.container);
      if (!isSaxUtil(job.container.image) || !env.MODEL_PATH) {
        job.terminated = { at: job.readyAt!, exitCode: 0, message: '' };
        continue;
      }
      const sameCell = out.filter((t) => t.owner.namespace === job.owner.namespace && t.owner.kind.kind === 'Deployment');
      const adminAt = min(sameCell.filter((t) => isImage(t.container.image, 'sax-admin-server') && ready(t)).map((t) => t.readyAt!));
      if (adminAt === undefined) continue;
      const publishedAt = Math.max(job.readyAt!, adminAt) + scaled(KUBE_DURATIONS.publish);
      if (publishedAt > this.now()) continue;
      const model = `${env.SAX_CELL || '/sax/test'}/${env.MODEL_ID}`;
      if (faults.badCheckpoints.includes(env.CHECKPOINT ?? '')) {
        job.terminated = {
          at: publishedAt, exitCode: 1,
          message: `E0101 00:00:00.000000 1 saxutil.go:97] Error: Failed to publish model: checkpoint ${env.CHECKPOINT} of ${model}: NOT_FOUND: no such object`,
        };
        continue;
      }
      const serverAt = min(sameCell.filter((t) => isImage(t.container.image, 'sax-model-server') && ready(t)).map((t) => t.readyAt!));
      if (serverAt === undefined) continue;
      const loadedAt = Math.max(publishedAt, serverAt) + scaled(modelLoadSeconds(env.MODEL_PATH));
      const poll = scaled(KUBE_DURATIONS.publishPoll);
      const doneAt = publishedAt + Math.ceil((loadedAt - publishedAt) / poll) * poll;
      if (doneAt <= this.now()) job.terminated = { at: doneAt, exitCode: 0, message: `${model} serves ${env.REPLICAS ?? '1'} replica(s)` };
    }
    return out;
  }

  private renderPod(t: Timeline): JsonObject {
    const now = this.now();
    const { slot, owner, container } = t;
    const template = (content(owner).spec as JsonObject)?.template as PodTemplate;
    const labels = { ...template.metadata?.labels, ...(owner.kind.kind === 'Job' && { 'job-name': owner.name, 'batch.kubernetes.io/job-name': owner.name, 'controller-uid': owner.uid }) };
    const conditions: JsonObject[] = [];
    let phase = 'Pending';
    let status: JsonObject | undefined;
    if (slot.scheduledAt === undefined) {
      conditions.push({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: slot.unschedulable ?? 'no nodes available to schedule pods', lastTransitionTime: iso(slot.createdAt) });
    } else {
      conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(slot.scheduledAt) });
      const base = { name: container.name, image: container.image, imageID: '', restartCount: 0, started: false, ready: false };
      if (t.pullFailing) {
        const backedOff = now >= slot.scheduledAt + this.world.sched.scaled(KUBE_DURATIONS.imagePullBackOff);
        status = { ...base, state: { waiting: backedOff
          ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${container.image}"` }
          : { reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = failed to pull and unpack image "${container.image}": failed to resolve reference "${container.image}": ${container.image}: not found` } } };
      } else if (now < t.pulledAt!) {
        status = { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
      } else if (t.crash) {
        phase = 'Running';
        const cycle = this.world.sched.scaled(KUBE_DURATIONS.containerStart + KUBE_DURATIONS.crashLoopBackOff);
        const restarts = Math.floor((now - t.pulledAt!) / Math.max(cycle, 1));
        status = {
          ...base, restartCount: restarts,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${container.name} pod=${slot.name}_${owner.namespace}(${slot.uid})` } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', message: `${t.crash.lastLogLine}\n`, startedAt: iso(t.pulledAt!), finishedAt: iso(t.pulledAt!) } },
        };
      } else if (t.terminated && t.terminated.at <= now) {
        phase = t.terminated.exitCode === 0 ? 'Succeeded' : 'Failed';
        status = { ...base, state: { terminated: { exitCode: t.terminated.exitCode, reason: t.terminated.exitCode === 0 ? 'Completed' : 'Error', message: t.terminated.message, startedAt: iso(t.pulledAt!), finishedAt: iso(t.terminated.at) } } };
      } else {
        phase = 'Running';
        const isReady = now >= t.readyAt!;
        status = { ...base, started: true, ready: isReady, state: { running: { startedAt: iso(t.pulledAt!) } } };
        if (isReady) conditions.push({ type: 'Ready', status: 'True', lastTransitionTime: iso(t.readyAt!) });
      }
    }
    return {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: slot.name, namespace: owner.namespace!, uid: slot.uid, labels, creationTimestamp: iso(slot.createdAt),
        ownerReferences: [{ apiVersion: groupVersion(owner.kind), kind: owner.kind.kind, name: owner.name, uid: owner.uid, controller: true }] },
      spec: { ...(template.spec as JsonObject), ...(slot.node && { nodeName: slot.node }) },
      status: { phase, conditions, ...(status && { containerStatuses: [status] }) },
    };
  }

  private status(object: StoredObject, rendered: JsonObject): JsonObject | undefined {
    const now = this.now();
    const spec = (isObject(rendered.spec) ? rendered.spec : {}) as JsonObject;
    switch (object.kind.kind) {
      case 'Namespace': {
        if (object.deletionAt === undefined) return { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
        const inside = [...this.objects.values()].filter((o) => o.namespace === object.name);
        const held = inside.filter((o) => o.finalizers.length);
        const finalizers = [...new Set(held.flatMap((o) => o.finalizers))].sort();
        const kinds = [...new Set(inside.map((o) => resourceName(o.kind)))].sort();
        const conditions = [
          { type: 'NamespaceContentRemaining', status: inside.length ? 'True' : 'False', reason: inside.length ? 'SomeResourcesRemain' : 'ContentDeleted',
            message: inside.length ? `Some resources are remaining: ${kinds.map((k) => `${k} has ${inside.filter((o) => resourceName(o.kind) === k).length} resource instances`).join(', ')}` : 'All content successfully deleted, may be waiting on finalization' },
          { type: 'NamespaceFinalizersRemaining', status: held.length ? 'True' : 'False', reason: held.length ? 'SomeFinalizersRemain' : 'ContentHasNoFinalizers',
            message: held.length ? `Some content in the namespace has finalizers remaining: ${finalizers.map((f) => `${f} in ${held.filter((o) => o.finalizers.includes(f)).length} resource instances`).join(', ')}` : 'All content-preserving finalizers finished' },
        ];
        return { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating', conditions: conditions as unknown as JsonObject[] } };
      }
      case 'Deployment': {
        const pods = this.timelines().filter((t) => t.owner === object);
        const ready = pods.filter((t) => t.readyAt !== undefined && t.readyAt <= now).length;
        const replicas = Number(spec.replicas ?? 1);
        return { status: {
          observedGeneration: object.generation, replicas: pods.length, updatedReplicas: pods.length, readyReplicas: ready, availableReplicas: ready,
          ...(pods.length - ready > 0 && { unavailableReplicas: pods.length - ready }),
          conditions: [{ type: 'Available', status: ready >= replicas ? 'True' : 'False', reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
            message: ready >= replicas ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' }],
        } };
      }
      case 'Job': {
        const pod = this.timelines().find((t) => t.owner === object);
        const ended = pod?.terminated && pod.terminated.at <= now ? pod.terminated : undefined;
        const base = { startTime: iso(object.createdAt) };
        if (ended?.exitCode === 0) {
          return { status: { ...base, succeeded: 1, completionTime: iso(ended.at), conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: iso(ended.at) }] } };
        }
        if (ended) {
          return { status: { ...base, failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastTransitionTime: iso(ended.at) }] } };
        }
        return { status: { ...base, active: 1 } };
      }
      case 'Service': {
        const clusterIP = `10.${(hash32(object.uid) >>> 16) % 256}.${(hash32(object.uid) >>> 8) % 256}.${hash32(object.uid) % 254 + 1}`;
        const address = object.loadBalancer?.address;
        return { spec: { ...spec, clusterIP, clusterIPs: [clusterIP] }, status: { loadBalancer: address ? { ingress: [{ ip: address, ipMode: 'VIP' }] } : {} } };
      }
      default:
        return undefined;
    }
  }
}

export const clusterKey = (rec: ClusterRec) => `projects/${rec.project}/locations/${rec.location}/clusters/${rec.name}`;

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const min = (values: number[]) => (values.length ? Math.min(...values) : undefined);
const isImage = (image: string, name: string) => image.split('/').at(-1)!.split(/[:@]/)[0] === name;
const isSaxUtil = (image: string) => isImage(image, 'sax-util');

function startSeconds(image: string): number {
  if (isImage(image, 'sax-admin-server')) return KUBE_DURATIONS.adminStart;
  if (isImage(image, 'sax-model-server')) return KUBE_DURATIONS.modelServerStart;
  return KUBE_DURATIONS.containerStart;
}

/** A Kubernetes quantity in millicores (cpu), MiB (memory) or units. */
function quantity(value: string | undefined, unit: 'cpu' | 'memory' | 'count'): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G)?$/.exec(value ?? '');
  if (!m) return 0;
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (unit === 'cpu') return suffix === 'm' ? n : n * 1000;
  if (unit === 'count') return n;
  const mib: Record<string, number> = { '': 1 / (1024 * 1024), Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, k: 1000 / (1024 * 1024), M: 1e6 / (1024 * 1024), G: 1e9 / (1024 * 1024) };
  return n * (mib[suffix] ?? 1);
}

function requests(template: PodTemplate | undefined) {
  const total = { cpu: 0, memory: 0, tpu: 0 };
  for (const c of template?.spec?.containers ?? []) {
    total.cpu += quantity(c.resources?.requests?.cpu, 'cpu');
    total.memory += quantity(c.resources?.requests?.memory, 'memory');
    total.tpu += quantity(c.resources?.requests?.['google.com/tpu'], 'count');
  }
  return total;
}

function add(used: Map<string, { cpu: number; memory: number; tpu: number }>, node: string, need: { cpu: number; memory: number; tpu: number }) {
  const u = used.get(node) ?? { cpu: 0, memory: 0, tpu: 0 };
  used.set(node, { cpu: u.cpu + need.cpu, memory: u.memory + need.memory, tpu: u.tpu + need.tpu });
}

/** Why a pod cannot go on a node, in the scheduler's words; undefined when it fits. */
function unfit(node: FakeNode, template: PodTemplate, need: { cpu: number; memory: number; tpu: number }, used = { cpu: 0, memory: 0, tpu: 0 }): string | undefined {
  const selector = template.spec?.nodeSelector ?? {};
  if (Object.entries(selector).some(([k, v]) => node.labels[k] !== v)) return "node(s) didn't match Pod's node affinity/selector";
  // GKE's ExtendedResourceToleration: pods requesting google.com/tpu tolerate the TPU taint.
  const tolerations = [...(template.spec?.tolerations ?? []), ...(need.tpu > 0 ? [{ key: 'google.com/tpu', operator: 'Exists', effect: 'NoSchedule' }] : [])];
  const untolerated = node.taints.find((taint) => taint.effect !== 'PreferNoSchedule' && !tolerations.some((t) =>
    (t.key === undefined || t.key === taint.key) && (t.effect === undefined || t.effect === '' || t.effect === taint.effect) &&
    (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? ''))));
  if (untolerated) return `node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`;
  if (need.tpu > node.allocatable.tpu - used.tpu) return 'Insufficient google.com/tpu';
  if (need.cpu > node.allocatable.cpu - used.cpu) return 'Insufficient cpu';
  if (need.memory > node.allocatable.memory - used.memory) return 'Insufficient memory';
  return undefined;
}
