import type { EnvironmentState, Operation, OperationState, StageState } from './environment.js';

/**
 * One table of legal transitions per state machine (DESIGN §3). Operations begin and end through
 * `beginOperation`/`endOperation` (operations.ts), which ask these tables; the `actions` shown to
 * users derive from the same tables, so the API never advertises something it would then refuse.
 */

/** What can happen to an environment. */
export type EnvironmentCommand =
  | 'delete' // start a delete operation
  | 'update' // start an update operation (PATCH)
  | 'retryCreate' // resume a failed or cancelled create
  | 'retryUpdate' // resume a failed or cancelled update
  | 'retryDelete' // resume a failed or cancelled delete
  | 'succeed' // the running operation ended well
  | 'fail' // the running operation failed, was cancelled or was interrupted
  | 'removeBootstrap'; // remove the project's bootstrap through a DELETED environment (the last to use it)

/** from → command → to. A missing entry is an illegal command. */
const ENVIRONMENT_TRANSITIONS: Readonly<Record<EnvironmentState, Partial<Record<EnvironmentCommand, EnvironmentState>>>> = {
  CREATING: { succeed: 'ACTIVE', fail: 'FAILED' },
  ACTIVE: { update: 'UPDATING', delete: 'DELETING' },
  UPDATING: { succeed: 'ACTIVE', fail: 'FAILED' },
  DELETING: { succeed: 'DELETED', fail: 'FAILED' },
  // A FAILED environment can also be changed: the update converges to the new spec (fixing what failed).
  FAILED: { update: 'UPDATING', delete: 'DELETING', retryCreate: 'CREATING', retryUpdate: 'UPDATING', retryDelete: 'DELETING' },
  // A DELETED environment stays DELETED; it may only carry the removal of its project's bootstrap.
  DELETED: { removeBootstrap: 'DELETED', succeed: 'DELETED', fail: 'DELETED' },
};

export function nextEnvironmentState(from: EnvironmentState, command: EnvironmentCommand): EnvironmentState | undefined {
  return ENVIRONMENT_TRANSITIONS[from][command];
}

/** A retry resumes the kind of work the last operation did: a retried delete stays a delete. */
export const retryCommand = (target: Operation['target']): EnvironmentCommand =>
  (target === 'delete' ? 'retryDelete' : target === 'update' ? 'retryUpdate' : 'retryCreate');

const OPERATION_TRANSITIONS: Readonly<Record<OperationState, readonly OperationState[]>> = {
  RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

/** Whether an operation in `from` may end in `to` (a repeated end is not a transition). */
export function canEndOperation(from: OperationState, to: OperationState): boolean {
  return OPERATION_TRANSITIONS[from].includes(to);
}

const STAGE_TRANSITIONS: Readonly<Record<StageState, readonly StageState[]>> = {
  PENDING: ['RUNNING', 'SKIPPED', 'SUCCEEDED', 'FAILED', 'DELETING', 'DELETED'],
  RUNNING: ['SUCCEEDED', 'FAILED'],
  // An update runs a stage again (RUNNING), or turns it off (SKIPPED: perf disabled).
  SUCCEEDED: ['RUNNING', 'SKIPPED', 'DELETING', 'DELETED'],
  // A failed stage is resumed by retry or an update (RUNNING), or torn down (DELETING).
  FAILED: ['RUNNING', 'SUCCEEDED', 'SKIPPED', 'DELETING', 'DELETED'],
  // An update turns a skipped stage on (perf enabled).
  SKIPPED: ['PENDING', 'RUNNING', 'DELETED'],
  DELETING: ['DELETED', 'FAILED'],
  DELETED: [],
};

export function canTransitionStage(from: StageState, to: StageState): boolean {
  return from === to || STAGE_TRANSITIONS[from].includes(to);
}

export interface Actions {
  canDelete: boolean;
  canRetry: boolean;
  canCancel: boolean;
  canUpdate: boolean;
}

/** What is legal now, from the tables above. */
export function actionsFor(
  state: EnvironmentState,
  operation: Pick<Operation, 'state' | 'target'> | undefined,
  deletionProtection: boolean,
): Actions {
  const running = operation?.state === 'RUNNING';
  return {
    canDelete: nextEnvironmentState(state, 'delete') !== undefined && !deletionProtection,
    canRetry: !running && !!operation && nextEnvironmentState(state, retryCommand(operation.target)) !== undefined,
    canCancel: running,
    // A delete that failed is retried, not changed: its resources are half gone.
    canUpdate: !running && nextEnvironmentState(state, 'update') !== undefined && operation?.target !== 'delete',
  };
}
