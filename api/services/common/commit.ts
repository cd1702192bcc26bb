import type { Deps } from '../../deps.js';
import type { EnvironmentEvent, EnvironmentRecord, NewEvent } from '../../domain/environment.js';
import type { ProjectView, UpdateResult } from '../../store/port.js';
import type { ServiceContext } from '../context.js';

/**
 * Step 3 of every verb: one store transaction writes the state, the events that describe it and
 * the notifications those events cause (the outbox, sent later by the dispatcher), together or
 * not at all. `mutate` re-checks every precondition against the current record (it may run more
 * than once under contention) and must be free of side effects. After the commit, event streams
 * of the environment are woken (deps.changes) and the events are told as a story on the console
 * (README "What happens on npm start").
 */
export async function commit(
  deps: Deps,
  ctx: ServiceContext,
  id: string,
  mutate: (current: EnvironmentRecord, project?: ProjectView) => Omit<UpdateResult, 'outbox'>,
  options: { expectedVersion?: number; project?: boolean } = {},
): Promise<{ record: EnvironmentRecord; events: EnvironmentEvent[] }> {
  const result = await deps.store.update(id, (current, project) => ({ ...mutate(current, project), outbox: deps.notify.outbox }), options);
  deps.changes.notify(id);
  narrate(ctx, result.record, result.events);
  return result;
}

/** The first write of a new environment, with its first events (and their notifications). */
export async function commitNew(deps: Deps, ctx: ServiceContext, record: EnvironmentRecord, events: NewEvent[]): Promise<EnvironmentRecord> {
  const created = await deps.store.create(record, events, deps.notify.outbox);
  deps.changes.notify(created.id);
  narrate(ctx, created, events);
  return created;
}

/**
 * One line per operation, stage and environment transition ("env demo: base SUCCEEDED (13 steps,
 * 7m02s)"); step events only at debug level, where a developer looks for them.
 */
function narrate(ctx: ServiceContext, record: EnvironmentRecord, events: readonly NewEvent[]): void {
  for (const event of events) {
    const fields = { environmentId: record.id, operationId: event.operationId, event: event.type };
    if (event.type.startsWith('step.') || event.type === 'report.ignored') {
      ctx.logger.debug(`env ${record.name}: ${event.message}`, fields);
      continue;
    }
    const stage = event.stage ? record.stages.find((s) => s.name === event.stage) : undefined;
    const line = !stage ? `env ${record.name}: ${event.message}`
      : event.type === 'stage.started' ? `env ${record.name}: ${stage.name} ${stage.state}`
      : `env ${record.name}: ${stage.name} ${stage.state} (${stage.steps.done}/${stage.steps.total} steps${stage.startTime && stage.endTime ? `, ${duration(stage.startTime, stage.endTime)}` : ''})`;
    ctx.logger.log(event.type.endsWith('.failed') ? 'WARNING' : 'INFO', line, fields);
  }
}

/** `7m02s`, `45s`, `1h03m`. */
export function duration(from: string, to: string): string {
  const s = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
