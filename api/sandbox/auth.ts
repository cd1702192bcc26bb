/**
 * Sandbox identities. Every Google API call must carry `Authorization: Bearer <token>` where the token is
 *  - `sandbox:<email>:<signature>`, issued by this sandbox (`sandbox.identities.bearer(email)`; the
 *    local composition root gives the workflow identity such a token): accepted as that principal.
 *    The signature is an HMAC with a secret of this sandbox, so nobody who can reach the sandbox
 *    over HTTP can act as an identity by writing its email (say, the workflow's), or
 *  - a token minted by iamcredentials generateAccessToken: it acts as the impersonated service account
 *    until its expireTime on the sandbox clock (the lifetime is simulated time, so it is scaled).
 * Anything else is 401 UNAUTHENTICATED. What a principal may then do is IAM's business
 * (policies.ts `isAllowed`, applied by every method's guard).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
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
    const [email = '', signature = ''] = token.slice(SANDBOX_BEARER_PREFIX.length).split(':');
    if (!/^[^@\s]+@[^@\s]+$/.test(email) || !sameBytes(signature, signIdentity(world, email))) throw unauthenticated();
    return { email, member: memberFor(email) };
  }
  const minted = world.tokens.get(token);
  if (!minted || world.now() >= minted.expiresAt) throw unauthenticated();
  return { email: minted.principal, member: memberFor(minted.principal) };
}

const signIdentity = (world: World, email: string) => createHmac('sha256', world.identitySecret).update(email).digest('base64url');

function sameBytes(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
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
  /** `Bearer sandbox:<email>:<signature>` value for an Authorization header. */
  authorization(email: string): string;
  /** The bare token (`sandbox:<email>:<signature>`). */
  bearer(email: string): string;
  /** The principal a token stands for now, or null if it is unknown or expired. */
  principalOf(token: string): string | null;
  /** Adds `member` to `role` on the project's IAM policy, in force at once (setup without going through the API). */
  grantProjectRole(project: string, role: string, member: string): void;
}

export function identities(world: World): SandboxIdentities {
  return {
    authorization: (email) => `Bearer ${SANDBOX_BEARER_PREFIX}${email}:${signIdentity(world, email)}`,
    bearer: (email) => `${SANDBOX_BEARER_PREFIX}${email}:${signIdentity(world, email)}`,
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
