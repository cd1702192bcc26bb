import type { EnvironmentRecord, NewEvent } from '../../domain/environment.js';
import { DomainError } from '../../domain/errors.js';
import { bootstrapDecision } from '../../domain/operations.js';
import type { Plan } from '../../domain/plan/types.js';
import { applyReports, startDeleteProgress } from '../../domain/progress.js';
import type { ReportBatch } from '../../domain/reports.js';
import type { BootstrapRemoval, ProjectView } from '../../store/port.js';
import { verb } from '../context.js';
import { commit } from '../common/commit.js';
import { planFor } from '../common/plan-for.js';

/**
 * Records what the workflow reports, in one transaction per batch. Reports of an operation that is
 * not the environment's running one (cancelled, superseded, ended) change nothing and are answered
 * 409: the execution that sent them must stop at once (the workflow ends on a 409, as on its plan
 * fetch), so two executions never drive one environment's resources together.
 *
 * A delete's final SUCCEEDED report is where the project's bootstrap is decided: the same
 * transaction sees who else lives in the project. If nobody does (and the removal was asked for),
 * the operation goes on instead of ending — `continue`: the workflow fetches its plan again, which
 * now holds the bootstrap's removal — and creates in the project wait until it ends.
 */
export const applyReportBatch = verb(async (deps, ctx, input: { id: string; batch: ReportBatch }): Promise<{ applied: boolean; continue?: true }> => {
  let ignored: string[] = [];
  let goOn = false;
  const final = input.batch.reports.some((r) => 'operation' in r);
  const { events } = await commit(deps, ctx, input.id, (current, project) => {
    const op = current.operation;
    if (op?.id !== input.batch.operationId || op.state !== 'RUNNING') throw superseded(current.id, input.batch.operationId, op);
    const decided = final ? decideBootstrap(current, input.batch, project!, deps.now().toISOString(), (record) => planFor(deps, record)) : undefined;
    const record = decided?.record ?? current;
    const change = applyReports(record, planFor(deps, record), decided?.batch ?? input.batch, deps.now().toISOString());
    ignored = change.ignored;
    goOn = decided?.goOn ?? false;
    const events = [...(decided?.events ?? []), ...change.events];
    return { record: change.record ?? (record === current ? null : record), events, ...(decided?.removal !== undefined && { bootstrapRemoval: decided.removal }) };
  }, { project: final }).catch((error: unknown) => {
    if (error instanceof DomainError && error.details.superseded) {
      ctx.logger.warn('reports of a superseded execution refused; it stops', { environmentId: input.id, operationId: input.batch.operationId });
    }
    throw error;
  });
  if (ignored.length) ctx.logger.warn('workflow reports ignored', { environmentId: input.id, operationId: input.batch.operationId, reasons: ignored });
  return goOn ? { applied: events.length > 0, continue: true } : { applied: events.length > 0 };
});

/**
 * The bootstrap's part of a delete's final report: on SUCCEEDED with nothing decided yet, decide
 * (REMOVE: the operation goes on, holding the project's removal, and the batch's outcome is kept
 * back); once a removal ends, either way, the project is free again.
 */
function decideBootstrap(current: EnvironmentRecord, batch: ReportBatch, project: ProjectView, time: string, planOf: (record: EnvironmentRecord) => Plan): {
  record: EnvironmentRecord; batch: ReportBatch; events: NewEvent[]; goOn: boolean; removal?: BootstrapRemoval | null;
} | undefined {
  const op = current.operation!;
  if (op.target !== 'delete') return undefined;
  if (op.bootstrap) return op.bootstrap.decision === 'REMOVE' ? { record: current, batch, events: [], goOn: false, removal: null } : undefined;
  const succeeded = batch.reports.some((r) => 'operation' in r && r.operation === 'SUCCEEDED');
  if (!succeeded) return undefined;
  const bootstrap = bootstrapDecision(current.project, op, project.others);
  const decided = { ...current, operation: { ...op, bootstrap, includeBootstrap: bootstrap.decision === 'REMOVE' } };
  if (bootstrap.decision === 'KEEP') return { record: decided, batch, events: [], goOn: false };
  // The removal's steps join the operation now: what no create attempt ever touched is done already,
  // as for every delete (progress.ts startDeleteProgress).
  const untouched = startDeleteProgress(decided, planOf(decided), op.id, time);
  const record = { ...decided, progress: { ...decided.progress, delete: { ...untouched, ...decided.progress.delete } } };
  return {
    record,
    batch: { ...batch, reports: batch.reports.filter((r) => !('operation' in r)) },
    events: [{ time, type: 'bootstrap.removing', operationId: op.id, message: `removing the bootstrap resources of project ${current.project}: ${bootstrap.reason}` }],
    goOn: true,
    removal: { environmentId: current.id, operationId: op.id },
  };
}

const superseded = (id: string, operationId: string, current: { id: string; state: string } | undefined) =>
  new DomainError('FAILED_PRECONDITION',
    `operation ${operationId} is not the running operation of ${id} (${current ? `${current.id} is ${current.state}` : 'none is'}): the execution must stop`,
    { superseded: true });
