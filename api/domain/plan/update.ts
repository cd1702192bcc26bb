import { isDeepStrictEqual } from 'node:util';
import type { StepOutputKey, UpdateBase } from '../environment.js';
import { saxmlManifests, servingPools, type SaxmlObject } from '../saxml/manifests.js';
import { OBJECT_NAMES } from '../saxml/labels.js';
import { resourceNames } from '../naming.js';
import type { NormalisedSpec } from '../spec.js';
import { CLUSTER_BUSY } from './base/cluster.js';
import { BASE_STEPS } from './base/ids.js';
import type { StepDef } from './context.js';
import { createForm, deleteForm } from './delete.js';
import { ancestors, descendants, PlanGraphError } from './graph.js';
import type { Bodies, GoogleUrls } from './google.js';
import { SAXML_STEPS } from './saxml.js';
import type { PlanStep, ResourceStep } from './types.js';

/**
 * The update plan (DESIGN §6): the steps that converge the environment from what it was (the
 * base, environment.ts `UpdateBase`) to its spec. Both sides are compiled by the same stage
 * builders as a create, and compared step by step:
 *
 * - a resource the base does not have → its create step;
 * - one whose create step is the same (titles and dependencies aside) → nothing, unless the base
 *   does not know it to be there (`pending`: a failed operation left it unknown) → its create step
 *   again (idempotent: it finds what exists);
 * - one that differs → the in-place calls that change what differs (cluster labels, a CPU pool's
 *   size and autoscaling, a bucket's labels), or, for a TPU pool GKE cannot change in place, a
 *   replacement: the new pool before the old one is deleted when they have different GKE names
 *   (quota allowed both at once), else the old one first;
 * - the Saxml cell when its objects change (the deployer applies and prunes them), and the model
 *   server of every pool whose server or models change;
 * - a resource the spec no longer has → its delete, in reverse dependency order, after the Saxml
 *   apply that stops using it; and the deletes a failed update left (`leftovers`).
 *
 * In-place and replacement steps are named `<resource step id>:<what>`; the rest keep their
 * resource step's id. Dependencies are the create plan's, restricted to the steps in the plan (a
 * step waits for the nearest ones it depended on through steps that need not run).
 */

export interface UpdateInput {
  /** The spec's create steps (stage builders' output) and the base spec's. */
  to: StepDef[];
  from: StepDef[];
  /** Create steps of each leftover's spec, in `base.leftovers` order. */
  leftovers: StepDef[][];
  toSpec: NormalisedSpec;
  fromSpec: NormalisedSpec;
  base: UpdateBase;
  environmentId: string;
  urls: GoogleUrls;
}

const CHANGE = ':';
/** The resource step a step of an update plan belongs to (`base.cluster:labels` → `base.cluster`). */
export const resourceStepId = (id: string): string => id.split(CHANGE)[0]!;
/** The step deleting a resource the i-th leftover (environment.ts `UpdateBase`) names. */
export const leftoverStepId = (id: string, i: number): string => `${id}${CHANGE}leftover${i ? `.${i + 1}` : ''}`;
/** A step that makes nothing: a lookup (the project number) or a check (granted roles in effect). */
const isCheck = (step: PlanStep) => step.kind === 'resource' && !step.create;

/** A step's resource content: what it calls and checks, not how it is titled or what it waits for. */
function content(step: PlanStep): unknown {
  const { title: _t, after: _a, transient: _tr, outputs: _o, ...rest } = createForm({ step });
  return rest;
}
const same = (a: PlanStep, b: PlanStep) => isDeepStrictEqual(content(a), content(b));

interface Planned {
  step: PlanStep;
  /** The resource step whose create-plan dependencies this step inherits (absent: `after` is final). */
  inherits?: string;
}

export function updatePlanSteps(input: UpdateInput): PlanStep[] {
  const { to, from, base } = input;
  const fromById = new Map(from.map((d) => [d.step.id, d]));
  const toById = new Map(to.map((d) => [d.step.id, d]));
  const pending = new Set(base.pending);
  const planned: Planned[] = [];
  const add = (step: PlanStep, inherits?: string) => planned.push({ step, ...(inherits && { inherits }) });
  const changedChecks: StepDef[] = [];

  for (const def of to) {
    const step = def.step;
    const was = fromById.get(step.id);
    if (step.kind === 'api') continue; // Saxml: below.
    // Lookups and checks (the project number, whether granted roles took effect): a check whose
    // subject changed runs again before what it gates (below); a lookup when a step uses its capture.
    if (isCheck(step)) {
      if (was && !same(was.step, step)) changedChecks.push(def);
      continue;
    }
    if (!was) {
      add(createForm(def), step.id);
      continue;
    }
    if (same(was.step, step)) {
      if (pending.has(step.id)) add(createForm(def), step.id);
      continue;
    }
    for (const change of changeSteps(was.step, step, input, pending.has(step.id))) add(change.step, change.inherits);
  }

  const saxmlSteps = saxmlChanges(input, pending, new Set(planned.map((p) => p.step.id)));
  for (const step of saxmlSteps) add(step, step.id);
  // A changed check (new roles to wait for) runs when a step it gates makes or changes something.
  const gated = descendants(to.map((d) => d.step));
  const making = new Set(planned.map((p) => p.inherits).filter((id): id is string => !!id));
  for (const def of changedChecks) {
    if ([...gated.get(def.step.id)!].some((id) => making.has(id))) add(createForm(def), def.step.id);
  }
  const saxmlApply = saxmlSteps.some((s) => s.id === SAXML_STEPS.cell) ? [SAXML_STEPS.cell] : [];

  // Deletes of what the spec no longer has, after the steps that used them in the base (reversed).
  const gone = from.filter((d) => !toById.has(d.step.id) && d.step.kind !== 'api' && !isCheck(d.step));
  const goneIds = new Set(gone.map((d) => d.step.id));
  const dependants = descendants(from.map((d) => d.step));
  for (const def of gone) {
    const step = removal(def, def.step.id);
    if (!step) continue;
    const before = [...dependants.get(def.step.id)!].filter((id) => goneIds.has(id) && removable(fromById.get(id)!));
    add({ ...step, after: [...before, ...(def.step.stage === 'base' ? saxmlApply : [])] });
  }
  base.leftovers.forEach((leftover, i) => {
    const defs = new Map(input.leftovers[i]!.map((d) => [d.step.id, d]));
    for (const id of leftover.steps) {
      const def = defs.get(id);
      const wanted = toById.get(id);
      // The spec wants this very resource (same URL) again: its create step finds it.
      if (!def || (wanted && urlOf(wanted.step) === urlOf(def.step))) continue;
      const step = removal(def, leftoverStepId(id, i));
      if (step) add({ ...step, after: [...(def.step.stage === 'base' ? saxmlApply : [])] });
    }
  });

  addLookups(planned, to);
  return resolveDependencies(planned, to);
}

const urlOf = (step: PlanStep) => (step.kind === 'resource' ? step.get?.url : undefined);

const removable = (def: StepDef) => !!def.undo || isNodePool(def.step);
const isNodePool = (step: PlanStep): step is ResourceStep =>
  step.kind === 'resource' && step.id.startsWith(BASE_STEPS.tpuPool(''));

/**
 * The step that deletes a resource of the base: its undo (as a delete plan would), or for a TPU
 * pool — which a delete plan leaves to the cluster — a node pool delete. Bindings a delete plan
 * leaves alone (the project's) are left alone here too.
 */
function removal(def: StepDef, id: string): PlanStep | undefined {
  const clears = outputsOf(def.step);
  const extra = { id, ...(clears.length && { clears }) };
  if (isNodePool(def.step)) return { ...nodePoolDelete(def.step, `Delete the TPU node pool ${lastSegment(def.step.get!.url)}`), ...extra };
  if (!def.undo) return undefined;
  return { ...deleteForm(def), ...extra };
}

const lastSegment = (url: string) => url.slice(url.lastIndexOf('/') + 1);

function outputsOf(step: PlanStep): StepOutputKey[] {
  return [...Object.keys(step.outputs ?? {}), ...(step.kind === 'resource' ? Object.keys(step.capture ?? {}) : [])] as StepOutputKey[];
}

/** DELETE the node pool and follow GKE's operation; the pool's own transient errors (a busy cluster) are waited out. */
function nodePoolDelete(step: ResourceStep, title: string): ResourceStep {
  const url = step.get!.url;
  return {
    id: step.id, stage: step.stage, title, after: [], as: step.as, kind: 'resource',
    ...(step.transient && { transient: step.transient }),
    get: { method: 'GET', url },
    // Deleted only if it carries the environment's mark, as every delete (plan/marks.ts).
    ...(step.owner && { owner: step.owner }),
    delete: { method: 'DELETE', url, poll: { style: 'container' } },
  };
}

/**
 * An in-place call on a resource that exists. GKE's calls wait out another operation on the
 * cluster (its own upgrades, or the other changes of this plan: GKE runs them one at a time).
 */
function inPlace(resource: PlanStep, suffix: string, title: string, call: NonNullable<ResourceStep['update']>, extra: Partial<ResourceStep> = {}): ResourceStep {
  const gke = call.poll.style === 'container' ? [CLUSTER_BUSY] : [];
  const transient = [...(resource.transient ?? []), ...gke.filter((t) => !resource.transient?.includes(t))];
  return {
    id: `${resource.id}${CHANGE}${suffix}`, stage: resource.stage, title, after: [], as: resource.as, kind: 'resource',
    ...(transient.length && { transient }),
    update: call,
    ...extra,
  };
}

/** The steps that turn `was` into `now` (same id, different content). */
function changeSteps(was: PlanStep, now: PlanStep, input: UpdateInput, pending: boolean): { step: PlanStep; inherits?: string }[] {
  const id = now.id;
  // Roles and services only ever grow here: what a spec stops needing stays (like services on delete).
  if (now.kind === 'iamBinding' && was.kind === 'iamBinding') {
    const had = new Set(was.bindings.map((b) => `${b.role} ${b.member}`));
    const added = now.bindings.filter((b) => !had.has(`${b.role} ${b.member}`));
    return added.length ? [{ step: { ...now, bindings: added }, inherits: id }] : [];
  }
  if (now.kind === 'resource' && was.kind === 'resource' && !now.get) {
    const had = new Set((was.create?.body as Bodies['batchEnable'] | undefined)?.serviceIds ?? []);
    const wanted = (now.create?.body as Bodies['batchEnable'] | undefined)?.serviceIds ?? [];
    return wanted.every((service) => had.has(service)) ? [] : [{ step: createForm({ step: now }), inherits: id }];
  }
  if (now.kind !== 'resource' || was.kind !== 'resource') throw new PlanGraphError(`step "${id}" changed kind`);
  // A resource the base does not know to exist is made (or found) first; the changes follow.
  const ensure = pending ? [{ step: createForm({ step: now }), inherits: id }] : [];
  const after = (steps: ResourceStep[]) => steps.map((step) => ({ step: { ...step, after: [...step.after, ...(pending ? [id] : [])] }, inherits: id }));
  if (id === BASE_STEPS.cluster) return [...ensure, ...after(clusterChanges(was, now, input))];
  if (isNodePool(now)) {
    const inPlaceSteps = nodePoolSizeChanges(was, now, input);
    if (inPlaceSteps) return [...ensure, ...after(inPlaceSteps)];
    return tpuPoolReplacement(was, now, input);
  }
  if (id === BASE_STEPS.adminBucket || id === BASE_STEPS.modelBucket) return [...ensure, ...after(bucketLabelChanges(was, now))];
  const labels = LABEL_PATCH[id];
  if (labels && isDeepStrictEqual(withoutLabels(was), withoutLabels(now))) return [...ensure, ...after(labelPatch(was, now, labels))];
  throw new PlanGraphError(`step "${id}" changed in a way no update can make; the spec check should have refused it`);
}

/**
 * How each other labelled resource's labels change in place: a PATCH of the resource with an
 * `updateMask` that replaces the whole map (Artifact Registry's in the query, Pub/Sub's in the
 * body, beside the resource), or one that merges the map it is sent (BigQuery: `null` removes a
 * label). Every answer is the resource itself.
 */
type LabelPatch = 'maskQuery' | { maskBody: 'topic' | 'subscription' } | 'merge';
const LABEL_PATCH: Record<string, LabelPatch> = {
  [BASE_STEPS.artifactRegistry]: 'maskQuery',
  'perf.topic': { maskBody: 'topic' },
  'perf.subscription': { maskBody: 'subscription' },
  'perf.dataset': 'merge',
  'perf.table': 'merge',
};

const labelsOf = (step: ResourceStep): Record<string, string> =>
  ((step.create?.body ?? {}) as { labels?: Record<string, string> }).labels ?? {};

function labelPatch(was: ResourceStep, now: ResourceStep, how: LabelPatch): ResourceStep[] {
  const [a, b] = [labelsOf(was), labelsOf(now)];
  if (isDeepStrictEqual(a, b)) return [];
  const url = now.get!.url;
  const removed = Object.fromEntries(Object.keys(a).filter((k) => !(k in b)).map((k) => [k, null]));
  const call: NonNullable<ResourceStep['update']> =
    how === 'maskQuery' ? { method: 'PATCH', url: `${url}?updateMask=labels`, body: { labels: b }, poll: { style: 'none' } }
    : how === 'merge' ? { method: 'PATCH', url, body: { labels: { ...b, ...removed } }, poll: { style: 'none' } }
    : { method: 'PATCH', url, body: { [how.maskBody]: { labels: b }, updateMask: 'labels' }, poll: { style: 'none' } };
  return [inPlace(now, 'labels', `Set the labels of ${now.title.replace(/^Create the /, 'the ')}`, call)];
}

function withoutLabels(step: ResourceStep): unknown {
  const body = step.create?.body;
  const { labels: _labels, ...rest } = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return { ...(content(step) as object), create: { ...step.create, body: rest } };
}

type ClusterBody = NonNullable<Bodies['createCluster']['cluster']>;
type NodePoolBody = Bodies['nodePool'];
const clusterOf = (step: ResourceStep) => (step.create!.body as Bodies['createCluster']).cluster as ClusterBody;
const poolOf = (step: ResourceStep) => (step.create!.body as Bodies['createNodePool']).nodePool as NodePoolBody;

/** The cluster: its labels (setResourceLabels, with the fingerprint read first) and its CPU pools' sizes. */
function clusterChanges(was: ResourceStep, now: ResourceStep, input: UpdateInput): ResourceStep[] {
  const a = clusterOf(was);
  const b = clusterOf(now);
  const { resourceLabels: la, nodePools: pa = [], ...restA } = a;
  const { resourceLabels: lb, nodePools: pb = [], ...restB } = b;
  if (!isDeepStrictEqual(restA, restB) || pa.length !== pb.length) {
    throw new PlanGraphError('the cluster changed in a way no update can make; the spec check should have refused it');
  }
  const spec = input.toSpec;
  const cluster = b.name!;
  const steps: ResourceStep[] = [];
  if (!isDeepStrictEqual(la ?? {}, lb ?? {})) {
    const fingerprint: ResourceStep = {
      id: `${now.id}${CHANGE}label-fingerprint`, stage: now.stage, title: `Read the label fingerprint of the GKE cluster ${cluster}`,
      after: [], as: now.as, kind: 'resource', get: now.get!, capture: { clusterLabelFingerprint: 'labelFingerprint' },
    };
    const body: Bodies['setClusterLabels'] = { resourceLabels: lb ?? {}, labelFingerprint: '{{clusterLabelFingerprint}}' };
    steps.push(fingerprint, inPlace(now, 'labels', `Set the labels of the GKE cluster ${cluster}`, {
      method: 'POST', url: input.urls.container.setResourceLabels(spec.region, cluster), body, poll: { style: 'container' },
    }, { after: [fingerprint.id], uses: ['clusterLabelFingerprint'] }));
  }
  pb.forEach((pool, i) => {
    const old = pa[i]!;
    const { initialNodeCount: na, autoscaling: aa, ...ra } = old;
    const { initialNodeCount: nb, autoscaling: ab, ...rb } = pool;
    if (!isDeepStrictEqual(ra, rb)) throw new PlanGraphError(`CPU node pool ${pool.name} changed in a way no update can make`);
    steps.push(...sizeSteps(now, `pool.${pool.name}`, `CPU node pool ${pool.name}`, { nodeCount: na, autoscaling: aa }, { nodeCount: nb, autoscaling: ab },
      input.urls, spec.region, cluster, pool.name!));
  });
  return steps;
}

interface Size { nodeCount?: number | null; autoscaling?: NodePoolBody['autoscaling'] }

/**
 * A node pool's size: setAutoscaling when autoscaling changes; with it off, setSize to the fixed
 * count (after turning autoscaling off, when it was on). Nothing when neither changed.
 */
function sizeSteps(resource: ResourceStep, key: string, what: string, a: Size, b: Size, urls: GoogleUrls, region: string, cluster: string, pool: string): ResourceStep[] {
  const steps: ResourceStep[] = [];
  const on = (s: Size) => !!s.autoscaling?.enabled;
  if (!isDeepStrictEqual(a.autoscaling ?? null, b.autoscaling ?? null)) {
    const body: Bodies['setNodePoolAutoscaling'] = { autoscaling: on(b) ? b.autoscaling! : { enabled: false } };
    steps.push(inPlace(resource, `${key}.autoscaling`, on(b)
      ? `Autoscale the ${what} between ${b.autoscaling!.minNodeCount} and ${b.autoscaling!.maxNodeCount} nodes per zone`
      : `Stop autoscaling the ${what}`, { method: 'POST', url: urls.container.setNodePoolAutoscaling(region, cluster, pool), body, poll: { style: 'container' } }));
  }
  if (!on(b) && (on(a) || a.nodeCount !== b.nodeCount)) {
    const body: Bodies['setNodePoolSize'] = { nodeCount: b.nodeCount ?? 0 };
    steps.push(inPlace(resource, `${key}.size`, `Resize the ${what} to ${b.nodeCount ?? 0} nodes per zone`,
      { method: 'POST', url: urls.container.setNodePoolSize(region, cluster, pool), body, poll: { style: 'container' } },
      { after: steps.map((s) => s.id) }));
  }
  return steps;
}

/** A TPU pool whose only change is its autoscaling (0–1 on demand or always up): in place. Else undefined. */
function nodePoolSizeChanges(was: ResourceStep, now: ResourceStep, input: UpdateInput): ResourceStep[] | undefined {
  const a = poolOf(was);
  const b = poolOf(now);
  const { initialNodeCount: na, autoscaling: aa, ...ra } = a;
  const { initialNodeCount: nb, autoscaling: ab, ...rb } = b;
  if (!isDeepStrictEqual(ra, rb)) return undefined;
  const cluster = resourceNames(input.toSpec).cluster;
  return sizeSteps(now, 'size', `TPU node pool ${b.name}`, { nodeCount: na, autoscaling: aa }, { nodeCount: nb, autoscaling: ab },
    input.urls, input.toSpec.region, cluster, b.name!);
}

/**
 * A TPU pool GKE cannot change in place (zone, TPU type, Spot, disk, reservation). With a new GKE
 * name (quota allows both at once) the new pool comes first and the old one goes once the model
 * server serves from the new one; with the same name, the old one goes first.
 */
function tpuPoolReplacement(was: ResourceStep, now: ResourceStep, input: UpdateInput): { step: PlanStep; inherits?: string }[] {
  const oldName = poolOf(was).name!;
  const newName = poolOf(now).name!;
  const pool = input.toSpec.cluster.tpuNodePools.find((p) => BASE_STEPS.tpuPool(p.name) === now.id)!;
  const reason = input.base.replacements?.[pool.name]?.reason;
  const why = reason ? ` (${reason})` : '';
  const removeOld = nodePoolDelete(was, '');
  if (oldName !== newName) {
    const server = servingPools(input.toSpec).some((p) => p.name === pool.name) ? [SAXML_STEPS.modelServer(pool.name)] : [];
    return [
      { step: { ...createForm({ step: now }), title: `${now.title}, replacing ${oldName}: created before ${oldName} is deleted${why}` }, inherits: now.id },
      {
        step: { ...removeOld, id: `${now.id}${CHANGE}replaced`, title: `Delete the replaced TPU node pool ${oldName}, once ${newName} serves`, after: [now.id, ...server] },
      },
    ];
  }
  return [
    { step: { ...removeOld, id: `${now.id}${CHANGE}replaced`, title: `Delete the TPU node pool ${oldName}, to create it again as changed${why}` }, inherits: now.id },
    { step: { ...createForm({ step: now }), title: `${now.title}, after the old one is deleted`, after: [`${now.id}${CHANGE}replaced`] }, inherits: now.id },
  ];
}

/** A bucket's labels: PATCH with the new ones and `null` for each one removed (a PATCH merges labels). */
function bucketLabelChanges(was: ResourceStep, now: ResourceStep): ResourceStep[] {
  const a = (was.create!.body as Bodies['bucket']).labels ?? {};
  const b = (now.create!.body as Bodies['bucket']).labels ?? {};
  const { labels: _la, ...ra } = was.create!.body as Bodies['bucket'];
  const { labels: _lb, ...rb } = now.create!.body as Bodies['bucket'];
  if (!isDeepStrictEqual(ra, rb)) throw new PlanGraphError(`bucket step "${now.id}" changed in a way no update can make`);
  if (isDeepStrictEqual(a, b)) return [];
  const removed = Object.fromEntries(Object.keys(a).filter((k) => !(k in b)).map((k) => [k, null]));
  // Storage's PATCH removes a label given as null; the discovery type has no null for it.
  const body = { labels: { ...b, ...removed } } as unknown as Bodies['bucket'];
  return [inPlace(now, 'labels', `Set the labels of the bucket ${lastSegment(now.get!.url)}`, { method: 'PATCH', url: now.get!.url, body, poll: { style: 'none' } })];
}

/**
 * Saxml: the cell step (apply, which also prunes) when any of the cell's objects change, and the
 * model server step of each serving pool whose server, models or TPU pool change.
 */
function saxmlChanges(input: UpdateInput, pending: Set<string>, planned: Set<string>): PlanStep[] {
  const cell = input.to.find((d) => d.step.id === SAXML_STEPS.cell);
  if (!cell) return [];
  const objects = (spec: NormalisedSpec) => saxmlManifests({ spec, environmentId: input.environmentId });
  const before = objects(input.fromSpec);
  const after = objects(input.toSpec);
  const key = (o: SaxmlObject) => `${o.kind}/${o.metadata?.name}`;
  const index = (list: SaxmlObject[]) => new Map(list.map((o) => [key(o), o]));
  const [a, b] = [index(before), index(after)];
  const changed = new Set([...a.keys(), ...b.keys()].filter((k) => !isDeepStrictEqual(a.get(k), b.get(k))));
  const steps: PlanStep[] = [];
  if (changed.size || pending.has(SAXML_STEPS.cell)) steps.push(createForm(cell));
  const servedBefore = new Set(servingPools(input.fromSpec).map((p) => p.name));
  for (const pool of servingPools(input.toSpec)) {
    const id = SAXML_STEPS.modelServer(pool.name);
    const models = input.toSpec.saxml.models.filter((m) => m.tpuPool === pool.name).map((m) => `Job/${OBJECT_NAMES.publishJob(m.id)}`);
    const touched = !servedBefore.has(pool.name) || pending.has(id) || planned.has(BASE_STEPS.tpuPool(pool.name))
      || [`Deployment/${OBJECT_NAMES.modelServer(pool.name)}`, ...models].some((k) => changed.has(k));
    const def = input.to.find((d) => d.step.id === id);
    if (touched && def) steps.push(createForm(def));
  }
  return steps;
}

/** Lookups (the project number) whose captured values a planned step uses. */
function addLookups(planned: Planned[], to: StepDef[]): void {
  const used = new Set(planned.flatMap((p) => p.step.uses ?? []));
  const have = new Set(planned.map((p) => p.step.id));
  for (const def of to) {
    const step = def.step;
    if (step.kind !== 'resource' || step.create || !step.capture || have.has(step.id)) continue;
    if (Object.keys(step.capture).some((name) => used.has(name))) planned.unshift({ step: createForm(def), inherits: step.id });
  }
}

/**
 * Each step waits for its own `after` (ids of this plan) and, when it inherits a resource step's
 * place, for the nearest planned steps that resource step depended on in the create plan.
 */
function resolveDependencies(planned: Planned[], to: StepDef[]): PlanStep[] {
  const ids = new Set(planned.map((p) => p.step.id));
  const ups = ancestors(to.map((d) => d.step));
  const nearest = (resourceId: string): string[] => {
    const all = [...(ups.get(resourceId) ?? [])].filter((id) => ids.has(id));
    // Keep those not already implied by another kept one.
    return all.filter((id) => !all.some((other) => other !== id && ups.get(other)?.has(id)));
  };
  return planned.map(({ step, inherits }) => {
    const own = step.after.filter((id) => ids.has(id));
    const inherited = inherits ? nearest(inherits).filter((id) => id !== step.id) : [];
    return { ...step, after: [...new Set([...inherited, ...own])] };
  });
}
