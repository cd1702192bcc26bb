import type { Deps } from '../deps.js';
import { applyReports } from '../domain/progress.js';
import type { ReportBatch } from '../domain/reports.js';
import { planFor } from './plan-for.js';

/**
 * Records what the workflow reports, in one transaction per batch. Reports for another operation
 * than the current one, or after it ended, change nothing and are logged.
 */
export async function applyReportBatch(deps: Pick<Deps, 'store' | 'now' | 'logger' | 'google' | 'apiBase'>, environmentId: string, batch: ReportBatch): Promise<{ applied: boolean }> {
  let ignored: string[] = [];
  const { events } = await deps.store.update(environmentId, (current) => {
    const change = applyReports(current, planFor(deps, current), batch, deps.now().toISOString());
    ignored = change.ignored;
    return { record: change.record, events: change.events };
  });
  if (ignored.length) deps.logger.warn('workflow reports ignored', { environmentId, operationId: batch.operationId, reasons: ignored });
  return { applied: events.length > 0 };
}
