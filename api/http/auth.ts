import { timingSafeEqual, createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
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

export const bearer = (authorization: string | undefined): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
};

export const unauthenticated = (why: string) => new DomainError('UNAUTHENTICATED', why);

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
