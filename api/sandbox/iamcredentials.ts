/**
 * IAM Service Account Credentials v1: generateAccessToken, i.e. impersonation. The caller must hold
 * roles/iam.serviceAccountTokenCreator on the service account or its project; otherwise (and when the
 * account does not exist) Google answers the same 403, so callers cannot probe for accounts.
 */
import { errorInfo, GoogleApiError, invalidArgument, notFound } from './errors.js';
import { canImpersonate, mintAccessToken } from './auth.js';
import { addNotFound, createServiceApp, guard, readBody, splitVerb } from './http.js';
import { iamcredentialsGenerateAccessTokenRequest } from './schemas.js';
import type { World } from './state.js';

const PERMISSION = 'iam.serviceAccounts.getAccessToken';
const MAX_LIFETIME_SECONDS = 3600;

const denied = () =>
  new GoogleApiError(403, 'PERMISSION_DENIED', `Permission '${PERMISSION}' denied on resource (or it may not exist).`, {
    reason: 'forbidden',
    details: [errorInfo('IAM_PERMISSION_DENIED', 'iam.googleapis.com', { permission: PERMISSION })],
  });

function parseLifetime(lifetime: string | undefined): number {
  if (lifetime === undefined) return MAX_LIFETIME_SECONDS;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(lifetime);
  if (!m) throw invalidArgument(`Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), "${lifetime}"`);
  const seconds = Number(m[1]);
  if (seconds <= 0 || seconds > MAX_LIFETIME_SECONDS) {
    throw invalidArgument(`The lifetime must be between 1s and ${MAX_LIFETIME_SECONDS}s; got ${lifetime}.`);
  }
  return seconds;
}

export function iamCredentialsApp(world: World) {
  const app = createServiceApp(world, 'iamcredentials');

  app.post('/v1/projects/:project/serviceAccounts/:saVerb', async (c) => {
    const { id: email, verb } = splitVerb(c.req.param('saVerb'));
    if (verb !== 'generateAccessToken') throw notFound('Method not found.');
    const sa = world.serviceAccounts.get(email);
    guard(world, c, {
      permission: PERMISSION,
      resource: `projects/-/serviceAccounts/${email}`,
      ...(sa ? { project: sa.project, api: 'iamcredentials.googleapis.com' } : {}),
      // Checked below with IAM Credentials' own answer, the same whether or not the account exists.
      authorise: false,
    });
    const body = await readBody<{ scope?: string[]; lifetime?: string; delegates?: string[] }>(
      c,
      iamcredentialsGenerateAccessTokenRequest,
    );
    if (!body.scope?.length) throw invalidArgument('Scope required.');
    const lifetime = parseLifetime(body.lifetime);
    if (body.delegates?.length) throw invalidArgument('Delegation chains are not simulated by the sandbox.');
    if (!sa || !canImpersonate(world, c.var.principal, sa)) throw denied();
    return c.json(mintAccessToken(world, sa.email, lifetime));
  });

  return addNotFound(app);
}
