import { monotonicFactory } from 'ulid';

/**
 * Resource ids: a prefix and a lowercase ULID. ULIDs sort by creation time, which gives lists a
 * stable newest-first order and page tokens that never skip or repeat (DESIGN §3).
 */
export type IdKind = 'env' | 'op';

export function createIdGenerator(now: () => number = Date.now): (kind: IdKind) => string {
  const ulid = monotonicFactory();
  return (kind) => `${kind}-${ulid(now()).toLowerCase()}`;
}

export const ENVIRONMENT_ID = /^env-[0-9a-hjkmnp-tv-z]{26}$/;
export const OPERATION_ID = /^op-[0-9a-hjkmnp-tv-z]{26}$/;
