import type { Principal } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';

/**
 * The identity port: turns a request's credentials into a principal. Adapters: a static bearer
 * token (local profile, static-token.ts) and Google ID tokens (cloud profile, google-id-token.ts).
 */
export interface Authenticator {
  /** Throws DomainError UNAUTHENTICATED. */
  authenticate(credentials: Credentials): Promise<Principal>;
}

/**
 * The headers a request may carry its token in. Cloud Run accepts the caller's ID token in
 * `X-Serverless-Authorization` as well as in `Authorization`; when both are sent it checks only the
 * first and passes `Authorization` to the container untouched (unchecked), which is why both are
 * handed to the adapter and never one picked by the HTTP layer.
 */
export interface Credentials {
  authorization?: string;
  serverlessAuthorization?: string;
}

/** The token of an `Authorization: Bearer <token>` header. */
export const bearer = (authorization: string | undefined): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
};

export const unauthenticated = (why: string) => new DomainError('UNAUTHENTICATED', why);
