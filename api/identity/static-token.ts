import { createHash, timingSafeEqual } from 'node:crypto';
import { bearer, unauthenticated, type Authenticator } from './port.js';

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Local profile: `API_TOKEN` when set, else everyone is `anonymous`. Also the local engine's
 * per-process secret on the internal routes (`principalId` names it).
 */
export function staticTokenAuthenticator(token: string | undefined, principalId = 'token:local'): Authenticator {
  return {
    // Only `Authorization`: X-Serverless-Authorization is Cloud Run's, and nothing in front of the
    // local profile verifies it.
    async authenticate({ authorization }) {
      if (token === undefined) return { id: 'anonymous' };
      const presented = bearer(authorization);
      if (!presented) throw unauthenticated('send Authorization: Bearer <API_TOKEN>');
      if (!sameSecret(presented, token)) throw unauthenticated('the bearer token is not valid');
      return { id: principalId };
    },
  };
}
