import type { Context, MiddlewareHandler } from 'hono';
import type { AccessPolicy } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';
import type { Authenticator, Credentials } from '../identity/port.js';
import type { AppEnv } from './types.js';

/**
 * The HTTP side of identity: turn the request's credentials into `c.var.principal`. Which
 * principal may do what is decided by the domain (AccessPolicy) in the services.
 */

/** Every header a token may come in; the authenticator decides which one to trust (identity/port.ts). */
const credentialsOf = (c: Context<AppEnv>): Credentials => ({
  authorization: c.req.header('authorization'),
  serverlessAuthorization: c.req.header('x-serverless-authorization'),
});

/** Public routes: authenticate, then refuse principals the allow-list does not name at all. */
export function requirePrincipal(authenticator: Authenticator, policy: AccessPolicy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await authenticator.authenticate(credentialsOf(c));
    c.set('principal', principal);
    policy.assertCaller(principal);
    await next();
  };
}

/**
 * Internal routes: the workflow's service account (cloud) or the local engine's per-process secret,
 * read from the same verified header as on the public routes.
 */
export function requireWorkflowIdentity(authenticator: Authenticator, workflowPrincipal: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await authenticator.authenticate(credentialsOf(c));
    c.set('principal', principal);
    if (principal.id !== workflowPrincipal) throw new DomainError('PERMISSION_DENIED', 'internal routes accept only the workflow identity');
    await next();
  };
}
