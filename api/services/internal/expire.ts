import { NOTICES, expiryDue, withNotice } from '../../domain/expiry.js';
import { verb } from '../context.js';
import { startDelete } from '../environments/delete.js';
import { commit } from '../common/commit.js';

/**
 * The expiry sweep (domain/expiry.ts), run by the reconcile loop and by Cloud Scheduler through
 * POST /internal/reconcile: records the notices that are due and starts the deletes. Each change
 * checks again inside its transaction, so concurrent sweeps (several instances, the timer and the
 * scheduler) record a notice once and start one delete.
 */
export const expireDue = verb(async (deps, ctx, _input: void): Promise<{ notices: number; deletes: number }> => {
  const now = deps.now();
  const horizon = new Date(now.getTime() + Math.max(...NOTICES.map((n) => n.beforeMs))).toISOString();
  let notices = 0;
  let deletes = 0;
  for (const record of await deps.store.listExpiring(horizon)) {
    try {
      const due = expiryDue(record, now, deps.expiry);
      if (due.kind === 'delete') {
        const { started } = await startDelete(deps, ctx, record, { id: record.id, force: false, deleteBootstrap: false, purgeData: false, expiry: true });
        if (started) deletes++;
      } else if (due.kind === 'notice' || due.kind === 'blocked') {
        // Recorded only if the same notice is still due in the transaction (another sweep may have recorded it).
        const { events } = await commit(deps, ctx, record.id, (current) =>
          JSON.stringify(expiryDue(current, deps.now(), deps.expiry)) === JSON.stringify(due) ? withNotice(current, due, deps.now().toISOString()) : { record: null });
        notices += events.length;
      }
    } catch (error) {
      ctx.logger.error('expiry failed', { environmentId: record.id, error: (error as Error).message });
    }
  }
  return { notices, deletes };
});
