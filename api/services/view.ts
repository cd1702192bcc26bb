import type { EnvironmentRecord } from '../domain/environment.js';
import { actionsFor, type Actions } from '../domain/state-machine.js';

/** The public representation of an environment: the record without storage internals, plus etag and actions. */
/** Step progress is shown by GET /environments/{id}/plan, next to the steps it describes. */
export type EnvironmentView = Omit<EnvironmentRecord, 'version' | 'progress'> & { etag: string; actions: Actions };

export const etagOf = (record: EnvironmentRecord): string => `"${record.id.slice(-8)}-${record.version}"`;

export function toView(record: EnvironmentRecord): EnvironmentView {
  const { version: _version, progress: _progress, ...rest } = record;
  return {
    ...rest,
    etag: etagOf(record),
    actions: actionsFor(record.state, record.operation?.state, record.spec.deletionProtection),
  };
}

/**
 * The view as JSON text, rendered once per record object. Stores hand out the same frozen object
 * for an unchanged environment (the SQLite store does; a new object only costs a new rendering),
 * so polling clients — the bulk of the traffic — get a cached string instead of a serialisation.
 */
const rendered = new WeakMap<EnvironmentRecord, string>();
export function viewJson(record: EnvironmentRecord): string {
  let json = rendered.get(record);
  if (json === undefined) {
    json = JSON.stringify(toView(record));
    if (Object.isFrozen(record)) rendered.set(record, json);
  }
  return json;
}
