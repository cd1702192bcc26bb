import type { EnvironmentRecord } from '../../domain/environment.js';
import { DomainError } from '../../domain/errors.js';
import { actionsFor, type Actions } from '../../domain/state-machine.js';

/**
 * The public representation of an environment: the record without storage internals, plus etag
 * and actions, and `kind` (which tells it from the other answer of a create, a validate-only
 * result, without guessing). Step progress is shown by GET /environments/{id}/plan, next to the steps it describes.
 */
export type EnvironmentView = { kind: 'Environment' } & Omit<EnvironmentRecord, 'version' | 'progress'> & { etag: string; actions: Actions };

/** Strong ETag of one version of one environment. */
export const etagOf = (record: Pick<EnvironmentRecord, 'id' | 'version'>): string => `"${record.id.slice(-8)}-${record.version}"`;

/**
 * `If-Match` (RFC 9110 §13.1.1): the version the caller last saw, which the write then requires
 * (the store refuses if the record moved meanwhile). Absent or `*`: no condition. A list matches
 * when one of its entity tags is the current one; weak tags never match.
 */
export function expectedVersion(record: Pick<EnvironmentRecord, 'id' | 'version'>, ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  if (ifMatch.split(',').some((tag) => tag.trim() === etagOf(record))) return record.version;
  throw new DomainError('ETAG_MISMATCH', `environment ${record.id} is at ETag ${etagOf(record)}, not ${ifMatch.trim()}; GET it and decide again`);
}

export function toView(record: EnvironmentRecord): EnvironmentView {
  const { version: _version, progress: _progress, ...rest } = record;
  return {
    kind: 'Environment',
    ...rest,
    etag: etagOf(record),
    actions: actionsFor(record.state, record.operation, record.spec.deletionProtection),
  };
}
