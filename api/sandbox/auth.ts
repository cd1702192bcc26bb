/**
 * Sandbox identities. Every Google API call must carry `Authorization: Bearer <token>` where the token is
 *  - `sandbox:<email>`: accepted as that principal (the local composition root gives the workflow
 *    identity such a token; tests use `sandbox.identities.bearer(email)`), or
 *  - a token minted by iamcredentials generateAccessToken: it acts as the impersonated service account
 *    until its expireTime on the sandbox clock (the lifetime is simulated time, so it is scaled).
 * Anything else is 401 UNAUTHENTICATED. What a principal may then do is IAM's business
 * (policies.ts `isAllowed`, applied by every method's guard).
 */
import { rfc3339 } from './clock.js';
import { unauthenticated } from './errors.js';
import { isAllowed, policyKey } from './policies.js';
import type { World } from './state.js';

export const SANDBOX_BEARER_PREFIX = 'sandbox:';

export interface Principal {
  email: string;
  /** IAM member form: `serviceAccount:x@…` or `user:x@…`. */
  member: string;
}

export const memberFor = (email: string): string =>
  email.endsWith('.gserviceaccount.com') ? `serviceAccount:${email}` : `user:${email}`;

export function authenticate(world: World, header: string | undefined): Principal {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) throw unauthenticated();
  const token = match[1]!;
  if (token.startsWith(SANDBOX_BEARER_PREFIX)) {
    const email = token.slice(SANDBOX_BEARER_PREFIX.length);
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw unauthenticated();
    return { email, member: memberFor(email) };
  }
  const minted = world.tokens.get(token);
  if (!minted || world.now() >= minted.expiresAt) throw unauthenticated();
  return { email: minted.principal, member: memberFor(minted.principal) };
}

/** True when `principal` may mint the account's tokens (Token Creator on it or its project, propagated). */
export function canImpersonate(world: World, principal: Principal, sa: { email: string; project: string }): boolean {
  return isAllowed(world, principal.member, 'iam.serviceAccounts.getAccessToken', {
    project: sa.project,
    resourcePolicies: [policyKey.serviceAccount(sa.email)],
  });
}

export function mintAccessToken(world: World, saEmail: string, lifetimeSeconds: number) {
  const accessToken = `ya29.sandbox.${world.hex(48)}`;
  const expiresAt = world.now() + world.sched.scaled(lifetimeSeconds);
  world.tokens.set(accessToken, { principal: saEmail, expiresAt });
  return { accessToken, expireTime: rfc3339(expiresAt) };
}

/** Helpers for tests and the local composition root. */
export interface SandboxIdentities {
  /** `Bearer sandbox:<email>` value for an Authorization header. */
  authorization(email: string): string;
  /** The bare token (`sandbox:<email>`). */
  bearer(email: string): string;
  /** The principal a token stands for now, or null if it is unknown or expired. */
  principalOf(token: string): string | null;
  /** Adds `member` to `role` on the project's IAM policy, in force at once (setup without going through the API). */
  grantProjectRole(project: string, role: string, member: string): void;
}

export function identities(world: World): SandboxIdentities {
  return {
    authorization: (email) => `Bearer ${SANDBOX_BEARER_PREFIX}${email}`,
    bearer: (email) => `${SANDBOX_BEARER_PREFIX}${email}`,
    principalOf(token) {
      try {
        return authenticate(world, `Bearer ${token}`).email;
      } catch {
        return null;
      }
    },
    grantProjectRole(project, role, member) {
      world.project(project);
      const rec = world.policies.get(policyKey.project(project)) ?? { bindings: [], version: 1, etagSeq: 0, grantedAt: {} };
      const binding = rec.bindings.find((b) => b.role === role && !b.condition);
      if (binding) {
        if (!binding.members.includes(member)) binding.members.push(member);
      } else rec.bindings.push({ role, members: [member] });
      rec.etagSeq += 1;
      world.policies.set(policyKey.project(project), rec);
    },
  };
}
