import { OAuth2Client, type TokenPayload } from 'google-auth-library';
import type { Principal } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';
import { bearer, unauthenticated, type Authenticator, type Credentials } from './port.js';

/**
 * Google ID tokens (cloud profile). Kept apart from auth.ts so the local profile never loads
 * google-auth-library (it is most of the start-up time and memory of a small process).
 */

export type CertsProvider = () => Promise<Record<string, string>>;

/** The issuers Google's ID tokens carry (both spellings are in use). */
const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

/**
 * gcloud's OAuth client id: the audience of the token `gcloud auth print-identity-token` mints for
 * a user, which carries no audience of any service. Cloud Run accepts such tokens from users it
 * lets invoke the service, so `cloud-run` mode accepts them too; `in-app` mode never does (a token
 * minted for gcloud is not one minted for this service).
 */
export const GCLOUD_CLIENT_ID = '32555940559.apps.googleusercontent.com';

/** Google's signing certificates, fetched (and cached by the library) only in production. */
export function googleCerts(client = new OAuth2Client()): CertsProvider {
  return async () => (await client.getFederatedSignonCertsAsync()).certs as Record<string, string>;
}

/**
 * The principal of a verified payload. `email_verified` must be true (absent is not enough);
 * `hd` (the Google Workspace / Cloud Identity domain of a user account) is what `domain:` entries
 * of the allow-list match, never the email's suffix, which any Google account may carry.
 */
function principalFrom(payload: TokenPayload | undefined): Principal {
  if (!payload?.email || payload.email_verified !== true) throw unauthenticated('the ID token carries no verified email');
  if (!GOOGLE_ISSUERS.includes(payload.iss)) throw unauthenticated('the ID token was not issued by Google');
  const kind = payload.email.endsWith('.gserviceaccount.com') ? 'serviceAccount' : 'user';
  return { id: `${kind}:${payload.email}`, email: payload.email, ...(typeof payload.hd === 'string' && { hostedDomain: payload.hd }) };
}

/** The part of a JWT its signature covers (header.payload): Cloud Run may strip the signature of the one it checked. */
const signedPart = (token: string) => token.split('.').slice(0, 2).join('.');

/**
 * The token to trust: the one in `X-Serverless-Authorization` when present (Cloud Run checks that
 * header and passes `Authorization` through unchecked when both are sent), else `Authorization`.
 * Two headers carrying different tokens are refused: one of them was not checked by anyone.
 */
export function tokenToVerify({ authorization, serverlessAuthorization }: Credentials): string {
  const usage = 'send Authorization: Bearer <Google ID token> (or X-Serverless-Authorization)';
  if (serverlessAuthorization === undefined) {
    const token = bearer(authorization);
    if (!token) throw unauthenticated(usage);
    return token;
  }
  const token = bearer(serverlessAuthorization);
  if (!token) throw unauthenticated(usage);
  if (authorization !== undefined) {
    const other = bearer(authorization);
    if (!other || signedPart(other) !== signedPart(token)) {
      throw unauthenticated('Authorization and X-Serverless-Authorization carry different tokens; send one token');
    }
  }
  return token;
}

/**
 * Google ID tokens. `in-app` verifies signature, audience, issuer and expiry here; `cloud-run`
 * trusts Cloud Run IAM, which verified the token (signature and audience) and stripped its
 * signature, and decodes it, still checking issuer, audience and expiry (which cost nothing).
 * `audiences`: every URL of the service (Cloud Run gives it two `*.run.app` URLs, and a caller
 * mints its token for the one it calls).
 */
export function googleIdTokenAuthenticator(options: {
  audiences: readonly string[];
  verification: 'in-app' | 'cloud-run';
  certs: CertsProvider;
  now?: () => number;
}): Authenticator {
  const client = new OAuth2Client();
  const now = options.now ?? Date.now;
  const audiences = [...options.audiences];
  const cloudRunAudiences = [...audiences, GCLOUD_CLIENT_ID];
  return {
    async authenticate(credentials) {
      const token = tokenToVerify(credentials);
      if (options.verification === 'cloud-run') return principalFrom(decodeUnverified(token, cloudRunAudiences, now()));
      try {
        const ticket = await client.verifySignedJwtWithCertsAsync(token, await options.certs(), audiences, GOOGLE_ISSUERS);
        return principalFrom(ticket.getPayload());
      } catch (error) {
        if (error instanceof DomainError) throw error;
        // The library's messages can quote the token; say only what kind of failure it was.
        throw unauthenticated('the ID token is not valid (signature, audience, issuer or expiry)');
      }
    },
  };
}

function decodeUnverified(token: string, audiences: readonly string[], nowMs: number): TokenPayload {
  const part = token.split('.')[1];
  let payload: TokenPayload;
  try {
    payload = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    throw unauthenticated('the ID token cannot be decoded');
  }
  if (!payload || typeof payload !== 'object') throw unauthenticated('the ID token cannot be decoded');
  const tokenAudiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!tokenAudiences.some((aud) => audiences.includes(aud))) throw unauthenticated('the ID token is for another audience');
  if (typeof payload.exp !== 'number' || payload.exp * 1000 < nowMs) throw unauthenticated('the ID token has expired');
  return payload;
}
