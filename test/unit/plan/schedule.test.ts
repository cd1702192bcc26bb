import { describe, expect, it } from 'vitest';
import {
  PlanGraphError, createPhase, criticalChain, criticalPath, deletePhase, schedule,
} from '../../../api/domain/plan/index.js';
import type { PlanStep } from '../../../api/domain/plan/types.js';
import { MODEL, SCENARIOS, body, createPlan, deletePlan } from './support.js';

/** A minimal api step: only id, stage and after matter to the scheduler. */
const s = (id: string, after: string[] = [], stage: PlanStep['stage'] = 'base'): PlanStep => ({
  id, stage, after, title: id, as: 'automation', kind: 'api',
  call: { method: 'POST', url: 'x' }, status: { method: 'GET', url: 'x' }, ready: { path: 'state', values: ['READY'] },
});

const plans = Object.entries(SCENARIOS).flatMap(([name, b]) => [
  { name: `${name} / create`, plan: createPlan(b) },
  { name: `${name} / delete with bootstrap`, plan: deletePlan(b, true) },
  { name: `${name} / delete without bootstrap`, plan: deletePlan(b, false) },
]);

describe.each(plans)('$name: the schedule', ({ plan }) => {
  const where = new Map<string, { phase: number; lane: number; wave: number }>();
  plan.schedule.forEach((lanes, phase) =>
    lanes.forEach((waves, lane) => waves.forEach((wave, w) => wave.forEach((id) => where.set(id, { phase, lane, wave: w })))));

  it('places every step exactly once, and nothing else', () => {
    const placed = plan.schedule.flat(3);
    expect(placed.length).toBe(plan.steps.length);
    expect(new Set(placed)).toEqual(new Set(plan.steps.map((x) => x.id)));
  });

  it('has no empty phase, lane or wave', () => {
    for (const lanes of plan.schedule) {
      expect(lanes.length).toBeGreaterThan(0);
      for (const waves of lanes) for (const wave of waves) expect(wave.length).toBeGreaterThan(0);
    }
  });

  it('makes a step wait only for an earlier wave of its own lane, or for an earlier phase', () => {
    for (const step of plan.steps) {
      const me = where.get(step.id)!;
      for (const dep of step.after) {
        const it = where.get(dep)!;
        if (it.phase === me.phase) {
          expect(it.lane, `${step.id} waits for ${dep} of another lane`).toBe(me.lane);
          expect(it.wave).toBeLessThan(me.wave);
        } else {
          expect(it.phase, `${step.id} waits for ${dep} of a later phase`).toBeLessThan(me.phase);
        }
      }
    }
  });

  it('puts a step in the first wave it can run in (one past its latest dependency in the lane)', () => {
    for (const step of plan.steps) {
      const me = where.get(step.id)!;
      const inLane = step.after.map((d) => where.get(d)!).filter((d) => d.phase === me.phase);
      expect(me.wave).toBe(inLane.length ? Math.max(...inLane.map((d) => d.wave)) + 1 : 0);
    }
  });

  it('runs bootstrap first on create and last on delete (a lookup runs with the steps that use it)', () => {
    const phaseOf = plan.kind === 'create' ? createPhase : deletePhase;
    for (const step of plan.steps) {
      const lookup = step.kind === 'resource' && !step.create && !step.delete;
      const expected = plan.kind === 'create' ? (step.stage === 'bootstrap' ? 0 : 1) : (step.stage === 'bootstrap' && !lookup ? 1 : 0);
      expect(phaseOf(step), step.id).toBe(expected);
    }
    const phaseIndex = [...new Set(plan.steps.map((x) => (plan.kind === 'create' ? createPhase : deletePhase)(x)))].sort();
    for (const step of plan.steps) {
      expect(where.get(step.id)!.phase).toBe(phaseIndex.indexOf((plan.kind === 'create' ? createPhase : deletePhase)(step)));
    }
  });

  it('never shares a lane between perf and base (perf does not wait for the cluster)', () => {
    for (const lanes of plan.schedule) {
      for (const waves of lanes) {
        const stages = new Set(waves.flat().map((id) => plan.steps.find((x) => x.id === id)!.stage));
        expect(stages.has('perf') && (stages.has('base') || stages.has('saxml'))).toBe(false);
      }
    }
  });
});

describe('the default plans’ schedules', () => {
  it('create: bootstrap, then base+saxml, the registry and perf side by side', () => {
    expect(createPlan().schedule).toEqual([
      [[
        ['bootstrap.services.1'],
        ['bootstrap.project', 'bootstrap.automation-sa'],
        ['bootstrap.automation-sa.roles', 'bootstrap.automation-bucket', 'bootstrap.token-creator', 'bootstrap.pubsub-agent'],
        ['bootstrap.automation-bucket.iam', 'bootstrap.automation-ready'],
      ]],
      [
        [
          ['base.network', 'base.node-sa', 'base.workload-sa', 'base.bucket.admin', 'base.bucket.models'],
          ['base.subnet', 'base.node-sa.roles', 'base.workload-sa.roles', 'base.node-sa.act-as', 'base.bucket.admin.iam', 'base.bucket.models.iam'],
          ['base.cluster'],
          // Saxml's cell is applied while the TPU pool is being created.
          ['base.tpu-pool.tpu-v5e-4', 'base.workload-identity', 'saxml.cell'],
        ],
        [['base.artifact-registry']],
        [['perf.schema', 'perf.dataset', 'perf.pubsub-agent.roles'], ['perf.topic', 'perf.table'], ['perf.subscription']],
      ],
    ]);
  });

  it('delete without bootstrap: Saxml, then the environment in reverse; perf and the registry beside it', () => {
    expect(deletePlan().schedule).toEqual([[
      [
        // The Workload Identity grant goes beside the teardown: the cell never waited for it in create.
        ['saxml.cell', 'base.workload-identity'],
        ['base.cluster', 'base.bucket.models.iam', 'base.bucket.admin.iam', 'base.workload-sa.roles'],
        ['base.bucket.models', 'base.bucket.admin', 'base.node-sa.act-as', 'base.workload-sa', 'base.node-sa.roles', 'base.subnet'],
        ['base.node-sa', 'base.network'],
      ],
      [['perf.subscription'], ['perf.table', 'perf.topic'], ['perf.dataset', 'perf.schema']],
      [['base.artifact-registry']],
    ]]);
  });
});

describe('schedule()', () => {
  it('makes lanes of connected steps and waves of longest-path levels', () => {
    const steps = [s('a'), s('b', ['a']), s('c', ['a']), s('d', ['b', 'c']), s('x'), s('y', ['x']), s('e', ['a'])];
    expect(schedule(steps, () => 0)).toEqual([[[['a'], ['b', 'c', 'e'], ['d']], [['x'], ['y']]]]);
  });

  it('splits lanes that are joined only through an earlier phase', () => {
    const steps = [s('root', [], 'bootstrap'), s('left', ['root']), s('right', ['root'])];
    expect(schedule(steps, createPhase)).toEqual([[[['root']]], [[['left']], [['right']]]]);
  });

  it('refuses a step that waits for a later phase, a cycle, an unknown id and a duplicate id', () => {
    expect(() => schedule([s('a', ['b']), s('b')], (x) => (x.id === 'b' ? 1 : 0))).toThrow(PlanGraphError);
    expect(() => schedule([s('a', ['b']), s('b', ['a'])], () => 0)).toThrow(/cycle/);
    expect(() => schedule([s('a', ['nope'])], () => 0)).toThrow(/not in the plan/);
    expect(() => schedule([s('a'), s('a')], () => 0)).toThrow(/duplicate/);
  });
});

describe('criticalPath()', () => {
  it('is the longest path by duration, not by step count', () => {
    const steps = [s('a'), s('long', ['a']), s('b1', ['a']), s('b2', ['b1']), s('b3', ['b2']), s('end', ['long', 'b3'])];
    const d: Record<string, number> = { a: 1, long: 10, b1: 2, b2: 2, b3: 2, end: 1 };
    expect(criticalPath(steps, (x) => d[x.id]!)).toBe(12);
    expect(criticalChain(steps, (x) => d[x.id]!).ids).toEqual(['a', 'long', 'end']);
    expect(criticalPath([], () => 1)).toBe(0);
  });

  it('runs through the cluster, the TPU pool and its model server on a plan with a model (perf and the cell are shorter and beside it)', () => {
    const plan = createPlan(body({ saxml: { models: [MODEL] } }));
    const duration = (x: PlanStep) => (x.id === 'base.cluster' ? 600 : x.id.startsWith('base.tpu-pool.') ? 300 : x.id.startsWith('saxml.model-server.') ? 290 : x.id === 'saxml.cell' ? 75 : 10);
    const chain = criticalChain(plan.steps, duration);
    expect(chain.ids).toEqual([
      'bootstrap.services.1', 'bootstrap.automation-sa', 'bootstrap.automation-sa.roles', 'bootstrap.automation-ready', 'base.network', 'base.subnet',
      'base.cluster', 'base.tpu-pool.tpu-v5e-4', 'saxml.model-server.tpu-v5e-4',
    ]);
    expect(chain.duration).toBe(6 * 10 + 600 + 300 + 290);
    expect(criticalPath(plan.steps, duration)).toBe(chain.duration);
  });
});
