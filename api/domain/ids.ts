import { monotonicFactory } from 'ulid';

/**
 * Resource ids: a prefix and a lowercase ULID. ULIDs sort by creation time, which gives lists a
 * stable newest-first order and page tokens that never skip or repeat (DESIGN §3).
 */
export type IdKind = 'env' | 'op';

export function createIdGenerator(now: () => number = Date.now): (kind: IdKind) => string {
  // Made on the first id: the factory looks up its random source (WebCrypto, which Node loads on
  // first use), which start-up has no other reason to load.
  let ulid: ReturnType<typeof monotonicFactory> | undefined;
  return (kind) => `${kind}-${(ulid ??= monotonicFactory())(now()).toLowerCase()}`;
}

export const ENVIRONMENT_ID = /^env-[0-9a-hjkmnp-tv-z]{26}$/;
export const OPERATION_ID = /^op-[0-9a-hjkmnp-tv-z]{26}$/;
