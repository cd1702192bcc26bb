import { describe, expect, it } from 'vitest';
import {
  ENVIRONMENT_STATES, OPERATION_STATES, STAGE_STATES, type EnvironmentState, type OperationState, type StageState,
} from '../../../api/domain/environment.js';
import {
  actionsFor, canEndOperation, canTransitionStage, nextEnvironmentState, retryCommand, type EnvironmentCommand,
} from '../../../api/domain/state-machine.js';

// The legal transitions, written out here from DESIGN §3 (not read from the module's tables), so
// every pair not listed is checked to be illegal.

const COMMANDS: EnvironmentCommand[] = ['delete', 'update', 'retryCreate', 'retryUpdate', 'retryDelete', 'succeed', 'fail', 'removeBootstrap'];

const LEGAL_ENVIRONMENT: [EnvironmentState, EnvironmentCommand, EnvironmentState][] = [
  ['CREATING', 'succeed', 'ACTIVE'],
  ['CREATING', 'fail', 'FAILED'], // failed, cancelled or interrupted: FAILED and resumable
  ['ACTIVE', 'delete', 'DELETING'],
  ['ACTIVE', 'update', 'UPDATING'], // PATCH
  ['UPDATING', 'succeed', 'ACTIVE'],
  ['UPDATING', 'fail', 'FAILED'],
  ['DELETING', 'succeed', 'DELETED'],
  ['DELETING', 'fail', 'FAILED'],
  ['FAILED', 'delete', 'DELETING'],
  ['FAILED', 'update', 'UPDATING'], // a FAILED environment can be fixed by changing its spec
  ['FAILED', 'retryCreate', 'CREATING'],
  ['FAILED', 'retryUpdate', 'UPDATING'],
  ['FAILED', 'retryDelete', 'DELETING'], // a retried delete stays a delete
  // A DELETED environment stays DELETED: it may only carry the removal of its project's bootstrap
  // (DELETE /projects/{project}/bootstrap), which ends either way without bringing it back.
  ['DELETED', 'removeBootstrap', 'DELETED'],
  ['DELETED', 'succeed', 'DELETED'],
  ['DELETED', 'fail', 'DELETED'],
];

const LEGAL_STAGE: [StageState, StageState][] = [
  ['PENDING', 'RUNNING'],
  ['PENDING', 'SKIPPED'],
  ['PENDING', 'SUCCEEDED'],
  ['PENDING', 'FAILED'],
  ['PENDING', 'DELETING'],
  ['PENDING', 'DELETED'],
  ['RUNNING', 'SUCCEEDED'],
  ['RUNNING', 'FAILED'],
  ['SUCCEEDED', 'RUNNING'], // an update runs it again
  ['SUCCEEDED', 'SKIPPED'], // an update turns it off (perf disabled)
  ['SUCCEEDED', 'DELETING'],
  ['SUCCEEDED', 'DELETED'],
  ['FAILED', 'RUNNING'],
  ['FAILED', 'SUCCEEDED'],
  ['FAILED', 'SKIPPED'],
  ['FAILED', 'DELETING'],
  ['FAILED', 'DELETED'],
  ['SKIPPED', 'PENDING'], // an update turns it on (perf enabled)
  ['SKIPPED', 'RUNNING'],
  ['SKIPPED', 'DELETED'],
  ['DELETING', 'DELETED'],
  ['DELETING', 'FAILED'],
];

const LEGAL_OPERATION: [OperationState, OperationState][] = [
  ['RUNNING', 'SUCCEEDED'],
  ['RUNNING', 'FAILED'],
  ['RUNNING', 'CANCELLED'],
];

const pairs = <S extends string>(states: readonly S[]) => states.flatMap((from) => states.map((to) => [from, to] as [S, S]));
const isListed = <T extends unknown[]>(legal: T[], probe: unknown[]) => legal.some((row) => probe.every((v, i) => row[i] === v));

describe('environment transitions', () => {
  it.each(LEGAL_ENVIRONMENT)('%s --%s--> %s', (from, command, to) => {
    expect(nextEnvironmentState(from, command)).toBe(to);
  });

  const illegal = ENVIRONMENT_STATES.flatMap((from) => COMMANDS.map((command) => [from, command] as [EnvironmentState, EnvironmentCommand]))
    .filter(([from, command]) => !isListed(LEGAL_ENVIRONMENT, [from, command]));

  it.each(illegal)('%s refuses %s', (from, command) => {
    expect(nextEnvironmentState(from, command)).toBeUndefined();
  });

  it.each([
    ['CREATING', 'delete', 'a running create must be cancelled first (DELETE ?force=true)'],
    ['DELETING', 'delete', 'one operation at a time'],
    ['ACTIVE', 'retryCreate', 'nothing failed'],
    ['ACTIVE', 'fail', 'no operation is running'],
    ['DELETED', 'retryDelete', 'gone for good'],
  ] as [EnvironmentState, EnvironmentCommand, string][])('representative illegal: %s refuses %s (%s)', (from, command) => {
    expect(nextEnvironmentState(from, command)).toBeUndefined();
  });

  it('DELETED is terminal: no command leads anywhere else', () => {
    for (const command of COMMANDS) expect(nextEnvironmentState('DELETED', command) ?? 'DELETED').toBe('DELETED');
  });

  it('no state is stuck except DELETED: every other state has a way out', () => {
    for (const state of ENVIRONMENT_STATES.filter((s) => s !== 'DELETED')) {
      expect(COMMANDS.some((c) => nextEnvironmentState(state, c) !== undefined)).toBe(true);
    }
  });

  it.each([
    ['create', 'CREATING'],
    ['update', 'UPDATING'],
    ['delete', 'DELETING'],
  ] as const)('a retry of a failed %s resumes in %s', (target, state) => {
    expect(nextEnvironmentState('FAILED', retryCommand(target))).toBe(state);
  });
});

describe('stage transitions', () => {
  it.each(LEGAL_STAGE)('%s → %s is legal', (from, to) => {
    expect(canTransitionStage(from, to)).toBe(true);
  });

  const illegal = pairs(STAGE_STATES).filter(([from, to]) => from !== to && !isListed(LEGAL_STAGE, [from, to]));

  it.each(illegal)('%s → %s is illegal', (from, to) => {
    expect(canTransitionStage(from, to)).toBe(false);
  });

  it.each(STAGE_STATES.map((s) => [s]))('%s → %s is accepted (a report that arrives twice is a no-op)', (state) => {
    expect(canTransitionStage(state, state)).toBe(true);
  });

  it('DELETED is terminal', () => {
    for (const to of STAGE_STATES.filter((s) => s !== 'DELETED')) expect(canTransitionStage('DELETED', to)).toBe(false);
  });

  it.each([
    ['DELETED', 'RUNNING', 'a deleted stage is not re-run'],
    ['DELETING', 'RUNNING', 'teardown does not turn back into creation'],
    ['RUNNING', 'DELETED', 'a running stage is not deleted under its feet'],
    ['DELETED', 'PENDING', 'nothing comes back from DELETED'],
  ] as [StageState, StageState, string][])('representative illegal: %s → %s (%s)', (from, to) => {
    expect(canTransitionStage(from, to)).toBe(false);
  });
});

describe('operation transitions', () => {
  it.each(LEGAL_OPERATION)('%s may end %s', (from, to) => {
    expect(canEndOperation(from, to)).toBe(true);
  });

  const illegal = pairs(OPERATION_STATES).filter(([from, to]) => !isListed(LEGAL_OPERATION, [from, to]));

  it.each(illegal)('%s may not end %s (only RUNNING ends, and only once)', (from, to) => {
    expect(canEndOperation(from, to)).toBe(false);
  });
});

describe('actionsFor', () => {
  // [environment state, operation state, deletionProtection, canDelete, canRetry, canCancel, canUpdate] (operations of a create)
  const CASES: [EnvironmentState, OperationState | undefined, boolean, boolean, boolean, boolean, boolean][] = [
    ['CREATING', 'RUNNING', false, false, false, true, false],
    ['ACTIVE', 'SUCCEEDED', false, true, false, false, true],
    ['ACTIVE', 'SUCCEEDED', true, false, false, false, true],
    ['ACTIVE', undefined, false, true, false, false, true],
    ['DELETING', 'RUNNING', false, false, false, true, false],
    ['DELETING', 'RUNNING', true, false, false, true, false],
    ['FAILED', 'FAILED', false, true, true, false, true],
    ['FAILED', 'CANCELLED', false, true, true, false, true],
    ['FAILED', 'FAILED', true, false, true, false, true],
    ['DELETED', 'SUCCEEDED', false, false, false, false, false],
    ['DELETED', 'SUCCEEDED', true, false, false, false, false],
  ];

  it.each(CASES)('%s with operation %s, deletionProtection %s → canDelete %s, canRetry %s, canCancel %s, canUpdate %s', (state, op, protectedEnv, canDelete, canRetry, canCancel, canUpdate) => {
    expect(actionsFor(state, op && { state: op, target: 'create' }, protectedEnv)).toEqual({ canDelete, canRetry, canCancel, canUpdate });
  });

  it('a FAILED delete is retried or forced, not changed', () => {
    expect(actionsFor('FAILED', { state: 'FAILED', target: 'delete' }, false).canUpdate).toBe(false);
  });

  it.each(ENVIRONMENT_STATES.flatMap((s) => (['create', 'update', 'delete'] as const).map((t) => [s, t] as const)))('%s after a failed %s: advertises delete and retry exactly when the table allows them', (state, target) => {
    const actions = actionsFor(state, { state: 'FAILED', target }, false);
    expect(actions.canDelete).toBe(isListed(LEGAL_ENVIRONMENT, [state, 'delete']));
    expect(actions.canRetry).toBe(isListed(LEGAL_ENVIRONMENT, [state, target === 'create' ? 'retryCreate' : target === 'update' ? 'retryUpdate' : 'retryDelete']));
  });

  it('nothing to retry without an operation, nor while one runs', () => {
    expect(actionsFor('FAILED', undefined, false).canRetry).toBe(false);
    expect(actionsFor('FAILED', { state: 'RUNNING', target: 'create' }, false).canRetry).toBe(false);
  });

  it.each(ENVIRONMENT_STATES.map((s) => [s]))('%s: deletionProtection never allows delete', (state) => {
    expect(actionsFor(state, { state: 'FAILED', target: 'create' }, true).canDelete).toBe(false);
  });

  it.each(OPERATION_STATES.map((s) => [s]))('canCancel follows the operation: %s', (op) => {
    expect(actionsFor('CREATING', { state: op, target: 'create' }, false).canCancel).toBe(op === 'RUNNING');
  });
});
