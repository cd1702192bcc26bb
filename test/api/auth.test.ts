import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../api/domain/access.js';
import { staticTokenAuthenticator } from '../../api/identity/static-token.js';
import { googleIdTokenAuthenticator } from '../../api/identity/google-id-token.js';
import { buildTestApp, INTERNAL_SECRET, json } from '../support/app.js';
import { environmentOf, jsonOf, problemOf, type Schemas } from '../support/bodies.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { AUDIENCE, certs, idToken, otherKey, stripped } from '../support/id-tokens.js';

function cloudApp(allow: string[], verification: 'in-app' | 'cloud-run' = 'in-app') {
  return buildTestApp({
    auth: { authenticator: googleIdTokenAuthenticator({ audiences: [AUDIENCE], verification, certs }), policy: new AccessPolicy(allow) },
  });
}

const ID = 'env-01jd8m3q4b5c6d7e8f9g0h1j2k';
const OP = 'op-01jd8m3q4b5c6d7e8f9g0h1j2k';
type Route = [method: string, path: string, init?: RequestInit];
/** How Hono lists the redeliver route (the `:redeliver` verb is part of its parameter's pattern). */
const REDELIVER_PATTERN = ':deliveryId{.+:redeliver}';

/**
 * Every route of the app, with the status an allowed caller gets (for the unknown environment ID):
 * a row per route, checked against the app's own route list below, so a new route cannot be
 * forgotten here.
 */
const PUBLIC: Record<string, { status: number; init?: RequestInit }> = {
  'GET /environments': { status: 200 },
  'POST /environments': { status: 202, init: json(SMALLEST_SPEC) },
  'GET /environments/:id': { status: 404 },
  'DELETE /environments/:id': { status: 404 },
  'PATCH /environments/:id': { status: 404, init: { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{}' } },
  'GET /environments/:id/events': { status: 404 },
  'GET /environments/:id/events:watch': { status: 404 },
  'GET /environments/:id/plan': { status: 404 },
  'POST /environments/:id/retry': { status: 404 },
  'POST /environments/:id/cancel': { status: 404 },
  'GET /environments/:id/deliveries': { status: 404 },
  [`POST /environments/:id/deliveries/${REDELIVER_PATTERN}`]: { status: 404 },
  // A project none of these tests creates an environment in: nothing was ever bootstrapped there.
  'DELETE /projects/:project/bootstrap': { status: 404 },
};
const INTERNAL: Record<string, { status: number; init?: RequestInit; query?: string }> = {
  'GET /internal/environments/:id/operations/:operationId/plan': { status: 404 },
  'POST /internal/environments/:id/reports': { status: 404, init: json({ operationId: OP, reports: [{ operation: 'SUCCEEDED' }] }) },
  'POST /internal/reconcile': { status: 200 },
  // Past authentication, the environment is unknown.
  'POST /internal/environments/:id/saxml/apply': { status: 404, query: `?operationId=${OP}` },
  'GET /internal/environments/:id/saxml/status': { status: 404, query: `?operationId=${OP}` },
  'POST /internal/environments/:id/saxml/delete': { status: 404, query: `?operationId=${OP}` },
  'POST /internal/deliveries:run': { status: 200 },
};
/**
 * Routes anyone may call, even when the API needs a token — they describe the API and hold nothing
 * of anyone's — each with a concrete path (all answer 200). The status page's routes are here
 * because without a token they answer with the token form and no data (status-page.test.ts).
 */
const OPEN: Record<string, string> = {
  'GET /healthz': '/healthz',
  'GET /': '/',
  'GET /ui/environments/:id': `/ui/environments/${ID}`,
  'GET /ui/assets/:name': '/ui/assets/page.css',
  'GET /openapi.yaml': '/openapi.yaml',
  'GET /docs': '/docs',
  'GET /docs/:asset': '/docs/swagger-ui.css',
  'GET /problems': '/problems',
  'GET /problems/:slug': '/problems/validation-failed',
};

const concrete = (key: string, query = ''): [method: string, path: string] => {
  const [method, path] = key.split(' ') as [string, string];
  return [method, path.replace(':id', ID).replace(':operationId', OP).replace(':project', 'untouched-project').replace(REDELIVER_PATTERN, 'dlv-0000000001-t1:redeliver') + query];
};
const ROUTES = Object.entries(PUBLIC).map(([key, row]) => [key, [...concrete(key), row.init] as Route, row.status] as const);
const INTERNAL_ROUTES = Object.entries(INTERNAL).map(([key, row]) => [key, [...concrete(key, row.query), row.init] as Route, row.status] as const);

describe('the tables above', () => {
  it('name every route of the app, each once', () => {
    const { app } = buildTestApp();
    const routes = [...new Set(app.routes.filter((r) => r.method !== 'ALL' && !r.path.endsWith('*')).map((r) => `${r.method} ${r.path}`))];
    expect(routes.sort()).toEqual([...Object.keys(PUBLIC), ...Object.keys(INTERNAL), ...Object.keys(OPEN)].sort());
  });
});

const call = (app: ReturnType<typeof buildTestApp>['app'], [method, path, init]: Route, token?: string) =>
  app.request(path, { ...init, method, headers: { ...(init?.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) } });

describe('cloud profile: Google ID tokens and the allow-list', () => {
  const app = cloudApp(['domain:example.com', 'user:carol@elsewhere.org']).app;

  describe.each(ROUTES)('%s', (_name, route, allowedStatus) => {
    it.each([
      ['no token', undefined],
      ['a token signed by another key', idToken({}, otherKey)],
      ['a token for another audience', idToken({ aud: 'https://other.example' })],
      ['an expired token', idToken({ iat: 1_000_000, exp: 1_000_600 })],
      ['a token from another issuer', idToken({ iss: 'https://evil.example' })],
      ['an unverified email', idToken({ email_verified: false })],
    ])('401 with %s', async (_why, token) => {
      const res = await call(app, route, token);
      expect(res.status).toBe(401);
      const problem = await problemOf(res);
      expect(problem.code).toBe('UNAUTHENTICATED');
      if (token) expect(JSON.stringify(problem)).not.toContain(token);
    });

    it('403 for a valid token whose principal is not on the allow-list', async () => {
      const res = await call(app, route, idToken({ email: 'mallory@evil.example' }));
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe('PERMISSION_DENIED');
    });

    it(`${allowedStatus} for an allowed principal`, async () => {
      const res = await call(app, route, idToken());
      expect(res.status).toBe(allowedStatus);
    });
  });

  it('records the principal as createdBy', async () => {
    const res = await call(app, ['POST', '/environments', json({ ...SMALLEST_SPEC, name: 'carols' })], idToken({ email: 'carol@elsewhere.org' }));
    expect(res.status).toBe(202);
    expect((await environmentOf(res)).createdBy).toBe('user:carol@elsewhere.org');
  });

  it.each(Object.entries(OPEN))('%s needs no token', async (_name, path) => {
    expect((await app.request(path)).status).toBe(200);
  });

  it('project-scoped entries allow only their project', async () => {
    const scoped = cloudApp(['other-project-2/user:bob@example.com']).app;
    const token = idToken({ email: 'bob@example.com' });
    const denied = await call(scoped, ['POST', '/environments', json(SMALLEST_SPEC)], token);
    expect(denied.status).toBe(403);
    expect((await problemOf(denied)).detail).toContain('my-project-1');
    const allowed = await call(scoped, ['POST', '/environments', json({ ...SMALLEST_SPEC, project: 'other-project-2' })], token);
    expect(allowed.status).toBe(202);
    const env = await environmentOf(allowed);
    expect((await call(scoped, ['GET', '/environments'], token)).status).toBe(403);
    const listed = await jsonOf<Schemas['EnvironmentList']>(await call(scoped, ['GET', '/environments?project=other-project-2'], token));
    expect(listed.environments.map((e) => e.id)).toEqual([env.id]);
    const service = idToken({ email: 'ci@other-project-2.iam.gserviceaccount.com' });
    expect((await call(scoped, ['GET', `/environments/${env.id}`], service)).status).toBe(403);
  });

  it('cloud-run verification trusts the (stripped) signature but still checks audience and expiry', async () => {
    const trusting = cloudApp(['domain:example.com'], 'cloud-run').app;
    const list: Route = ['GET', '/environments'];
    expect((await call(trusting, list, stripped(idToken()))).status).toBe(200);
    expect((await call(trusting, list, stripped(idToken({ aud: 'https://other.example' })))).status).toBe(401);
    expect((await call(trusting, list, stripped(idToken({ exp: 1_000_600 })))).status).toBe(401);
  });
});

describe('local profile: optional static token', () => {
  const TOKEN = 'local-token-0123456789abcdef';
  const { app } = buildTestApp({ auth: { authenticator: staticTokenAuthenticator(TOKEN), policy: new AccessPolicy('allow-all') } });

  it.each(ROUTES)('%s: 401 without or with a wrong token, accepted with the right one', async (_n, route, allowedStatus) => {
    expect((await call(app, route)).status).toBe(401);
    expect((await call(app, route, 'wrong-token')).status).toBe(401);
    expect((await call(app, route, TOKEN)).status).toBe(allowedStatus);
  });

  it.each(Object.entries(OPEN))('%s needs no token, so a browser can open it', async (_name, path) => {
    expect((await app.request(path)).status).toBe(200);
  });

  it('without API_TOKEN everyone is anonymous', async () => {
    const open = buildTestApp().app;
    const res = await open.request('/environments', json(SMALLEST_SPEC));
    expect((await environmentOf(res)).createdBy).toBe('anonymous');
  });
});

describe('internal routes accept only the workflow identity', () => {
  describe.each(INTERNAL_ROUTES)('%s', (_name, route, allowedStatus) => {
    it('local profile: 401 without or with a wrong secret, passes with the engine secret', async () => {
      const { app } = buildTestApp();
      expect((await call(app, route)).status).toBe(401);
      expect((await call(app, route, 'not-the-secret')).status).toBe(401);
      expect((await call(app, route, INTERNAL_SECRET)).status).toBe(allowedStatus);
    });

    it('cloud profile: 403 for a valid ID token of anyone but the workflow service account, passes for it', async () => {
      const authenticator = googleIdTokenAuthenticator({ audiences: [AUDIENCE], verification: 'in-app', certs });
      const { app } = buildTestApp({
        auth: { authenticator, policy: new AccessPolicy(['domain:example.com']) },
        internalAuth: { authenticator, workflowPrincipal: 'serviceAccount:wf@svc.iam.gserviceaccount.com' },
      });
      expect((await call(app, route)).status).toBe(401);
      expect((await call(app, route, idToken())).status).toBe(403);
      expect((await call(app, route, idToken({ email: 'other@svc.iam.gserviceaccount.com' }))).status).toBe(403);
      expect((await call(app, route, idToken({ email: 'wf@svc.iam.gserviceaccount.com' }))).status).toBe(allowedStatus);
    });
  });
});
