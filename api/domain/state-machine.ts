import type { EnvironmentState, OperationState, StageState } from './environment.js';

/**
 * One table of legal transitions per state machine (DESIGN §3). Services ask this module whether
 * a command is legal and what state it leads to; `actions` shown to users derive from the same
 * table, so the API can never advertise something it would then refuse.
 */

/** What can happen to an environment. */
export type EnvironmentCommand =
  | 'delete' // start a delete operation
  | 'retry' // resume the failed/cancelled operation
  | 'succeed' // the running operation ended well
  | 'fail'; // the running operation failed, was cancelled or was interrupted

/** from → command → to. A missing entry is an illegal command. */
export const ENVIRONMENT_TRANSITIONS: Readonly<Record<EnvironmentState, Partial<Record<EnvironmentCommand, EnvironmentState>>>> = {
  CREATING: { succeed: 'ACTIVE', fail: 'FAILED' },
  ACTIVE: { delete: 'DELETING' },
  DELETING: { succeed: 'DELETED', fail: 'FAILED' },
  // Retry leads back to CREATING or DELETING depending on the operation it resumes (see retryTarget).
  FAILED: { delete: 'DELETING', retry: 'CREATING' },
  DELETED: {},
};

/** A retried delete stays a delete; a retried create (or retry of a retry of a create) stays a create. */
export function retryTarget(target: 'create' | 'delete'): EnvironmentState {
  return target === 'delete' ? 'DELETING' : 'CREATING';
}

export function nextEnvironmentState(from: EnvironmentState, command: EnvironmentCommand): EnvironmentState | undefined {
  return ENVIRONMENT_TRANSITIONS[from][command];
}

export const OPERATION_TRANSITIONS: Readonly<Record<OperationState, readonly OperationState[]>> = {
  RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

export const STAGE_TRANSITIONS: Readonly<Record<StageState, readonly StageState[]>> = {
  PENDING: ['RUNNING', 'SKIPPED', 'SUCCEEDED', 'FAILED', 'DELETING', 'DELETED'],
  RUNNING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: ['DELETING', 'DELETED'],
  // A failed stage is resumed by retry (RUNNING) or torn down (DELETING).
  FAILED: ['RUNNING', 'SUCCEEDED', 'DELETING', 'DELETED'],
  SKIPPED: ['DELETED'],
  DELETING: ['DELETED', 'FAILED'],
  DELETED: [],
};

export function canTransitionOperation(from: OperationState, to: OperationState): boolean {
  return from === to || OPERATION_TRANSITIONS[from].includes(to);
}

export function canTransitionStage(from: StageState, to: StageState): boolean {
  return from === to || STAGE_TRANSITIONS[from].includes(to);
}

export interface Actions {
  canDelete: boolean;
  canRetry: boolean;
  canCancel: boolean;
}

/** What is legal now, from the tables above. */
export function actionsFor(state: EnvironmentState, operationState: OperationState | undefined, deletionProtection: boolean): Actions {
  return {
    canDelete: nextEnvironmentState(state, 'delete') !== undefined && !deletionProtection,
    canRetry: nextEnvironmentState(state, 'retry') !== undefined,
    canCancel: operationState === 'RUNNING',
  };
}
