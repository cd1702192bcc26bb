import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../../api/domain/environment.js';
import { DomainError } from '../../../api/domain/errors.js';
import { beginOperation, endOperation } from '../../../api/domain/operations.js';
import type { Plan, PlanStep } from '../../../api/domain/plan/types.js';
import { applyReports, startDeleteProgress, withStages } from '../../../api/domain/progress.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';

// Operations begin and end through the state machine, and when one ends nothing stays RUNNING.

const step = (id: string, stage: PlanStep['stage'], after: string[] = []): PlanStep => ({
  id, stage, title: id, after, as: 'automation', kind: 'resource', get: { method: 'GET', url: `https://x.googleapis.com/${id}` },
});
const CREATE: Plan = {
  kind: 'create',
  automation: { serviceAccount: 'a@p.iam.gserviceaccount.com', tokenUrl: 'https://iamcredentials.googleapis.com/t' },
  steps: [step('bootstrap.sa', 'bootstrap'), step('base.network', 'base', ['bootstrap.sa']), step('base.cluster', 'base', ['base.network'])],
  schedule: [],
};
const DELETE: Plan = { ...CREATE, kind: 'delete', steps: [step('base.cluster', 'base'), step('base.network', 'base', ['base.cluster'])] };
const T = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function midCreate(): EnvironmentRecord {
  const record = withStages(newEnvironmentRecord({
    state: 'CREATING', operation: { id: 'op-1', kind: 'create', target: 'create', state: 'RUNNING', startTime: T(0), executionName: 'e1' },
  }), CREATE, T(0)).record;
  const reports = [{ step: 'bootstrap.sa', state: 'SUCCEEDED' as const }, { step: 'base.network', state: 'SUCCEEDED' as const }, { step: 'base.cluster', state: 'RUNNING' as const }];
  return applyReports(record, CREATE, { operationId: 'op-1', reports }, T(1)).record!;
}

const running = (r: EnvironmentRecord) => [
  ...r.stages.filter((s) => s.state === 'RUNNING' || s.state === 'DELETING').map((s) => `stage ${s.name}`),
  ...Object.entries(r.progress.create).concat(Object.entries(r.progress.delete)).filter(([, p]) => p.state === 'RUNNING').map(([id]) => `step ${id}`),
];

describe('endOperation', () => {
  it.each(['CANCELLED', 'FAILED'] as const)('%s: running stages and steps fail with the operation’s error', (outcome) => {
    const before = midCreate();
    expect(running(before)).toEqual(['stage base', 'step base.cluster']);
    const { record, events } = endOperation(before, outcome, T(2), { code: outcome === 'CANCELLED' ? 'CANCELLED' : 'INTERRUPTED', message: 'stopped' });
    expect(running(record)).toEqual([]);
    expect(record.stages.find((s) => s.name === 'base')).toMatchObject({ state: 'FAILED', endTime: T(2), error: { message: 'stopped', stage: 'base' } });
    expect(record.progress.create['base.cluster']).toMatchObject({ state: 'FAILED', error: { message: 'stopped', step: 'base.cluster' } });
    expect(record.progress.create['base.network']!.state).toBe('SUCCEEDED');
    expect(events.map((e) => e.type)).toEqual([`operation.${outcome.toLowerCase()}`, 'stage.failed', 'environment.failed']);
    expect(record.state).toBe('FAILED');
  });

  it('ends an operation once: a second end changes nothing', () => {
    const ended = endOperation(midCreate(), 'CANCELLED', T(2)).record;
    expect(endOperation(ended, 'SUCCEEDED', T(3))).toEqual({ record: ended, events: [] });
  });

  it('a later delete takes every stage the cancelled create touched to DELETED', () => {
    const cancelled = endOperation(midCreate(), 'CANCELLED', T(2)).record;
    const begun = beginOperation(cancelled, {
      id: 'op-2', kind: 'delete', target: 'delete', command: 'delete', time: T(3), message: 'delete operation started', busyAdvice: '-',
    }).record;
    const deleting = withStages({ ...begun, progress: { ...begun.progress, delete: startDeleteProgress(begun, DELETE, 'op-2', T(3)) } }, DELETE, T(3)).record;
    const reported = applyReports(deleting, DELETE, {
      operationId: 'op-2',
      reports: [{ step: 'base.cluster', state: 'SUCCEEDED' }, { step: 'base.network', state: 'SUCCEEDED' }, { operation: 'SUCCEEDED' }],
    }, T(4)).record!;
    expect(reported.state).toBe('DELETED');
    expect(reported.stages.find((s) => s.name === 'base')!.state).toBe('DELETED');
    expect(running(reported)).toEqual([]);
  });
});

describe('beginOperation', () => {
  const begin = (record: EnvironmentRecord, command: 'delete' | 'retryCreate' | 'retryDelete', target: 'create' | 'delete') =>
    beginOperation(record, { id: 'op-9', kind: command === 'delete' ? 'delete' : 'retry', target, command, time: T(9), message: 'started', busyAdvice: 'wait' });

  it('refuses while another operation runs, naming it (409 OPERATION_IN_PROGRESS)', () => {
    expect(() => begin(midCreate(), 'delete', 'delete')).toThrow(expect.objectContaining({ code: 'OPERATION_IN_PROGRESS', details: { operation: { id: 'op-1', kind: 'create' } } }));
  });

  it('refuses what the table does not allow (a retry of an ACTIVE environment)', () => {
    const active = { ...endOperation(midCreate(), 'SUCCEEDED', T(2)).record, state: 'ACTIVE' as const };
    const error = (() => { try { begin(active, 'retryCreate', 'create'); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('FAILED_PRECONDITION');
  });

  it('a retried delete goes to DELETING, a retried create to CREATING', () => {
    const failed = endOperation(midCreate(), 'FAILED', T(2)).record;
    const retriedDelete = begin(failed, 'retryDelete', 'delete');
    expect(retriedDelete.record.state).toBe('DELETING');
    expect(retriedDelete.events.map((e) => e.type)).toEqual(['operation.started', 'environment.deleting']);
    const retried = begin(failed, 'retryCreate', 'create');
    expect(retried.record.state).toBe('CREATING');
    expect(retried.record.operation).toMatchObject({ id: 'op-9', state: 'RUNNING', target: 'create' });
    expect(retried.events).toEqual([
      { time: T(9), type: 'operation.started', operationId: 'op-9', message: 'started' },
      { time: T(9), type: 'environment.creating', operationId: 'op-9', message: 'environment is CREATING' },
    ]);
  });
});
