import type { Principal } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';

/**
 * The identity port: turns a request's credentials into a principal. Adapters: a static bearer
 * token (local profile, static-token.ts) and Google ID tokens (cloud profile, google-id-token.ts).
 */
export interface Authenticator {
  /** Throws DomainError UNAUTHENTICATED. */
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/** The token of an `Authorization: Bearer <token>` header. */
export const bearer = (authorization: string | undefined): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
};

export const unauthenticated = (why: string) => new DomainError('UNAUTHENTICATED', why);
