import type { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { AppEnv } from '../../http/types.js';
import { planFor, remainingPlan } from '../../services/plan-for.js';

/** The plan the workflow executes: the operation's plan minus the steps already done. */
export function registerFetchPlan(app: Hono<AppEnv>, deps: Deps): void {
  app.get('/internal/environments/:id/operations/:op/plan', async (c) => {
    const record = await deps.store.get(c.req.param('id'));
    if (!record) throw notFound(`environment ${c.req.param('id')}`);
    const op = record.operation;
    if (op?.id !== c.req.param('op') || op.state !== 'RUNNING') {
      // The execution belongs to a cancelled or superseded operation: it must stop.
      throw new DomainError('FAILED_PRECONDITION', `operation ${c.req.param('op')} is not the running operation of ${record.id}`);
    }
    const progress = record.progress[op.target];
    const done = new Set(Object.keys(progress).filter((id) => progress[id]!.state === 'SUCCEEDED'));
    return c.json(remainingPlan(planFor(deps, record), done));
  });
}
