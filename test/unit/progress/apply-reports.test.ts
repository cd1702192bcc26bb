import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../../api/domain/environment.js';
import type { Plan, PlanStep } from '../../../api/domain/plan/types.js';
import { endOperation } from '../../../api/domain/operations.js';
import { applyReports, startDeleteProgress } from '../../../api/domain/progress.js';
import type { ReportBatch } from '../../../api/domain/reports.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';

const step = (id: string, stage: PlanStep['stage'], after: string[] = [], outputs?: Record<string, string>): PlanStep => ({
  id, stage, title: id, after, as: 'automation', kind: 'resource', get: { method: 'GET', url: `https://x.googleapis.com/${id}` }, ...(outputs && { outputs }),
});
const PLAN: Plan = {
  kind: 'create',
  automation: { serviceAccount: 'a@p.iam.gserviceaccount.com', tokenUrl: 'https://iamcredentials.googleapis.com/t' },
  steps: [
    step('bootstrap.sa', 'bootstrap'),
    step('base.network', 'base', ['bootstrap.sa'], { network: 'net' }),
    step('base.cluster', 'base', ['base.network'], { clusterName: 'c' }),
    step('perf.topic', 'perf', ['bootstrap.sa']),
    step('saxml.deploy', 'saxml', ['base.cluster']),
  ],
  schedule: [[[['bootstrap.sa']]], [[['base.network'], ['base.cluster'], ['saxml.deploy']], [['perf.topic']]]],
};
const T = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function creating(): EnvironmentRecord {
  return newEnvironmentRecord({ operation: { id: 'op-1', kind: 'create', target: 'create', state: 'RUNNING', startTime: T(0), executionName: 'e1' } });
}
const batch = (reports: ReportBatch['reports'], operationId = 'op-1'): ReportBatch => ({ operationId, reports });

describe('applyReports', () => {
  it('moves steps and stages forward, records outputs, and emits one event per change', () => {
    let record = creating();
    const first = applyReports(record, PLAN, batch([{ step: 'bootstrap.sa', state: 'RUNNING' }]), T(1));
    record = first.record!;
    expect(first.events.map((e) => e.type)).toEqual(['step.started', 'stage.started']);
    expect(record.stages.find((s) => s.name === 'bootstrap')).toMatchObject({ state: 'RUNNING', startTime: T(1), steps: { total: 1, done: 0, failed: 0 } });

    const second = applyReports(record, PLAN, batch([{ step: 'bootstrap.sa', state: 'SUCCEEDED' }, { step: 'base.network', state: 'SUCCEEDED' }]), T(2));
    record = second.record!;
    expect(record.stages.find((s) => s.name === 'bootstrap')).toMatchObject({ state: 'SUCCEEDED', endTime: T(2) });
    expect(record.stages.find((s) => s.name === 'base')).toMatchObject({ state: 'RUNNING', steps: { total: 2, done: 1, failed: 0 } });
    expect(record.outputs).toEqual({ network: 'net' });
    expect(record.progress.create['bootstrap.sa']).toMatchObject({ state: 'SUCCEEDED', startTime: T(1), endTime: T(2) });
  });

  it('is idempotent: a duplicate or late report changes nothing and emits nothing', () => {
    const once = applyReports(creating(), PLAN, batch([{ step: 'bootstrap.sa', state: 'SUCCEEDED' }]), T(1)).record!;
    expect(applyReports(once, PLAN, batch([{ step: 'bootstrap.sa', state: 'SUCCEEDED' }]), T(2))).toMatchObject({ record: null, events: [] });
    // RUNNING arriving after SUCCEEDED (out of order) does not regress.
    expect(applyReports(once, PLAN, batch([{ step: 'bootstrap.sa', state: 'RUNNING' }]), T(3)).record).toBeNull();
  });

  it('ignores reports from another operation or after the operation ended, saying why', () => {
    const other = applyReports(creating(), PLAN, batch([{ step: 'bootstrap.sa', state: 'SUCCEEDED' }], 'op-old'), T(1));
    expect(other.record).toBeNull();
    expect(other.ignored[0]).toContain('op-old');
    const ended = endOperation(creating(), 'CANCELLED', T(1)).record;
    const late = applyReports(ended, PLAN, batch([{ step: 'bootstrap.sa', state: 'SUCCEEDED' }]), T(2));
    expect(late.record).toBeNull();
    expect(late.ignored[0]).toContain('CANCELLED');
  });

  it('a failed step fails its stage with a precise error, and the operation report fails the environment', () => {
    const stockout = {
      step: 'base.cluster', state: 'FAILED' as const,
      error: { google: { code: 8, message: 'Insufficient capacity [GCE_STOCKOUT] in us-west1-c. Try a different zone: us-west4-a, us-east5-b.' } },
    };
    const change = applyReports(creating(), PLAN, batch([stockout, { operation: 'FAILED' }]), T(5));
    const record = change.record!;
    expect(record.state).toBe('FAILED');
    expect(record.operation).toMatchObject({ state: 'FAILED', error: { code: 'GCE_STOCKOUT', stage: 'base', step: 'base.cluster' } });
    expect(record.operation!.error!.hint).toContain('us-west4-a, us-east5-b');
    expect(record.stages.find((s) => s.name === 'base')).toMatchObject({ state: 'FAILED', error: { code: 'GCE_STOCKOUT' } });
    expect(change.events.map((e) => e.type)).toEqual(['step.failed', 'stage.failed', 'operation.failed', 'environment.failed']);
  });

  it('refuses a SUCCEEDED operation report while steps are missing (INCOMPLETE), and accepts it when all are done', () => {
    const partial = applyReports(creating(), PLAN, batch([{ step: 'bootstrap.sa', state: 'SUCCEEDED' }, { operation: 'SUCCEEDED' }]), T(1)).record!;
    expect(partial.state).toBe('FAILED');
    expect(partial.operation!.error).toMatchObject({ code: 'INCOMPLETE' });
    const all = PLAN.steps.map((s) => ({ step: s.id, state: 'SUCCEEDED' as const }));
    const done = applyReports(creating(), PLAN, batch([...all, { operation: 'SUCCEEDED' }]), T(1)).record!;
    expect(done.state).toBe('ACTIVE');
    expect(done.stages.every((s) => s.state === 'SUCCEEDED')).toBe(true);
  });

  it('a retry re-runs a step that failed in the previous operation; the old failure is pending meanwhile', () => {
    const failed = applyReports(creating(), PLAN, batch([{ step: 'bootstrap.sa', state: 'FAILED' }, { operation: 'FAILED' }]), T(1)).record!;
    const retrying: EnvironmentRecord = { ...failed, state: 'CREATING', operation: { id: 'op-2', kind: 'retry', target: 'create', state: 'RUNNING', startTime: T(2) } };
    const started = applyReports(retrying, PLAN, batch([{ step: 'bootstrap.sa', state: 'RUNNING' }], 'op-2'), T(3)).record!;
    expect(started.progress.create['bootstrap.sa']).toMatchObject({ state: 'RUNNING', operationId: 'op-2' });
    expect(started.stages.find((s) => s.name === 'bootstrap')!.state).toBe('RUNNING');
  });

  it('delete: stages go DELETING → DELETED and outputs are cleared when the environment is DELETED', () => {
    const active: EnvironmentRecord = { ...creating(), state: 'DELETING', outputs: { network: 'net' },
      stages: creating().stages.map((s) => ({ ...s, state: 'SUCCEEDED' as const })),
      operation: { id: 'op-d', kind: 'delete', target: 'delete', state: 'RUNNING', startTime: T(0) } };
    const deletePlan: Plan = { ...PLAN, kind: 'delete' };
    const mid = applyReports(active, deletePlan, batch([{ step: 'saxml.deploy', state: 'SUCCEEDED' }, { step: 'base.cluster', state: 'RUNNING' }], 'op-d'), T(1)).record!;
    expect(mid.stages.find((s) => s.name === 'saxml')!.state).toBe('DELETED');
    expect(mid.stages.find((s) => s.name === 'base')!.state).toBe('DELETING');
    const all = deletePlan.steps.map((s) => ({ step: s.id, state: 'SUCCEEDED' as const }));
    const gone = applyReports(mid, deletePlan, batch([...all, { operation: 'SUCCEEDED' }], 'op-d'), T(2)).record!;
    expect(gone.state).toBe('DELETED');
    expect(gone.outputs).toEqual({});
  });

  it('a delete starts with every step no create attempt touched already done', () => {
    const touched = applyReports(creating(), PLAN, batch([{ step: 'bootstrap.sa', state: 'SUCCEEDED' }, { step: 'base.network', state: 'RUNNING' }]), T(1)).record!;
    const untouched = startDeleteProgress(touched, { ...PLAN, kind: 'delete' }, 'op-d', T(2));
    expect(Object.keys(untouched).sort()).toEqual(['base.cluster', 'perf.topic', 'saxml.deploy']);
    expect(untouched['base.cluster']).toEqual({ state: 'SUCCEEDED', operationId: 'op-d', startTime: T(2), endTime: T(2) });
  });
});
