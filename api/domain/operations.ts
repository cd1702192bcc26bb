import type { EnvironmentRecord, ErrorInfo, NewEvent, Operation, Progress, Stage } from './environment.js';
import { DomainError, operationInProgress } from './errors.js';
import { STAGES } from './plan/stages.js';
import { canEndOperation, nextEnvironmentState, type EnvironmentCommand } from './state-machine.js';
import { withState } from './state-time.js';

/**
 * Operations begin and end here, and only here: both ask the state machine, so no service can
 * start a second operation beside a running one, end an operation twice, or move the environment
 * somewhere the table does not allow.
 */

export interface BeginInput {
  id: string;
  kind: Operation['kind'];
  target: Operation['target'];
  command: EnvironmentCommand;
  time: string;
  /** The event's message, e.g. "delete operation started; bootstrap kept: …". */
  message: string;
  /** What to tell a caller who finds another operation running. */
  busyAdvice: string;
  deleteBootstrap?: boolean;
  includeBootstrap?: boolean;
  purgeData?: boolean;
  bootstrap?: Operation['bootstrap'];
}

/** The environment with a new RUNNING operation, and the event that says so. */
export function beginOperation(record: EnvironmentRecord, input: BeginInput): { record: EnvironmentRecord; events: NewEvent[] } {
  const running = record.operation;
  if (running?.state === 'RUNNING') throw operationInProgress(running, input.busyAdvice);
  const state = nextEnvironmentState(record.state, input.command);
  if (!state) {
    throw new DomainError('FAILED_PRECONDITION', `environment ${record.id} is ${record.state}: ${describeCommand(input.command)} is not possible now`);
  }
  const operation: Operation = {
    id: input.id, kind: input.kind, target: input.target, state: 'RUNNING', startTime: input.time,
    ...(input.deleteBootstrap !== undefined && { deleteBootstrap: input.deleteBootstrap }),
    ...(input.includeBootstrap !== undefined && { includeBootstrap: input.includeBootstrap }),
    ...(input.purgeData !== undefined && { purgeData: input.purgeData }),
    ...(input.bootstrap && { bootstrap: input.bootstrap }),
  };
  const next = { ...withState(record, state, input.time), operation };
  const entered = state !== record.state ? enteredStateEvent(next, operation, input.time) : undefined;
  return { record: next, events: [startedEvent(operation, input.time, input.message), ...(entered ? [entered] : [])] };
}

/**
 * Whether a delete removes its project's bootstrap resources: decided once the environment's own
 * resources are gone, from the project's other live environments as the same transaction sees
 * them — so of two environments leaving together exactly one is the last, and an environment
 * created meanwhile keeps the bootstrap it needs.
 */
export function bootstrapDecision(project: string, op: Pick<Operation, 'deleteBootstrap'>, others: readonly { id: string; name: string }[]): NonNullable<Operation['bootstrap']> {
  if (!op.deleteBootstrap) return { decision: 'KEEP', reason: `deleteBootstrap was not set (remove it later with DELETE /projects/${project}/bootstrap)` };
  if (others.length) return { decision: 'KEEP', reason: `still used by ${others.map((o) => `${o.name} (${o.id})`).join(', ')}` };
  return { decision: 'REMOVE', reason: 'no other environment of the project is left' };
}

export const startedEvent = (operation: Operation, time: string, message: string): NewEvent =>
  ({ time, type: 'operation.started', operationId: operation.id, message });

/** `environment.creating` / `environment.deleting` when an operation moves the environment there. */
export function enteredStateEvent(record: Pick<EnvironmentRecord, 'state'>, operation: Operation, time: string): NewEvent | undefined {
  if (record.state === 'CREATING') return { time, type: 'environment.creating', operationId: operation.id, message: 'environment is CREATING' };
  if (record.state === 'DELETING') return { time, type: 'environment.deleting', operationId: operation.id, message: 'environment is DELETING' };
  if (record.state === 'UPDATING') return { time, type: 'environment.updating', operationId: operation.id, message: 'environment is UPDATING' };
  return undefined;
}

function describeCommand(command: EnvironmentCommand): string {
  switch (command) {
    case 'delete': return 'a delete';
    case 'update': return 'a change (PATCH)';
    case 'retryCreate': return 'a retry of the create';
    case 'retryUpdate': return 'a retry of the update';
    case 'retryDelete': return 'a retry of the delete';
    case 'removeBootstrap': return 'removing the project\'s bootstrap';
    case 'succeed':
    case 'fail': return 'ending an operation';
  }
}

/**
 * Ends the current operation: SUCCEEDED moves the environment on (ACTIVE, or DELETED with its
 * outputs cleared); FAILED and CANCELLED leave it FAILED, resumable with retry or deletable.
 * Whatever the outcome, nothing is left RUNNING: running stages and steps of the operation fail
 * with its error, so a later retry or delete starts from a truthful picture.
 */
export function endOperation(
  record: EnvironmentRecord,
  outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED',
  time: string,
  error?: ErrorInfo,
): { record: EnvironmentRecord; events: NewEvent[] } {
  const op = record.operation;
  if (!op || !canEndOperation(op.state, outcome)) return { record, events: [] };
  const state = nextEnvironmentState(record.state, outcome === 'SUCCEEDED' ? 'succeed' : 'fail') ?? record.state;
  const operation: Operation = { ...op, state: outcome, endTime: time, ...(error && { error }) };
  const verb = outcome.toLowerCase() as 'succeeded' | 'failed' | 'cancelled';
  const events: NewEvent[] = [
    { time, type: `operation.${verb}`, operationId: op.id, message: error ? `${op.kind} operation ${verb}: ${error.message}` : `${op.kind} operation ${verb}`, ...(error && { details: { error } }) },
  ];
  const leftRunning = error ?? { code: 'INCOMPLETE', message: `the ${op.kind} operation ended before this finished` };
  const stages = record.stages.map((stage): Stage => {
    if (stage.state !== 'RUNNING' && stage.state !== 'DELETING') return stage;
    events.push({ time, type: 'stage.failed', operationId: op.id, stage: stage.name, message: `stage ${stage.name} FAILED: ${leftRunning.message}` });
    return { ...stage, state: 'FAILED', endTime: time, error: { ...leftRunning, stage: stage.name } };
  });
  const steps = Object.fromEntries(Object.entries(record.progress[op.target]).map(([id, p]) =>
    [id, p.state === 'RUNNING' && p.operationId === op.id ? { ...p, state: 'FAILED' as const, endTime: time, error: { ...leftRunning, step: id } } : p]));
  const progress: Progress = { ...record.progress, [op.target]: steps };
  if (state === 'ACTIVE') events.push({ time, type: 'environment.active', operationId: op.id, message: 'environment is ACTIVE' });
  // An update that turned a stage off (perf disabled) leaves it SKIPPED once its resources are gone.
  const skipped = op.target === 'update' && outcome === 'SUCCEEDED'
    ? new Set(STAGES.filter((s) => !s.enabled(record.spec)).map((s) => s.name))
    : new Set<string>();
  if (state === 'DELETED' && outcome === 'SUCCEEDED') {
    // (An environment already DELETED only runs the removal of its project's bootstrap.)
    if (record.state !== 'DELETED') events.push({ time, type: 'environment.deleted', operationId: op.id, message: 'environment is DELETED' });
    // The project's bootstrap resources (automation account, bucket) outlive the environment unless
    // the delete removed them: say so, since they are still there to see (and to pay for).
    if (op.bootstrap?.decision === 'REMOVE') {
      events.push({ time, type: 'bootstrap.removed', operationId: op.id, message: `bootstrap resources of project ${record.project} removed: ${op.bootstrap.reason}` });
    } else {
      const why = op.bootstrap?.reason ?? (op.deleteBootstrap ? 'still used by other environments of the project' : 'deleteBootstrap was not set');
      events.push({ time, type: 'bootstrap.kept', operationId: op.id, message: `bootstrap resources of project ${record.project} kept: ${why}` });
    }
  }
  if (state === 'FAILED') events.push({ time, type: 'environment.failed', operationId: op.id, message: `environment is FAILED; retry or delete it` });
  const finalStages = stages.map((stage): Stage => {
    if (!skipped.has(stage.name) || stage.state === 'SKIPPED') return stage;
    events.push({ time, type: 'stage.skipped', operationId: op.id, stage: stage.name, message: `stage ${stage.name} SKIPPED: turned off by the update` });
    return { name: stage.name, state: 'SKIPPED', steps: { total: 0, done: 0, failed: 0 } };
  });
  return { record: { ...withState(record, state, time), operation, stages: finalStages, progress, ...(state === 'DELETED' && { outputs: {} }) }, events };
}
