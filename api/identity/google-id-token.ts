import { OAuth2Client, type TokenPayload } from 'google-auth-library';
import type { Principal } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';
import { bearer, unauthenticated, type Authenticator } from './port.js';

/**
 * Google ID tokens (cloud profile). Kept apart from auth.ts so the local profile never loads
 * google-auth-library (it is most of the start-up time and memory of a small process).
 */

export type CertsProvider = () => Promise<Record<string, string>>;

const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

/** Google's signing certificates, fetched (and cached by the library) only in production. */
export function googleCerts(client = new OAuth2Client()): CertsProvider {
  return async () => (await client.getFederatedSignonCertsAsync()).certs as Record<string, string>;
}

function principalFrom(payload: TokenPayload | undefined): Principal {
  if (!payload?.email || payload.email_verified === false) throw unauthenticated('the ID token carries no verified email');
  const kind = payload.email.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user';
  return { id: `${kind}:${payload.email}`, email: payload.email };
}

/**
 * Google ID tokens. `in-app` verifies signature, audience, issuer and expiry here; `cloud-run`
 * trusts Cloud Run IAM, which verified the token and stripped its signature, and only decodes it
 * (still checking audience and expiry, which cost nothing).
 */
export function googleIdTokenAuthenticator(options: {
  audience: string;
  verification: 'in-app' | 'cloud-run';
  certs: CertsProvider;
  now?: () => number;
}): Authenticator {
  const client = new OAuth2Client();
  const now = options.now ?? Date.now;
  return {
    async authenticate(authorization) {
      const token = bearer(authorization);
      if (!token) throw unauthenticated('send Authorization: Bearer <Google ID token>');
      if (options.verification === 'cloud-run') return principalFrom(decodeUnverified(token, options.audience, now()));
      try {
        const ticket = await client.verifySignedJwtWithCertsAsync(token, await options.certs(), options.audience, GOOGLE_ISSUERS);
        return principalFrom(ticket.getPayload());
      } catch (error) {
        if (error instanceof DomainError) throw error;
        // The library's messages can quote the token; say only what kind of failure it was.
        throw unauthenticated('the ID token is not valid (signature, audience, issuer or expiry)');
      }
    },
  };
}

function decodeUnverified(token: string, audience: string, nowMs: number): TokenPayload {
  const part = token.split('.')[1];
  let payload: TokenPayload;
  try {
    payload = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    throw unauthenticated('the ID token cannot be decoded');
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(audience)) throw unauthenticated('the ID token is for another audience');
  if (typeof payload.exp !== 'number' || payload.exp * 1000 < nowMs) throw unauthenticated('the ID token has expired');
  return payload;
}

