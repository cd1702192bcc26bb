import { describe, expect, it } from 'vitest';
import { GOOGLE_APIS } from '../../../api/domain/google-apis.js';
import { reduceDependencies } from '../../../api/domain/plan/index.js';
import { serviceBatches } from '../../../api/domain/plan/services.js';
import type { GoogleApi, Plan, PlanStep } from '../../../api/domain/plan/types.js';
import { SCENARIOS, apiOf, closure, createPlan, deletePlan, specOf, stepById, urlsOf } from './support.js';

// The create DAG of every scenario: sound (ids, references, no cycle), minimal (no implied edge),
// gated (every automation step waits for the automation account and the services it calls), and
// shaped as the design says (chains, perf beside the cluster, TPU pools one after another).

const plans = Object.entries(SCENARIOS).map(([name, b]) => ({
  name,
  body: b,
  create: createPlan(b),
  deleteWithBootstrap: deletePlan(b, true),
  deleteWithout: deletePlan(b, false),
}));
const all = plans.flatMap((p) => [
  { name: `${p.name} / create`, plan: p.create },
  { name: `${p.name} / delete with bootstrap`, plan: p.deleteWithBootstrap },
  { name: `${p.name} / delete without bootstrap`, plan: p.deleteWithout },
]);

describe.each(all)('$name: the DAG is sound', ({ plan }) => {
  it('has unique ids, and every `after` names a step listed earlier (the step order is a topological order)', () => {
    const seen = new Set<string>();
    for (const step of plan.steps) {
      for (const dep of step.after) expect(seen, `${step.id} waits for ${dep}`).toContain(dep);
      expect(seen).not.toContain(step.id);
      seen.add(step.id);
    }
  });

  it('has no cycle (an independent closure finds none) and no step waits for itself', () => {
    const up = closure(plan.steps);
    for (const step of plan.steps) expect(up.get(step.id)!.has(step.id)).toBe(false);
  });

  it('lists no dependency implied by another one, and no duplicate', () => {
    const up = closure(plan.steps);
    for (const step of plan.steps) {
      expect(new Set(step.after).size).toBe(step.after.length);
      for (const dep of step.after) {
        const implied = step.after.filter((other) => other !== dep && up.get(other)!.has(dep));
        expect(implied, `${step.id}: ${dep} is implied by ${implied.join(', ')}`).toEqual([]);
      }
    }
    expect(reduceDependencies(plan.steps)).toEqual(plan.steps);
  });

  it('runs bootstrap steps as the workflow and everything else as the automation account (but the wait for its roles)', () => {
    for (const step of plan.steps) {
      const asAutomation = step.stage !== 'bootstrap' || step.id === 'bootstrap.automation-ready';
      expect(step.as, step.id).toBe(asAutomation ? 'automation' : 'workflow');
    }
  });

  it('is deterministic and plain JSON (no undefined, no functions)', () => {
    expect(JSON.parse(JSON.stringify(plan))).toStrictEqual(plan);
  });
});

describe.each(plans)('$name: the create plan', ({ create, body }) => {
  const up = closure(create.steps);
  const spec = specOf(body);
  const batches = serviceBatches(spec);
  const batchOf = (api: GoogleApi) => `bootstrap.services.${batches.findIndex((b) => b.includes(GOOGLE_APIS[api].service)) + 1}`;

  it('makes every automation step wait (transitively) for the automation roles, the token grant, IAM Credentials and the APIs it calls', () => {
    for (const step of create.steps.filter((s) => s.as === 'automation')) {
      const ancestors = up.get(step.id)!;
      // …and, but for the wait itself, for those roles to have taken effect.
      if (step.id !== 'bootstrap.automation-ready') expect(ancestors, step.id).toContain('bootstrap.automation-ready');
      expect(ancestors, step.id).toContain('bootstrap.automation-sa.roles');
      expect(ancestors, step.id).toContain('bootstrap.token-creator');
      expect(ancestors, step.id).toContain(batchOf('iamcredentials'));
      for (const url of urlsOf(step)) {
        const api = apiOf(url);
        if (api) expect(ancestors, `${step.id} calls ${api}`).toContain(batchOf(api));
      }
    }
  });

  it('makes every bootstrap step after the first batch wait for the batch that enables its API', () => {
    for (const step of create.steps.filter((s) => s.stage === 'bootstrap' && !s.id.startsWith('bootstrap.services.'))) {
      for (const url of urlsOf(step)) {
        const api = apiOf(url)!;
        if (api !== 'serviceusage') expect(up.get(step.id), `${step.id} calls ${api}`).toContain(batchOf(api));
      }
    }
  });

  it('keeps perf off the cluster’s path: no perf step waits for any base or saxml step', () => {
    for (const step of create.steps.filter((s) => s.stage === 'perf')) {
      const waitsFor = [...up.get(step.id)!].filter((id) => !id.startsWith('bootstrap.'));
      expect(waitsFor.filter((id) => !id.startsWith('perf.')), step.id).toEqual([]);
      expect(up.get(step.id)).not.toContain('base.cluster');
    }
  });

  it('creates the TPU pools together, right after the cluster (GKE runs node pool operations side by side)', () => {
    const pools = spec.cluster.tpuNodePools.map((p) => `base.tpu-pool.${p.name}`);
    expect(pools.map((id) => stepById(create, id).after)).toEqual(pools.map(() => ['base.cluster']));
    // Independent: no pool waits for another, so they share a wave.
    for (const a of pools) for (const b of pools) if (a !== b) expect(up.get(a)!.has(b)).toBe(false);
    const waves = create.schedule.flat(2);
    if (pools.length > 1) expect(waves.some((wave) => pools.every((p) => wave.includes(p)))).toBe(true);
  });

  it('chains network → subnet → cluster with exactly the needed edges (or none when the network exists)', () => {
    // The node SA's roles and the automation account's actAs on it come before the nodes.
    const nodeSa = ['base.node-sa.roles', 'base.node-sa.act-as'];
    if (spec.network.existing) {
      expect(create.steps.map((s) => s.id).filter((id) => /^base\.(network|subnet|router)$/.test(id))).toEqual([]);
      // The token gate and the services come through the node SA's roles.
      expect(stepById(create, 'base.cluster').after).toEqual(nodeSa);
    } else {
      expect(stepById(create, 'base.network').after).toEqual(['bootstrap.automation-ready']);
      expect(stepById(create, 'base.subnet').after).toEqual(['base.network']);
      // With NAT, the router before the cluster: nodes have egress from the start, and a delete
      // removes the NAT only after the cluster.
      expect(stepById(create, 'base.cluster').after).toEqual(['base.subnet', ...(spec.network.nat ? ['base.router'] : []), ...nodeSa]);
    }
    expect(create.steps.some((s) => s.id === 'base.router')).toBe(!spec.network.existing && spec.network.nat);
    if (spec.network.nat) expect(stepById(create, 'base.router').after).toEqual(['base.network']);
  });

  it('grants Workload Identity after the cluster (the identity pool exists only then)', () => {
    expect(stepById(create, 'base.workload-identity').after).toEqual(['base.cluster', 'base.workload-sa']);
  });

  it('applies the Saxml cell after the cluster and the buckets, beside the TPU pools and the Workload Identity grant; each serving pool’s model server waits for its pool', () => {
    const saxml = create.steps.filter((s) => s.stage === 'saxml');
    if (!spec.saxml.enabled) return expect(saxml).toEqual([]);
    const serving = [...new Set(spec.saxml.models.map((m) => m.tpuPool))];
    expect(saxml.map((s) => s.id)).toEqual(['saxml.cell', ...serving.map((p) => `saxml.model-server.${p}`)]);
    const ancestors = up.get('saxml.cell')!;
    for (const id of ['base.cluster', 'base.workload-sa.roles', 'base.bucket.admin.iam', 'base.bucket.models.iam']) {
      expect(ancestors).toContain(id);
    }
    // Not the grant (apply waits for it itself, services/saxml/apply.ts), not the TPU pools: same wave.
    for (const pool of spec.cluster.tpuNodePools) expect(ancestors).not.toContain(`base.tpu-pool.${pool.name}`);
    expect(ancestors).not.toContain('base.workload-identity');
    const wave = create.schedule.flat(2).find((w) => w.includes('saxml.cell'))!;
    expect(wave).toContain(`base.tpu-pool.${spec.cluster.tpuNodePools[0]!.name}`);
    for (const pool of serving) expect(stepById(create, `saxml.model-server.${pool}`).after).toEqual(['saxml.cell', `base.tpu-pool.${pool}`]);
  });

  it('has perf steps exactly when perf is enabled', () => {
    const ids = create.steps.filter((s) => s.stage === 'perf').map((s) => s.id);
    expect(ids).toEqual(spec.perf.enabled
      ? ['perf.schema', 'perf.topic', 'perf.dataset', 'perf.table', 'perf.pubsub-agent.roles', 'perf.subscription']
      : []);
    expect(create.steps.some((s) => s.id === 'bootstrap.pubsub-agent')).toBe(spec.perf.enabled);
    if (spec.perf.enabled) {
      expect(stepById(create, 'perf.subscription').after).toEqual(['perf.topic', 'perf.table', 'perf.pubsub-agent.roles']);
      // The agent is made (generateServiceIdentity) before it is granted anything.
      expect(up.get('perf.pubsub-agent.roles')).toContain('bootstrap.pubsub-agent');
      expect(up.get('bootstrap.pubsub-agent')).toContain('bootstrap.project');
    }
  });
});

describe('the default create plan', () => {
  const plan: Plan = createPlan();
  const ids = (steps: PlanStep[]) => steps.map((s) => s.id);

  it('has exactly the design’s steps, in this order', () => {
    expect(ids(plan.steps)).toEqual([
      'bootstrap.services.1', 'bootstrap.project', 'bootstrap.automation-sa', 'bootstrap.automation-sa.roles',
      'bootstrap.automation-bucket', 'bootstrap.automation-bucket.iam', 'bootstrap.token-creator', 'bootstrap.automation-ready',
      'bootstrap.pubsub-agent',
      'base.network', 'base.subnet', 'base.node-sa', 'base.node-sa.roles', 'base.workload-sa', 'base.workload-sa.roles', 'base.node-sa.act-as',
      'base.bucket.admin', 'base.bucket.models', 'base.bucket.admin.iam', 'base.bucket.models.iam', 'base.artifact-registry',
      'base.cluster', 'base.tpu-pool.tpu-v5e-4', 'base.workload-identity',
      'perf.schema', 'perf.topic', 'perf.dataset', 'perf.table', 'perf.pubsub-agent.roles', 'perf.subscription',
      'saxml.cell',
    ]);
  });

  it('waits only where needed in bootstrap', () => {
    const after = Object.fromEntries(plan.steps.filter((s) => s.stage === 'bootstrap').map((s) => [s.id, s.after]));
    expect(after).toEqual({
      'bootstrap.services.1': [],
      'bootstrap.project': ['bootstrap.services.1'],
      'bootstrap.automation-sa': ['bootstrap.services.1'],
      'bootstrap.automation-sa.roles': ['bootstrap.automation-sa'],
      // An existing automation bucket is adopted only if it is this project's: its number first.
      'bootstrap.automation-bucket': ['bootstrap.project'],
      'bootstrap.automation-bucket.iam': ['bootstrap.automation-bucket', 'bootstrap.automation-sa'],
      'bootstrap.token-creator': ['bootstrap.automation-sa'],
      'bootstrap.automation-ready': ['bootstrap.automation-sa.roles', 'bootstrap.token-creator'],
      'bootstrap.pubsub-agent': ['bootstrap.project'],
    });
  });

  it('has no separate perf.services step: the bootstrap batch enables pubsub and bigquery', () => {
    expect(ids(plan.steps)).not.toContain('perf.services');
    const batch = stepById(plan, 'bootstrap.services.1');
    expect(batch.kind === 'resource' && batch.create?.body).toMatchObject({
      serviceIds: expect.arrayContaining(['pubsub.googleapis.com', 'bigquery.googleapis.com']),
    });
  });
});
