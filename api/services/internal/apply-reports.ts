import { DomainError } from '../../domain/errors.js';
import { applyReports } from '../../domain/progress.js';
import type { ReportBatch } from '../../domain/reports.js';
import { verb } from '../context.js';
import { commit } from '../shared/commit.js';
import { planFor } from '../shared/plan-for.js';

/**
 * Records what the workflow reports, in one transaction per batch. Reports of an operation that is
 * not the environment's running one (cancelled, superseded, ended) change nothing and are answered
 * 409: the execution that sent them must stop at once (the workflow ends on a 409, as on its plan
 * fetch), so two executions never drive one environment's resources together.
 */
export const applyReportBatch = verb(async (deps, ctx, input: { id: string; batch: ReportBatch }): Promise<{ applied: boolean }> => {
  let ignored: string[] = [];
  const { events } = await commit(deps, ctx, input.id, (current) => {
    const op = current.operation;
    if (op?.id !== input.batch.operationId || op.state !== 'RUNNING') throw superseded(current.id, input.batch.operationId, op);
    const change = applyReports(current, planFor(deps, current), input.batch, deps.now().toISOString());
    ignored = change.ignored;
    return { record: change.record, events: change.events };
  }).catch((error: unknown) => {
    if (error instanceof DomainError && error.details.superseded) {
      ctx.logger.warn('reports of a superseded execution refused; it stops', { environmentId: input.id, operationId: input.batch.operationId });
    }
    throw error;
  });
  if (ignored.length) ctx.logger.warn('workflow reports ignored', { environmentId: input.id, operationId: input.batch.operationId, reasons: ignored });
  return { applied: events.length > 0 };
});

const superseded = (id: string, operationId: string, current: { id: string; state: string } | undefined) =>
  new DomainError('FAILED_PRECONDITION',
    `operation ${operationId} is not the running operation of ${id} (${current ? `${current.id} is ${current.state}` : 'none is'}): the execution must stop`,
    { superseded: true });
