import { timingSafeEqual, createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { OAuth2Client, type TokenPayload } from 'google-auth-library';
import { DomainError } from '../domain/errors.js';
import type { AppEnv } from './types.js';

/**
 * Who is calling (DESIGN §9). Public routes: Google-signed ID tokens in the cloud profile, an
 * optional static token locally. Internal routes: only the workflow's identity.
 */

export interface Principal {
  /** `user:alice@example.com`, `serviceAccount:ci@p.iam.gserviceaccount.com`, `token:local`, `anonymous`. */
  id: string;
  email?: string;
}

export interface Authenticator {
  /** Throws DomainError UNAUTHENTICATED. */
  authenticate(authorization: string | undefined): Promise<Principal>;
}

const bearer = (authorization: string | undefined): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
};

const unauthenticated = (why: string) => new DomainError('UNAUTHENTICATED', why);

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Local profile: `API_TOKEN` when set, else everyone is `anonymous`. */
export function staticTokenAuthenticator(token: string | undefined, principalId = 'token:local'): Authenticator {
  return {
    async authenticate(authorization) {
      if (token === undefined) return { id: 'anonymous' };
      const presented = bearer(authorization);
      if (!presented) throw unauthenticated('send Authorization: Bearer <API_TOKEN>');
      if (!sameSecret(presented, token)) throw unauthenticated('the bearer token is not valid');
      return { id: principalId };
    },
  };
}

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

/**
 * The allow-list: entries `user:…`, `serviceAccount:…`, `domain:…`, each optionally limited to one
 * project with a `project-id/` prefix.
 */
export class AccessPolicy {
  private readonly entries: { project?: string; member: string }[];

  constructor(entries: string[] | 'allow-all') {
    this.entries = entries === 'allow-all' ? [{ member: '*' }] : entries.map((e) => {
      const slash = e.indexOf('/');
      return slash > 0 ? { project: e.slice(0, slash), member: e.slice(slash + 1) } : { member: e };
    });
  }

  private matches(principal: Principal, member: string): boolean {
    if (member === '*') return true;
    if (member.startsWith('domain:')) return !!principal.email && principal.email.toLowerCase().endsWith(`@${member.slice(7).toLowerCase()}`);
    return member.toLowerCase() === principal.id.toLowerCase();
  }

  /** Allowed in at least one project: may call the API at all. */
  allowsAnything(principal: Principal): boolean {
    return this.entries.some((e) => this.matches(principal, e.member));
  }

  allowsProject(principal: Principal, project: string): boolean {
    return this.entries.some((e) => (e.project === undefined || e.project === project) && this.matches(principal, e.member));
  }

  /** Projects the principal may list; `all` when some entry has no project. */
  visibleProjects(principal: Principal): 'all' | string[] {
    const mine = this.entries.filter((e) => this.matches(principal, e.member));
    if (mine.some((e) => e.project === undefined)) return 'all';
    return [...new Set(mine.map((e) => e.project!))];
  }

  assertProject(principal: Principal, project: string): void {
    if (!this.allowsProject(principal, project)) {
      throw new DomainError('PERMISSION_DENIED', `${principal.id} may not manage environments in project ${project}`);
    }
  }
}

/** Public-route middleware: authenticate, then refuse principals the allow-list does not name at all. */
export function requirePrincipal(authenticator: Authenticator, policy: AccessPolicy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await authenticator.authenticate(c.req.header('authorization'));
    c.set('principal', principal);
    if (!policy.allowsAnything(principal)) throw new DomainError('PERMISSION_DENIED', `${principal.id} is not allowed to use this API`);
    await next();
  };
}

/** Internal routes: the workflow's service account (cloud) or the local engine's per-process secret. */
export function requireWorkflowIdentity(authenticator: Authenticator, workflowPrincipal: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await authenticator.authenticate(c.req.header('authorization'));
    c.set('principal', principal);
    if (principal.id !== workflowPrincipal) throw new DomainError('PERMISSION_DENIED', 'internal routes accept only the workflow identity');
    await next();
  };
}
