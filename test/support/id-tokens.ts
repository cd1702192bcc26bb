import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * Google-shaped ID tokens for tests, signed with a key of ours (the authenticator is given our
 * certificate in place of Google's). Defaults: a verified Workspace user of example.com.
 */
export const AUDIENCE = 'https://saxml-env.example.run.app';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
export const certs = async () => ({ k1: publicKey.export({ type: 'spki', format: 'pem' }).toString() });

/** A signed token; `hd` follows the email's domain for users (service accounts have none) unless given. */
export function idToken(claims: Record<string, unknown> = {}, key: KeyObject = privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const email = (claims.email as string | undefined) ?? 'alice@example.com';
  const hd = email.endsWith('.gserviceaccount.com') ? {} : { hd: email.split('@')[1] };
  const header = { alg: 'RS256', kid: 'k1', typ: 'JWT' };
  const payload = { iss: 'https://accounts.google.com', aud: AUDIENCE, sub: '123', email, email_verified: true, ...hd, iat: now, exp: now + 600, ...claims };
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signed = `${encode(header)}.${encode(payload)}`;
  return `${signed}.${createSign('RSA-SHA256').update(signed).sign(key).toString('base64url')}`;
}

/** What Cloud Run hands the container after checking a token: the signature is gone. */
export const stripped = (token: string) => `${token.split('.').slice(0, 2).join('.')}.`;

/** An unsigned token anyone can write (`alg: none`). */
export function forged(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ iss: 'https://accounts.google.com', aud: AUDIENCE, email_verified: true, iat: now, exp: now + 600, ...claims })}.x`;
}
