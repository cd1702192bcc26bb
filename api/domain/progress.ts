import { withStepOutputs, type EnvironmentRecord, type ErrorInfo, type NewEvent, type Operation, type Progress, type Stage, type StageState, type StepProgress } from './environment.js';
import { describeStepError, type StepContext } from './google-errors.js';
import { BASE_STEPS } from './plan/base/ids.js';
import type { Plan, PlanStep } from './plan/types.js';
import type { OperationReport, ReportBatch, StepReport } from './reports.js';
import { endOperation } from './operations.js';
import { withPatchHint } from './update/hints.js';
import { canTransitionStage } from './state-machine.js';

/**
 * Pure bookkeeping of an operation's progress: step reports → step progress → stage states,
 * outputs and events; operation outcomes → environment state. Everything here is idempotent:
 * a report that changes nothing produces no event, and nothing moves backwards.
 */

export interface Change {
  /** null: nothing to write. */
  record: EnvironmentRecord | null;
  events: NewEvent[];
  /** Why reports were ignored, for the log. */
  ignored: string[];
}

const isFinal = (p: StepProgress | undefined) => p?.state === 'SUCCEEDED' || p?.state === 'FAILED';

export function applyReports(record: EnvironmentRecord, plan: Plan, batch: ReportBatch, time: string): Change {
  const op = record.operation;
  if (!op || op.id !== batch.operationId) {
    return { record: null, events: [], ignored: [`reports for operation ${batch.operationId}, which is not the current operation (${op?.id ?? 'none'})`] };
  }
  if (op.state !== 'RUNNING') {
    return { record: null, events: [], ignored: [`reports for operation ${op.id}, which already ended ${op.state}`] };
  }
  const steps = new Map(plan.steps.map((s) => [s.id, s]));
  const progress = { ...record.progress[op.target] };
  let outputs = { ...record.outputs };
  const events: NewEvent[] = [];
  const ignored: string[] = [];
  let outcome: OperationReport | undefined;
  const kept: NonNullable<Operation['kept']> = [];

  for (const report of batch.reports) {
    if ('operation' in report) {
      outcome ??= report;
      continue;
    }
    const step = steps.get(report.step);
    if (!step) {
      ignored.push(`unknown step ${report.step}`);
      continue;
    }
    const reported = applyStepReport(progress[step.id], report, op, time, contextOf(record, step.id));
    if (!reported) continue;
    const entry = reported.error ? { ...reported, error: withPatchHint(record, reported.error) } : reported;
    progress[step.id] = entry;
    events.push(stepEvent(step, entry, op.id, time, report.leftAlone));
    if (entry.state === 'SUCCEEDED' && op.target !== 'delete') outputs = withStepOutputs(outputs, { ...step.outputs, ...report.outputs });
    // An update that deleted what reported an output (perf turned off): the output no longer holds.
    if (entry.state === 'SUCCEEDED' && step.clears?.length) outputs = Object.fromEntries(Object.entries(outputs).filter(([key]) => !step.clears!.includes(key as never)));
    // A delete that left a resource on purpose (a model repository with data) says so.
    const keep = step.kind === 'resource' ? step.delete?.keep : undefined;
    if (entry.state === 'SUCCEEDED' && keep && report.outputs?.kept === 'true') {
      kept.push({ resource: keep.resource, reason: keep.reason });
      events.push({ time, type: 'resource.kept', operationId: op.id, stage: step.stage, step: step.id, message: `kept ${keep.resource}: ${keep.reason}`, details: { resource: keep.resource } });
    }
    // So does one that found a resource without the environment's mark and left it alone.
    const owner = step.kind === 'resource' ? step.owner : undefined;
    if (entry.state === 'SUCCEEDED' && owner && report.leftAlone) {
      kept.push({ resource: owner.resource, reason: report.leftAlone });
      events.push({ time, type: 'resource.kept', operationId: op.id, stage: step.stage, step: step.id, message: `kept ${owner.resource}: ${report.leftAlone}`, details: { resource: owner.resource } });
    }
  }

  const operation = kept.length ? { ...op, kept: [...(op.kept ?? []), ...kept] } : op;
  let next: EnvironmentRecord = { ...record, operation, outputs, progress: { ...record.progress, [op.target]: progress } };
  const staged = withStages(next, plan, time);
  next = staged.record;
  events.push(...staged.events);

  if (outcome) {
    const missing = outcome.operation === 'SUCCEEDED' ? plan.steps.filter((s) => progress[s.id]?.state !== 'SUCCEEDED').map((s) => s.id) : [];
    const error: ErrorInfo | undefined =
      outcome.operation === 'FAILED' ? failureOf(next, plan, outcome)
      : missing.length ? { code: 'INCOMPLETE', message: `the workflow ended without completing steps ${missing.join(', ')}`, hint: 'retry the operation' }
      : undefined;
    const ended = endOperation(next, error ? 'FAILED' : 'SUCCEEDED', time, error);
    next = ended.record;
    events.push(...ended.events);
  }
  const changed = events.length > 0;
  return { record: changed ? next : null, events, ignored };
}

/** What an error's advice needs to know about the step: the environment, its region, its TPU pool. */
function contextOf(record: EnvironmentRecord, stepId: string): StepContext {
  const pools = record.spec.cluster.tpuNodePools;
  const i = pools.findIndex((p) => BASE_STEPS.tpuPool(p.name) === stepId);
  return {
    environmentId: record.id,
    region: record.spec.region,
    ...(i >= 0 && { tpuPool: { path: `cluster.tpuNodePools[${i}]`, tpuType: pools[i]!.tpuType } }),
  };
}

/** The step's new progress, or undefined when the report changes nothing (duplicate, late, regressive). */
function applyStepReport(current: StepProgress | undefined, report: StepReport, op: Operation, time: string, context: StepContext): StepProgress | undefined {
  const sameOperation = current?.operationId === op.id;
  if (sameOperation && (isFinal(current) || report.state === 'RUNNING')) return undefined;
  const startTime = sameOperation ? current?.startTime ?? time : time;
  if (report.state === 'RUNNING') return { state: 'RUNNING', operationId: op.id, startTime };
  const entry: StepProgress = { state: report.state, operationId: op.id, startTime, endTime: time };
  if (report.state === 'FAILED') entry.error = describeStepError(undefined, report.step, report.error, context);
  return entry;
}

/** The event of a step's new progress; `leftAlone`: the step succeeded without touching a resource that is not the environment's. */
function stepEvent(step: PlanStep, entry: StepProgress, operationId: string, time: string, leftAlone?: string): NewEvent {
  const verb = entry.state === 'RUNNING' ? 'started' : entry.state === 'SUCCEEDED' ? 'succeeded' : 'failed';
  const message = entry.error ? `${step.title}: ${entry.error.message}` : leftAlone ? `${step.title}: left alone: ${leftAlone}` : `${step.title}: ${verb}`;
  return {
    time,
    type: `step.${verb}` as NewEvent['type'],
    operationId,
    stage: step.stage,
    step: step.id,
    message,
    ...(entry.error && { details: { error: entry.error } }),
    ...(leftAlone && { details: { leftAlone } }),
  };
}

/** The error the operation failed with: the reported one, else the first failed step's. */
function failureOf(record: EnvironmentRecord, plan: Plan, outcome: OperationReport): ErrorInfo {
  const op = record.operation!;
  const progress = record.progress[op.target];
  const failedStep = plan.steps.find((s) => progress[s.id]?.state === 'FAILED' && progress[s.id]?.operationId === op.id);
  if (failedStep) {
    const stepError = progress[failedStep.id]!.error;
    return { ...(stepError ?? describeStepError(failedStep.stage, failedStep.id, outcome.error, contextOf(record, failedStep.id))), stage: failedStep.stage, step: failedStep.id };
  }
  return describeStepError(undefined, undefined, outcome.error);
}

/** Recomputes stage states and counts from the plan and the step progress. */
export function withStages(record: EnvironmentRecord, plan: Plan, time: string): { record: EnvironmentRecord; events: NewEvent[] } {
  const op = record.operation;
  const target = op?.target ?? 'create';
  const progress = record.progress[target];
  const events: NewEvent[] = [];
  const stages = record.stages.map((stage): Stage => {
    const planned = plan.steps.filter((s) => s.stage === stage.name);
    // A failure left by an earlier attempt is pending again while a retry runs.
    const live = (id: string) => {
      const p = progress[id];
      return p && p.state === 'FAILED' && op?.state === 'RUNNING' && p.operationId !== op.id ? undefined : p;
    };
    const done = planned.filter((s) => live(s.id)?.state === 'SUCCEEDED').length;
    const failedSteps = planned.filter((s) => live(s.id)?.state === 'FAILED');
    const running = planned.some((s) => live(s.id)?.state === 'RUNNING');
    const steps = { total: planned.length, done, failed: failedSteps.length };
    if (stage.state === 'SKIPPED' || planned.length === 0) return { ...stage, steps: planned.length ? steps : stage.steps };
    const deleting = target === 'delete';
    const state: StageState =
      failedSteps.length ? 'FAILED'
      : done === planned.length ? (deleting ? 'DELETED' : 'SUCCEEDED')
      : running || done > 0 ? (deleting ? 'DELETING' : 'RUNNING')
      : deleting ? stage.state : 'PENDING';
    if (state === stage.state || !canTransitionStage(stage.state, state)) return { ...stage, steps };
    const terminal = state === 'SUCCEEDED' || state === 'DELETED' || state === 'FAILED';
    const error = failedSteps[0] ? progress[failedSteps[0].id]?.error : undefined;
    const type = state === 'FAILED' ? 'stage.failed' : terminal ? 'stage.succeeded' : 'stage.started';
    events.push({ time, type, operationId: op?.id, stage: stage.name, message: `stage ${stage.name} ${state}`, ...(error && { details: { error } }) });
    const { error: _error, endTime: _endTime, ...rest } = stage;
    return {
      ...rest,
      state,
      steps,
      // Entering RUNNING/DELETING starts a new attempt; a terminal state keeps the attempt's start.
      startTime: state === 'RUNNING' || state === 'DELETING' ? time : stage.startTime ?? time,
      ...(terminal && { endTime: time }),
      ...(state === 'FAILED' && error && { error: { ...error, stage: stage.name } }),
    };
  });
  return { record: { ...record, stages }, events };
}

/**
 * A delete starts with every step whose resource no create attempt ever touched already done:
 * nothing of ours can exist there, and such steps may not even be runnable (an automation account
 * that was never set up cannot be impersonated to delete what it never created).
 */
export function startDeleteProgress(record: EnvironmentRecord, deletePlan: Plan, operationId: string, time: string): Progress['delete'] {
  const created = record.progress.create;
  const untouched: Progress['delete'] = {};
  for (const step of deletePlan.steps) {
    if (!created[step.id]) untouched[step.id] = { state: 'SUCCEEDED', operationId, startTime: time, endTime: time };
  }
  return untouched;
}
