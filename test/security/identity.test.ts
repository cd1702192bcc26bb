import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../api/domain/access.js';
import { GCLOUD_CLIENT_ID, googleIdTokenAuthenticator } from '../../api/identity/google-id-token.js';
import { buildTestApp, json } from '../support/app.js';
import { environmentOf, problemOf } from '../support/bodies.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { AUDIENCE, certs, forged, idToken, stripped } from '../support/id-tokens.js';

/**
 * Identity (security review finding 1, critical, and 17): the app trusts only the token Cloud Run
 * (or the app itself) verified, and only Google's verified identities.
 */

const WORKFLOW = 'wf@svc-project.iam.gserviceaccount.com';
const SECOND_URL = 'https://saxml-env-abcdef1234-uc.a.run.app';
const OP = 'op-01jd8m3q4b5c6d7e8f9g0h1j2k';

function cloudApp(verification: 'in-app' | 'cloud-run', allow = ['team-a-proj/user:bob@example.com', 'domain:example.com']) {
  const authenticator = googleIdTokenAuthenticator({ audiences: [AUDIENCE, SECOND_URL], verification, certs });
  return buildTestApp({
    auth: { authenticator, policy: new AccessPolicy(allow) },
    internalAuth: { authenticator, workflowPrincipal: `serviceAccount:${WORKFLOW}` },
  }).app;
}

const headers = (h: Record<string, string>) => ({ headers: h });
const bob = () => stripped(idToken({ email: 'bob@example.com' }));

describe('cloud-run mode reads the header Cloud Run verified', () => {
  const app = cloudApp('cloud-run');

  it('refuses a forged Authorization sent next to a real X-Serverless-Authorization (public route)', async () => {
    // Cloud Run checks only X-Serverless-Authorization when both are sent and passes Authorization through.
    const res = await app.request('/environments?project=team-b-proj', headers({
      'x-serverless-authorization': `Bearer ${bob()}`,
      authorization: `Bearer ${forged({ email: 'admin@example.com', hd: 'example.com' })}`,
    }));
    expect(res.status).toBe(401);
    expect((await problemOf(res)).detail).toContain('different tokens');
  });

  it('refuses a forged workflow identity next to a real token (internal route)', async () => {
    const res = await app.request(`/internal/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k/operations/${OP}/plan`, headers({
      'x-serverless-authorization': `Bearer ${bob()}`,
      authorization: `Bearer ${forged({ email: WORKFLOW })}`,
    }));
    expect(res.status).toBe(401);
  });

  it('takes the principal from X-Serverless-Authorization when that is the only token', async () => {
    const res = await app.request('/environments', { ...json({ ...SMALLEST_SPEC, project: 'team-a-proj' }), headers: {
      'content-type': 'application/json', 'x-serverless-authorization': `Bearer ${bob()}`,
    } });
    expect(res.status).toBe(202);
    expect((await environmentOf(res)).createdBy).toBe('user:bob@example.com');
  });

  it('accepts the same token in both headers (Cloud Run stripped the signature of the one it checked)', async () => {
    const token = idToken({ email: 'bob@example.com' });
    const res = await app.request('/environments?project=team-a-proj', headers({
      'x-serverless-authorization': `Bearer ${stripped(token)}`, authorization: `Bearer ${token}`,
    }));
    expect(res.status).toBe(200);
  });

  it('the workflow reaches the internal routes through X-Serverless-Authorization', async () => {
    const res = await app.request(`/internal/environments/env-01jd8m3q4b5c6d7e8f9g0h1j2k/operations/${OP}/plan`, headers({
      'x-serverless-authorization': `Bearer ${stripped(idToken({ email: WORKFLOW }))}`,
    }));
    expect(res.status).toBe(404);
  });

  it('accepts a user token of `gcloud auth print-identity-token` (no service audience): Cloud Run checked it', async () => {
    const res = await app.request('/environments?project=team-a-proj', headers({
      authorization: `Bearer ${stripped(idToken({ email: 'bob@example.com', aud: GCLOUD_CLIENT_ID, azp: GCLOUD_CLIENT_ID }))}`,
    }));
    expect(res.status).toBe(200);
  });
});

describe.each(['in-app', 'cloud-run'] as const)('claims (%s mode)', (mode) => {
  const app = cloudApp(mode);
  const send = (token: string) => app.request('/environments?project=team-a-proj', headers({
    authorization: `Bearer ${mode === 'cloud-run' ? stripped(token) : token}`,
  }));

  it('iss must be Google', async () => {
    expect((await send(idToken({ email: 'bob@example.com', iss: 'https://evil.example' }))).status).toBe(401);
  });

  it('email_verified must be true, not merely absent', async () => {
    expect((await send(idToken({ email: 'bob@example.com', email_verified: undefined }))).status).toBe(401);
    expect((await send(idToken({ email: 'bob@example.com', email_verified: 'true' }))).status).toBe(401);
  });

  it('domain: entries match the hd claim, never the email suffix alone', async () => {
    expect((await send(idToken({ email: 'carol@example.com' }))).status).toBe(200);
    // A consumer Google account can use any address: without hd it is not a member of the domain.
    expect((await send(idToken({ email: 'carol@example.com', hd: undefined }))).status).toBe(403);
    expect((await send(idToken({ email: 'carol@example.com', hd: 'evil.example' }))).status).toBe(403);
  });

  it('both *.run.app URLs of the service are accepted audiences; others are not', async () => {
    expect((await send(idToken({ email: 'bob@example.com', aud: SECOND_URL }))).status).toBe(200);
    expect((await send(idToken({ email: 'bob@example.com', aud: 'https://other-service.a.run.app' }))).status).toBe(401);
  });
});

describe('in-app mode', () => {
  it('refuses a gcloud user token: it was not minted for this service', async () => {
    const res = await cloudApp('in-app').request('/environments?project=team-a-proj', headers({
      authorization: `Bearer ${idToken({ email: 'bob@example.com', aud: GCLOUD_CLIENT_ID })}`,
    }));
    expect(res.status).toBe(401);
  });

  it('refuses an unsigned token in either header', async () => {
    const app = cloudApp('in-app');
    const token = forged({ email: 'bob@example.com', hd: 'example.com' });
    expect((await app.request('/environments', headers({ authorization: `Bearer ${token}` }))).status).toBe(401);
    expect((await app.request('/environments', headers({ 'x-serverless-authorization': `Bearer ${token}` }))).status).toBe(401);
  });
});
