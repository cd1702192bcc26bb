import type { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { ReportBatchSchema } from '../../domain/reports.js';
import { zodFieldErrors } from '../../domain/validate.js';
import { validationProblem } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { applyReportBatch } from '../../services/apply-reports.js';

/** Step and operation progress from the workflow; idempotent by (operation, step, state). */
export function registerReports(app: Hono<AppEnv>, deps: Deps): void {
  app.post('/internal/environments/:id/reports', async (c) => {
    const parsed = ReportBatchSchema.safeParse(await c.req.json());
    if (!parsed.success) return validationProblem(c, zodFieldErrors(parsed.error));
    const { applied } = await applyReportBatch({ ...deps, logger: c.get('logger') }, c.req.param('id'), parsed.data);
    return c.json({ applied });
  });
}
