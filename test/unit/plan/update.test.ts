import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../api/domain/plan/index.js';
import type { Plan, PlanStep } from '../../../api/domain/plan/types.js';
import type { UpdateBase } from '../../../api/domain/environment.js';
import type { NormalisedSpec } from '../../../api/domain/spec.js';
import { patchSpec } from '../../../api/domain/update/patch.js';
import { ENVIRONMENT_ID, MODEL, TEST_APIS, body, options, specOf, tpuPool } from './support.js';

// Golden update plans, one per kind of change: every step with what it waits for and the one call
// it makes (method, URL past the API's base, body where it says what changes). Written by hand
// from the rules — creates for what is new, deletes for what is gone in reverse dependency
// order, in-place calls, the Saxml apply — and Google's REST reference for each call.

const BASE = body({ labels: { team: 'ml' }, saxml: { models: [MODEL] } });
const CLUSTER = '/v1/projects/my-project-1/locations/us-west1/clusters/demo-saxml-gke-cluster';

function update(patch: unknown, from: NormalisedSpec = specOf(BASE), base: Partial<UpdateBase> = {}): Plan {
  const result = patchSpec(from, patch);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return updateTo(result.spec, from, base);
}

const updateTo = (spec: NormalisedSpec, from: NormalisedSpec, base: Partial<UpdateBase> = {}): Plan =>
  buildPlan(spec, options({ kind: 'update', update: { spec: from, pending: [], leftovers: [], ...base } }));

/** `POST /v1/…` with the API's base cut off, so a golden line reads like the REST reference. */
function call(step: PlanStep): string {
  const strip = (url: string) => Object.values(TEST_APIS).reduce((u, b) => u.replace(b, ''), url);
  if (step.kind === 'api') return `${step.call.method} ${step.call.url.replace(/^.*\/internal\//, '/internal/')}`;
  if (step.kind === 'iamBinding') return `${step.action} ${step.bindings.map((b) => b.role).join(' ')}`;
  const c = step.update ?? step.delete ?? step.create ?? step.get!;
  const verb = step.update ? c.method : step.delete ? 'DELETE' : step.create ? c.method : 'GET';
  return `${verb} ${strip(c.url)}`;
}

const summary = (plan: Plan) => plan.steps.map((s) => ({ id: s.id, after: s.after, call: call(s) }));
const bodyOf = (plan: Plan, id: string) => {
  const s = plan.steps.find((x) => x.id === id)!;
  return s.kind === 'resource' ? (s.update ?? s.create)?.body : undefined;
};

describe('update plans (golden, one per kind of change)', () => {
  it('unchanged resources produce no step', () => {
    expect(update({}).steps).toEqual([]);
    expect(update({ deletionProtection: true }).steps).toEqual([]);
  });

  it('labels: every labelled resource’s, by its API’s rule (cluster with its fingerprint read first; merge with null removing; update masks replacing)', () => {
    const plan = update({ labels: { team: null, cost: 'research' } });
    const DATASET = '/bigquery/v2/projects/my-project-1/datasets/demo_metrics_dataset';
    expect(summary(plan)).toEqual([
      { id: 'base.bucket.admin:labels', after: [], call: 'PATCH /storage/v1/b/my-project-1-demo-saxml-admin' },
      { id: 'base.bucket.models:labels', after: [], call: 'PATCH /storage/v1/b/my-project-1-demo-saxml-model-repository' },
      { id: 'base.artifact-registry:labels', after: [], call: 'PATCH /v1/projects/my-project-1/locations/us/repositories/demo-serving-images?updateMask=labels' },
      { id: 'base.cluster:label-fingerprint', after: [], call: `GET ${CLUSTER}` },
      { id: 'base.cluster:labels', after: ['base.cluster:label-fingerprint'], call: `POST ${CLUSTER}:setResourceLabels` },
      { id: 'perf.topic:labels', after: [], call: 'PATCH /v1/projects/my-project-1/topics/demo_metrics_pubsub_sink' },
      { id: 'perf.dataset:labels', after: [], call: `PATCH ${DATASET}` },
      { id: 'perf.table:labels', after: [], call: `PATCH ${DATASET}/tables/performance_metrics` },
      { id: 'perf.subscription:labels', after: [], call: 'PATCH /v1/projects/my-project-1/subscriptions/demo_metrics_pubsub_bq_sub' },
    ]);
    // The environment's ownership mark is one of the labels, and stays (the new set is the create body's).
    const mark = { 'saxml-environment': ENVIRONMENT_ID };
    expect(bodyOf(plan, 'base.bucket.admin:labels')).toEqual({ labels: { cost: 'research', ...mark, team: null } });
    expect(bodyOf(plan, 'perf.dataset:labels')).toEqual({ labels: { cost: 'research', ...mark, team: null } });
    expect(bodyOf(plan, 'base.artifact-registry:labels')).toEqual({ labels: { cost: 'research', ...mark } });
    expect(bodyOf(plan, 'perf.topic:labels')).toEqual({ topic: { labels: { cost: 'research', ...mark } }, updateMask: 'labels' });
    expect(bodyOf(plan, 'base.cluster:labels')).toEqual({ resourceLabels: { cost: 'research', ...mark }, labelFingerprint: '{{clusterLabelFingerprint}}' });
    expect(plan.steps.find((s) => s.id === 'base.cluster:labels')).toMatchObject({ uses: ['clusterLabelFingerprint'], update: { poll: { style: 'container' } } });
    expect(plan.steps.find((s) => s.id === 'base.cluster:label-fingerprint')).toMatchObject({ capture: { clusterLabelFingerprint: 'labelFingerprint' } });
  });

  it('a model added on a served pool: the Saxml apply, then that pool’s model server', () => {
    const plan = update({ saxml: { models: [MODEL, { ...MODEL, id: 'llama7b_chat', checkpoint: 'gs://ckpt/chat' }] } });
    expect(summary(plan)).toEqual([
      { id: 'saxml.cell', after: [], call: 'POST /internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/apply' },
      { id: 'saxml.model-server.tpu-v5e-4', after: ['saxml.cell'], call: 'GET /internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/status' },
    ]);
  });

  it('a TPU pool and a model on it: the pool beside the Saxml apply; its server waits for both', () => {
    const plan = update({
      cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-b' })] },
      saxml: { models: [MODEL, { ...MODEL, id: 'gemma', tpuPool: 'tpu-b' }] },
    });
    expect(summary(plan)).toEqual([
      { id: 'base.tpu-pool.tpu-b', after: [], call: `POST ${CLUSTER}/nodePools` },
      { id: 'saxml.cell', after: [], call: 'POST /internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/apply' },
      { id: 'saxml.model-server.tpu-b', after: ['saxml.cell', 'base.tpu-pool.tpu-b'], call: 'GET /internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/status' },
    ]);
    expect(plan.schedule).toEqual([[[['base.tpu-pool.tpu-b', 'saxml.cell'], ['saxml.model-server.tpu-b']]]]);
  });

  it('a model and its pool removed: the Saxml apply prunes its server, then the pool is deleted', () => {
    const two = update({}, specOf(body({
      cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-b' })] },
      saxml: { models: [MODEL, { ...MODEL, id: 'gemma', tpuPool: 'tpu-b' }] },
    })));
    expect(two.steps).toEqual([]);
    const from = specOf(body({
      cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-b' })] },
      saxml: { models: [MODEL, { ...MODEL, id: 'gemma', tpuPool: 'tpu-b' }] },
    }));
    const plan = update({ cluster: { tpuNodePools: [tpuPool()] }, saxml: { models: [MODEL] } }, from);
    expect(summary(plan)).toEqual([
      { id: 'saxml.cell', after: [], call: 'POST /internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/apply' },
      { id: 'base.tpu-pool.tpu-b', after: ['saxml.cell'], call: `DELETE ${CLUSTER}/nodePools/tpu-b` },
    ]);
    expect(plan.steps[1]).toMatchObject({ delete: { poll: { style: 'container' } }, transient: expect.arrayContaining([expect.objectContaining({ matches: expect.stringContaining('incompatible operation') })]) });
  });

  it('a TPU pool made Spot (GKE cannot in place) under a new GKE name: created first, the old one deleted once the server serves from the new', () => {
    const plan = update({ cluster: { tpuNodePools: [tpuPool({ spot: true })] } }, specOf(BASE), {});
    // Without a new name the old pool must go first (see the next test); the service names it.
    expect(plan.steps.map((s) => s.id)).toContain('base.tpu-pool.tpu-v5e-4:replaced');
    // The service names the new pool (services/environments/update.ts); here, the spec it would store.
    const patched = patchSpec(specOf(BASE), { cluster: { tpuNodePools: [tpuPool({ spot: true })] } });
    if (!patched.ok) throw new Error('refused');
    const moved: NormalisedSpec = { ...patched.spec, cluster: { ...patched.spec.cluster, tpuNodePools: [{ ...patched.spec.cluster.tpuNodePools[0]!, nodePoolName: 'tpu-v5e-4-r' }] } };
    const renamed = updateTo(moved, specOf(BASE), { replacements: { 'tpu-v5e-4': { order: 'createFirst', reason: 'quota allows both at once' } } });
    expect(summary(renamed)).toEqual([
      { id: 'base.tpu-pool.tpu-v5e-4', after: [], call: `POST ${CLUSTER}/nodePools` },
      { id: 'base.tpu-pool.tpu-v5e-4:replaced', after: ['saxml.model-server.tpu-v5e-4'], call: `DELETE ${CLUSTER}/nodePools/tpu-v5e-4` },
      { id: 'saxml.cell', after: [], call: 'POST /internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/apply' },
      { id: 'saxml.model-server.tpu-v5e-4', after: ['saxml.cell', 'base.tpu-pool.tpu-v5e-4'], call: 'GET /internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/status' },
    ]);
    expect((bodyOf(renamed, 'base.tpu-pool.tpu-v5e-4') as { nodePool: unknown }).nodePool).toMatchObject({ name: 'tpu-v5e-4-r', locations: ['us-west1-c'], config: { spot: true } });
    expect(renamed.steps[0]!.title).toMatch(/replacing tpu-v5e-4: created before tpu-v5e-4 is deleted \(quota allows both at once\)/);
  });

  it('a TPU pool replaced under the same name: the old one is deleted first, then created again', () => {
    const plan = update({ cluster: { tpuNodePools: [tpuPool({ spot: true })] } }, specOf(BASE),
      { replacements: { 'tpu-v5e-4': { order: 'deleteFirst', reason: 'quota TPU_LITE_PODSLICE_V5 has room for one pool' } } });
    expect(summary(plan)).toEqual([
      { id: 'base.tpu-pool.tpu-v5e-4:replaced', after: [], call: `DELETE ${CLUSTER}/nodePools/tpu-v5e-4` },
      { id: 'base.tpu-pool.tpu-v5e-4', after: ['base.tpu-pool.tpu-v5e-4:replaced'], call: `POST ${CLUSTER}/nodePools` },
      // The Deployment is unchanged (same node pool name): its pod moves to the new nodes by itself.
      { id: 'saxml.model-server.tpu-v5e-4', after: ['base.tpu-pool.tpu-v5e-4'], call: 'GET /internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/status' },
    ]);
    expect(plan.steps[0]!.title).toContain('(quota TPU_LITE_PODSLICE_V5 has room for one pool)');
  });

  it('a TPU pool’s autoscaling changes in place (setAutoscaling; off: then setSize to its hosts)', () => {
    const on = update({ cluster: { tpuNodePools: [tpuPool({ autoscaling: true })] } });
    expect(summary(on)).toEqual([
      { id: 'base.tpu-pool.tpu-v5e-4:size.autoscaling', after: [], call: `POST ${CLUSTER}/nodePools/tpu-v5e-4:setAutoscaling` },
    ]);
    expect(bodyOf(on, 'base.tpu-pool.tpu-v5e-4:size.autoscaling')).toEqual({ autoscaling: { enabled: true, minNodeCount: 0, maxNodeCount: 1, locationPolicy: 'ANY' } });
    const off = update({ cluster: { tpuNodePools: [tpuPool()] } }, specOf(body({ cluster: { tpuNodePools: [tpuPool({ autoscaling: true })] } })));
    expect(summary(off)).toEqual([
      { id: 'base.tpu-pool.tpu-v5e-4:size.autoscaling', after: [], call: `POST ${CLUSTER}/nodePools/tpu-v5e-4:setAutoscaling` },
      { id: 'base.tpu-pool.tpu-v5e-4:size.size', after: ['base.tpu-pool.tpu-v5e-4:size.autoscaling'], call: `POST ${CLUSTER}/nodePools/tpu-v5e-4:setSize` },
    ]);
    expect(bodyOf(off, 'base.tpu-pool.tpu-v5e-4:size.size')).toEqual({ nodeCount: 1 });
  });

  it('CPU pool node counts: setAutoscaling when min < max, setSize when fixed', () => {
    const from = specOf(BASE);
    const pools = from.cluster.cpuNodePools;
    const plan = update({
      cluster: {
        tpuNodePools: [tpuPool()],
        cpuNodePools: pools.map((p) => (p.name === 'default-node-pool' ? { ...p, maxNodeCount: 6 } : p.name === 'saxml-proxy-node-pool' ? { ...p, maxNodeCount: 1 } : p)),
      },
    }, from);
    const pool = (name: string) => `${CLUSTER}/nodePools/${name}`;
    expect(summary(plan)).toEqual([
      { id: 'base.cluster:pool.default-node-pool.autoscaling', after: [], call: `POST ${pool('default-node-pool')}:setAutoscaling` },
      { id: 'base.cluster:pool.saxml-proxy-node-pool.autoscaling', after: [], call: `POST ${pool('saxml-proxy-node-pool')}:setAutoscaling` },
      { id: 'base.cluster:pool.saxml-proxy-node-pool.size', after: ['base.cluster:pool.saxml-proxy-node-pool.autoscaling'], call: `POST ${pool('saxml-proxy-node-pool')}:setSize` },
    ]);
    expect(bodyOf(plan, 'base.cluster:pool.default-node-pool.autoscaling')).toEqual({ autoscaling: { enabled: true, minNodeCount: 1, maxNodeCount: 6 } });
    expect(bodyOf(plan, 'base.cluster:pool.saxml-proxy-node-pool.autoscaling')).toEqual({ autoscaling: { enabled: false } });
    expect(bodyOf(plan, 'base.cluster:pool.saxml-proxy-node-pool.size')).toEqual({ nodeCount: 1 });
  });

  it('perf turned on: the services and roles it adds, then its resources; off: its resources deleted in reverse, outputs cleared', () => {
    const off = specOf(body({ ...BASE, perf: { enabled: false } }));
    const on = update({ perf: { enabled: true } }, off);
    expect(summary(on).map((s) => s.id)).toEqual([
      // (The automation account's readiness is checked again: it waits for the new roles to take effect.)
      'bootstrap.project', 'bootstrap.services.1', 'bootstrap.automation-sa.roles', 'bootstrap.pubsub-agent',
      'perf.schema', 'perf.topic', 'perf.dataset', 'perf.table', 'perf.pubsub-agent.roles', 'perf.subscription', 'bootstrap.automation-ready',
    ]);
    expect(on.steps.find((s) => s.id === 'bootstrap.automation-sa.roles')).toMatchObject({ bindings: [{ role: 'roles/pubsub.editor' }, { role: 'roles/bigquery.dataOwner' }] });
    expect(bodyOf(on, 'bootstrap.services.1')).toMatchObject({ serviceIds: expect.arrayContaining(['bigquery.googleapis.com', 'pubsub.googleapis.com']) });
    // (The readiness check waits for the roles, which wait for the services: it implies all three.)
    expect(on.steps.find((s) => s.id === 'perf.schema')!.after).toEqual(['bootstrap.automation-ready']);

    const plan = update({ perf: { enabled: false } });
    expect(summary(plan)).toEqual([
      { id: 'perf.schema', after: ['perf.topic'], call: 'DELETE /v1/projects/my-project-1/schemas/demo_metrics_schema' },
      { id: 'perf.topic', after: ['perf.subscription'], call: 'DELETE /v1/projects/my-project-1/topics/demo_metrics_pubsub_sink' },
      { id: 'perf.dataset', after: ['perf.table'], call: 'DELETE /bigquery/v2/projects/my-project-1/datasets/demo_metrics_dataset?deleteContents=true' },
      { id: 'perf.table', after: ['perf.subscription'], call: 'DELETE /bigquery/v2/projects/my-project-1/datasets/demo_metrics_dataset/tables/performance_metrics' },
      { id: 'perf.subscription', after: [], call: 'DELETE /v1/projects/my-project-1/subscriptions/demo_metrics_pubsub_bq_sub' },
    ]);
    expect(plan.steps.find((s) => s.id === 'perf.topic')!.clears).toEqual(['metricsTopic']);
  });

  it('Cloud NAT on: the router; off: its delete', () => {
    expect(summary(update({ network: { nat: true } }))).toEqual([
      { id: 'base.router', after: [], call: 'POST /compute/v1/projects/my-project-1/regions/us-west1/routers' },
    ]);
    expect(summary(update({ network: { nat: false } }, specOf(body({ ...BASE, network: { nat: true } }))))).toEqual([
      { id: 'base.router', after: [], call: 'DELETE /compute/v1/projects/my-project-1/regions/us-west1/routers/demo-saxml-nat-router' },
    ]);
  });

  it('a new model server image: the Saxml apply rolls it, and every model server is waited for again', () => {
    const plan = update({ saxml: { images: { modelServer: 'us-docker.pkg.dev/my-project-1/images/sax-model-server:v1.2.0' } } });
    expect(summary(plan).map((s) => s.id)).toEqual(['saxml.cell', 'saxml.model-server.tpu-v5e-4']);
  });

  it('from a failed create: what it did not finish is made (found) again, whatever else changes', () => {
    const from = specOf(BASE);
    const plan = update({ cluster: { tpuNodePools: [tpuPool({ spot: true })] } }, from, {
      pending: ['base.tpu-pool.tpu-v5e-4', 'base.workload-identity', 'saxml.cell', 'saxml.model-server.tpu-v5e-4'],
    });
    expect(summary(plan).map((s) => [s.id, s.after])).toEqual([
      ['base.tpu-pool.tpu-v5e-4:replaced', []],
      ['base.tpu-pool.tpu-v5e-4', ['base.tpu-pool.tpu-v5e-4:replaced']],
      ['base.workload-identity', []],
      ['saxml.cell', []],
      ['saxml.model-server.tpu-v5e-4', ['saxml.cell', 'base.tpu-pool.tpu-v5e-4']],
    ]);
  });

  it('deletes what a failed update left behind, unless the spec wants the same resource again', () => {
    const withB = specOf(body({ ...BASE, cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-b' })] } }));
    const plan = update({}, specOf(BASE), { leftovers: [{ spec: withB, steps: ['base.tpu-pool.tpu-b', 'base.tpu-pool.tpu-v5e-4'] }] });
    expect(summary(plan)).toEqual([
      { id: 'base.tpu-pool.tpu-b:leftover', after: [], call: `DELETE ${CLUSTER}/nodePools/tpu-b` },
    ]);
  });

  it('every update plan is a sound DAG its schedule covers exactly', () => {
    const plans = [
      update({ labels: { a: 'b' }, perf: { enabled: false }, network: { nat: true }, saxml: { models: [] }, cluster: { tpuNodePools: [tpuPool({ autoscaling: true })] } }),
      update({ cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'x', tpuType: 'v5litepod-8' })] } }),
    ];
    for (const plan of plans) {
      expect(plan.kind).toBe('update');
      expect(plan.schedule.flat(3).sort()).toEqual(plan.steps.map((s) => s.id).sort());
    }
  });
});
