import { applyReports } from '../../domain/progress.js';
import type { ReportBatch } from '../../domain/reports.js';
import { verb } from '../context.js';
import { commit } from '../shared/commit.js';
import { planFor } from '../shared/plan-for.js';

/**
 * Records what the workflow reports, in one transaction per batch. Reports for another operation
 * than the current one, or after it ended, change nothing and are logged.
 */
export const applyReportBatch = verb(async (deps, ctx, input: { id: string; batch: ReportBatch }): Promise<{ applied: boolean }> => {
  let ignored: string[] = [];
  const { events } = await commit(deps, ctx, input.id, (current) => {
    const change = applyReports(current, planFor(deps, current), input.batch, deps.now().toISOString());
    ignored = change.ignored;
    return { record: change.record, events: change.events };
  });
  if (ignored.length) ctx.logger.warn('workflow reports ignored', { environmentId: input.id, operationId: input.batch.operationId, reasons: ignored });
  return { applied: events.length > 0 };
});
