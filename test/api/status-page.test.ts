import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../api/domain/access.js';
import type { EnvironmentRecord, NewEvent } from '../../api/domain/environment.js';
import { staticTokenAuthenticator } from '../../api/identity/static-token.js';
import { buildTestApp } from '../support/app.js';
import { jsonOf, problemOf } from '../support/bodies.js';
import { newEnvironmentRecord } from '../support/fixtures.js';

/**
 * The status page over HTTP (what the server renders; the browser test drives the script): how `/`
 * tells browsers from API clients, what each page shows from the store, that nothing a user or
 * Google controls can become markup, and that the page asks for the API's token exactly when the
 * API would.
 */

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const TOKEN = 'status-page-test-token-0123456789';
const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

type TestApp = ReturnType<typeof buildTestApp>;

async function page(app: TestApp['app'], path: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await app.request(path, { headers: { ...BROWSER, ...headers } });
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.status).toBe(200);
  return res.text();
}

/**
 * Records as the store holds them, in whatever state a test needs (the API only makes new ones).
 * `name` and `labels` are the record's only (the spec keeps the fixture's), so they may hold what
 * the API would refuse.
 */
async function stored(app: TestApp, overrides: Partial<EnvironmentRecord>, events: NewEvent[] = []): Promise<EnvironmentRecord> {
  const { name, labels, ...rest } = overrides;
  return app.store.create({ ...newEnvironmentRecord(rest), ...(name !== undefined && { name }), ...(labels && { labels }) }, events);
}

const operation = (state: 'RUNNING' | 'SUCCEEDED' | 'FAILED', extra: Partial<NonNullable<EnvironmentRecord['operation']>> = {}) => ({
  id: 'op-01jd8m3q4b5c6d7e8f9g0h1j2m', kind: 'create' as const, target: 'create' as const, state, startTime: at(0),
  ...(state !== 'RUNNING' && { endTime: at(600) }), ...extra,
});

describe('GET /', () => {
  it.each([
    ['no Accept header', {}],
    ['*/* (curl)', { accept: '*/*' }],
    ['application/json', { accept: 'application/json' }],
    ['JSON preferred over HTML', { accept: 'application/json, text/html;q=0.5' }],
  ])('answers API clients with where to start (%s)', async (_name, headers: Record<string, string>) => {
    const res = await buildTestApp().app.request('/', { headers });
    expect(await jsonOf(res)).toEqual({ name: 'Saxml Environments API', docs: '/docs', openapi: '/openapi.yaml', environments: '/environments' });
    expect(res.headers.get('vary')).toContain('Accept');
  });

  it('answers a browser with the status page, which loads only this server\'s files and runs no inline script', async () => {
    const res = await buildTestApp().app.request('/', { headers: BROWSER });
    expect(res.status).toBe(200);
    expect(res.headers.get('vary')).toContain('Accept');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).toMatch(/^<!doctype html>/);
    const urls = [...text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.filter((url) => !url.startsWith('/?')).sort()).toEqual(['/', '/', '/docs', '/ui/assets/page.css', '/ui/assets/page.js', 'data:,']);
    expect(text).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect(text).not.toMatch(/https?:\/\//);
  });
});

describe('the list', () => {
  it('shows each environment with its state, stages and labels, newest first, linked to its page', async () => {
    const app = buildTestApp();
    const older = await stored(app, { name: 'older', state: 'ACTIVE', operation: operation('SUCCEEDED') });
    const newer = await stored(app, { name: 'newer', labels: { team: 'serving' }, state: 'CREATING', operation: operation('RUNNING') });
    const text = await page(app.app, '/');
    expect(text.indexOf(`data-id="${newer.id}"`)).toBeLessThan(text.indexOf(`data-id="${older.id}"`));
    expect(text).toContain(`<tr data-id="${older.id}" data-state="ACTIVE"><td><a href="/ui/environments/${older.id}">older</a>`);
    expect(text).toContain('<span class="badge state-creating">CREATING</span>');
    expect(text).toContain('<a class="label" href="/?label=team%3Aserving">team:serving</a>');
    expect(text).toContain('title="bootstrap: PENDING, 0/0 steps"');
    // One environment is changing: the script refreshes the list often.
    expect(text).toContain('<section id="list" data-busy="true">');
  });

  it.each([
    ['state', '/?state=ACTIVE', ['active-one']],
    ['project', '/?project=other-project-2', ['elsewhere']],
    ['label', '/?label=team:serving', ['labelled']],
    ['state and project', '/?state=CREATING&project=other-project-2', []],
  ])('filters by %s like GET /environments', async (_name, path, names) => {
    const app = buildTestApp();
    await stored(app, { name: 'active-one', state: 'ACTIVE' });
    await stored(app, { name: 'elsewhere', project: 'other-project-2', state: 'FAILED' });
    await stored(app, { name: 'labelled', labels: { team: 'serving' } });
    const text = await page(app.app, path);
    const shown = [...text.matchAll(/<a href="\/ui\/environments\/env-[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(shown).toEqual(names);
    if (!names.length) expect(text).toContain('No environments match these filters');
  });

  it.each([
    ['an unknown state', '/?state=ACTIVATED', 'no state ACTIVATED; the states are CREATING, ACTIVE, UPDATING, DELETING, DELETED, FAILED'],
    ['a label that is not key:value', '/?label=serving', 'label filter &quot;serving&quot; must look like key:value'],
  ])('says what is wrong with %s where the table would be', async (_name, path, message) => {
    const text = await page(buildTestApp().app, path);
    expect(text).toContain(`<p class="problem">${message}</p>`);
  });
});

describe('an environment\'s page', () => {
  it('shows stages with progress, a bar per step that ran, the failure with what to do, and retry and delete', async () => {
    const app = buildTestApp();
    const error = { code: 'GCE_STOCKOUT', message: 'TPU capacity is exhausted', stage: 'base' as const, step: 'base.tpu-pool.tpu-v5e-4', hint: 'change the zones, then retry' };
    const env = await stored(app, {
      state: 'FAILED',
      operation: operation('FAILED', { error }),
      stages: [
        { name: 'bootstrap', state: 'SUCCEEDED', startTime: at(0), endTime: at(60), steps: { total: 7, done: 7, failed: 0 } },
        { name: 'base', state: 'FAILED', startTime: at(60), endTime: at(600), steps: { total: 14, done: 12, failed: 1 }, error },
        { name: 'perf', state: 'SUCCEEDED', startTime: at(60), endTime: at(120), steps: { total: 6, done: 6, failed: 0 } },
        { name: 'saxml', state: 'SKIPPED', steps: { total: 0, done: 0, failed: 0 } },
      ],
      progress: {
        create: {
          'bootstrap.services.1': { state: 'SUCCEEDED', operationId: 'op-01jd8m3q4b5c6d7e8f9g0h1j2m', startTime: at(0), endTime: at(60) },
          'base.tpu-pool.tpu-v5e-4': { state: 'FAILED', operationId: 'op-01jd8m3q4b5c6d7e8f9g0h1j2m', startTime: at(300), endTime: at(600), error },
        },
        update: {},
        delete: {},
      },
    });
    const text = await page(app.app, `/ui/environments/${env.id}`);
    expect(text).toContain('<title>demo · Saxml environments</title>');
    expect(text).toContain('<tr data-stage="base" data-state="FAILED"><th>base</th><td><span class="badge state-failed">FAILED</span></td><td><progress max="14" value="12"></progress></td><td>12/14 steps, 1 failed</td><td>9m00s</td></tr>');
    // The axis runs from the first step's start to the last end (600 s); the TPU pool ran in its second half.
    expect(text).toContain('<g class="step state-failed" data-step="base.tpu-pool.tpu-v5e-4"><title>base.tpu-pool.tpu-v5e-4: Create the TPU node pool tpu-v5e-4 (v5litepod-4 in us-west1-c) — FAILED in 5m00s, from +5m00s — GCE_STOCKOUT: TPU capacity is exhausted</title><text class="step-label" x="18" y="');
    expect([...text.matchAll(/<rect class="bar" x="([\d.]+)"[^>]* width="([\d.]+)"/g)].map((m) => [m[1], m[2]])).toEqual([['210.0', '73.8'], ['579.0', '369.0']]);
    expect(text).toContain('<p><b>GCE_STOCKOUT</b> in base (step base.tpu-pool.tpu-v5e-4): TPU capacity is exhausted</p><p><b>What to do:</b> change the zones, then retry</p>');
    const actions = [...text.matchAll(/data-action="(\w+)" data-method="(\w+)" data-path="([^"]+)"[^>]*?(?:data-if-match="([^"]+)")?>/g)].map((m) => m.slice(1));
    expect(actions).toEqual([
      ['retry', 'POST', `/environments/${env.id}/retry`, `&quot;${env.id.slice(-8)}-1&quot;`],
      ['delete', 'DELETE', `/environments/${env.id}`, `&quot;${env.id.slice(-8)}-1&quot;`],
    ]);
  });

  it('offers only cancel while an operation runs, with no version condition (every report changes it)', async () => {
    const app = buildTestApp();
    const env = await stored(app, { state: 'CREATING', operation: operation('RUNNING') });
    const text = await page(app.app, `/ui/environments/${env.id}`);
    expect(text).toContain(`<section id="summary" data-env-id="${env.id}" data-running="true">`);
    const actions = [...text.matchAll(/<button type="button" class="[^"]+" data-action="(\w+)" data-method="\w+" data-path="([^"]+)"([^>]*)>/g)].map((m) => [m[1], m[2], m[3]!.includes('data-if-match')]);
    expect(actions).toEqual([['cancel', `/environments/${env.id}/cancel`, false]]);
    expect(text).toContain('No step has started yet.');
  });

  it('offers nothing for a deleted environment', async () => {
    const app = buildTestApp();
    const env = await stored(app, { state: 'DELETED', operation: operation('SUCCEEDED', { kind: 'delete', target: 'delete' }) });
    const text = await page(app.app, `/ui/environments/${env.id}`);
    expect(text).toContain('<p class="actions empty">No action is possible now.</p>');
    expect(text).not.toContain('data-action=');
  });

  it('shows an active environment\'s cost, expiry, and outputs with copyable commands to use it', async () => {
    const app = buildTestApp();
    const env = await stored(app, {
      state: 'ACTIVE', operation: operation('SUCCEEDED'), expireTime: at(86_400),
      outputs: { clusterName: 'demo-saxml-gke-cluster', clusterLocation: 'us-west1', modelBucket: 'gs://my-project-1-demo-saxml-model-repository' },
    });
    const text = await page(app.app, `/ui/environments/${env.id}`);
    const usd = String.raw`\$[\d,]+\.\d\d(?:–\$[\d,]+\.\d\d)?`;
    expect(text).toMatch(new RegExp(`<p class="meta">about ${usd} an hour \\(${usd} per 30 days\\), ${usd} so far · expires 2026-12-03 10:00:00 UTC</p>`));
    const copies = [...text.matchAll(/data-copy="([^"]+)"/g)].map((m) => m[1]);
    expect(copies).toEqual([
      'gcloud container clusters get-credentials demo-saxml-gke-cluster --region us-west1 --project my-project-1',
      'kubectl get nodes',
      'gcloud storage ls gs://my-project-1-demo-saxml-model-repository',
      'us-west1', 'demo-saxml-gke-cluster', 'gs://my-project-1-demo-saxml-model-repository',
    ]);
  });

  it('shows the Saxml cell: how to reach it, and each model with its replicas and a request to try', async () => {
    const app = buildTestApp();
    const request = `curl -s -X POST http://34.1.2.3/generate -H 'content-type: application/json' -d '{"prompt":"Who?","model_id":"/sax/test/llama7b"}'`;
    const env = await stored(app, {
      state: 'ACTIVE', operation: operation('SUCCEEDED'),
      outputs: {
        clusterName: 'demo-saxml-gke-cluster',
        saxml: {
          namespace: 'saxml', cell: '/sax/test', state: 'READY', getCredentials: 'gcloud container clusters get-credentials demo-saxml-gke-cluster --region us-west1 --project my-project-1',
          proxy: { url: 'http://34.1.2.3', serviceType: 'LoadBalancer' }, reach: 'POST http://34.1.2.3/generate with {"prompt", "model_id"}',
          models: [{ id: 'llama7b', modelId: '/sax/test/llama7b', modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e', tpuPool: 'tpu-v5e-4', state: 'READY', replicas: { requested: 1, ready: 1 }, exampleRequest: request }],
        },
      },
    });
    const text = await page(app.app, `/ui/environments/${env.id}`);
    expect(text).toContain('<h3>Saxml cell <code>/sax/test</code> in namespace <code>saxml</code> <span class="badge state-ready">READY</span></h3>');
    expect(text).toContain('POST http://34.1.2.3/generate with {&quot;prompt&quot;, &quot;model_id&quot;}');
    expect(text).toContain('<tr data-model="llama7b"><th>/sax/test/llama7b</th><td><span class="badge state-ready">READY</span></td><td>1/1 replicas on tpu-v5e-4</td>');
    const copies = [...text.matchAll(/data-copy="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&quot;', '"').replaceAll('&#39;', "'"));
    expect(copies).toEqual([
      'gcloud container clusters get-credentials demo-saxml-gke-cluster --region us-west1 --project my-project-1',
      'kubectl get nodes', 'http://34.1.2.3', request, 'demo-saxml-gke-cluster',
    ]);
  });

  it('lists the latest events, newest first, and the template the script adds live ones with', async () => {
    const app = buildTestApp();
    const env = await stored(app, { state: 'CREATING', operation: operation('RUNNING') }, [
      { time: at(0), type: 'environment.creating', message: 'environment is CREATING' },
      { time: at(5), type: 'stage.failed', stage: 'base', message: 'stage base FAILED', details: { error: { code: 'GCE_STOCKOUT', message: 'x' } } },
    ]);
    const text = await page(app.app, `/ui/environments/${env.id}`);
    expect(text).toContain('<ol id="feed" data-last-seq="2"><li class="event" data-seq="2" data-type="stage.failed"><time datetime="2026-12-02T10:00:05.000Z">10:00:05</time><span class="type">stage.failed</span><span class="message">stage base FAILED</span><span class="code">GCE_STOCKOUT</span></li><li class="event" data-seq="1" data-type="environment.creating">');
    expect(text).toContain('<template id="event-template"><li class="event"><time></time><span class="type"></span><span class="message"></span><span class="code"></span></li></template>');
  });

  it.each([
    ['an unknown environment', 'env-01jd8m3q4b5c6d7e8f9g0h1j2k'],
    ['something that is no environment id', 'not-an-id'],
  ])('says so for %s (404)', async (_name, id) => {
    const res = await buildTestApp().app.request(`/ui/environments/${id}`, { headers: BROWSER });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain(`<p class="problem">environment ${id} not found</p>`);
  });
});

describe('escaping', () => {
  const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
  const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;';

  it('renders names, labels, principals, outputs, errors and event messages as text on both pages', async () => {
    const app = buildTestApp();
    const error = { code: 'INTERNAL', message: HOSTILE, hint: HOSTILE };
    const env = await stored(app, {
      name: HOSTILE, labels: { team: HOSTILE }, createdBy: HOSTILE, state: 'FAILED', operation: operation('FAILED', { error }),
      outputs: { clusterName: HOSTILE },
    }, [{ time: at(1), type: 'environment.failed', message: HOSTILE, details: { error } }]);
    for (const path of ['/', `/ui/environments/${env.id}`]) {
      const text = await page(app.app, path);
      expect(text).toContain(ESCAPED);
      expect(text).not.toContain('<script>alert');
      expect(text).not.toContain('<img src=x');
      expect(text).not.toMatch(/onerror=alert\(2\)>/);
    }
  });
});

describe('with API_TOKEN, the page authenticates like the API', () => {
  const withToken = (policy: AccessPolicy = new AccessPolicy('allow-all'), principal?: string) =>
    buildTestApp({ auth: { authenticator: staticTokenAuthenticator(TOKEN, principal), policy } });

  it('a navigation (no token) gets the token form and no environment', async () => {
    const app = withToken();
    const env = await stored(app, { name: 'secret-name', state: 'ACTIVE' });
    for (const path of ['/', `/ui/environments/${env.id}`]) {
      const text = await page(app.app, path);
      expect(text).toContain('<main id="main" data-needs-token="true">');
      expect(text).not.toContain('secret-name');
      expect(text).not.toContain(env.id.slice(4));
    }
  });

  it('the script\'s request for the content needs the token: 401 without or with a wrong one, the part with the right one', async () => {
    const app = withToken();
    const env = await stored(app, { name: 'secret-name', state: 'ACTIVE' });
    const fragment = (path: string, part: string, token?: string) =>
      app.app.request(path, { headers: { ...BROWSER, 'page-fragment': part, ...(token && { authorization: `Bearer ${token}` }) } });

    for (const token of [undefined, 'not-the-token-0123456789']) {
      const refused = await fragment('/', 'main', token);
      expect(refused.status).toBe(401);
      const problem = await problemOf(refused);
      expect(problem.code).toBe('UNAUTHENTICATED');
      if (token) expect(JSON.stringify(problem)).not.toContain(token);
    }
    const main = await fragment('/', 'main', TOKEN);
    expect(main.status).toBe(200);
    const text = await main.text();
    expect(text).toMatch(/^<main id="main"><h1>Environments<\/h1>/);
    expect(text).toContain('>secret-name</a>');
    const summary = await (await fragment(`/ui/environments/${env.id}`, 'summary', TOKEN)).text();
    expect(summary).toMatch(new RegExp(`^<section id="summary" data-env-id="${env.id}" data-running="false"><h1>secret-name `));
    const unknown = await fragment('/', 'summary', TOKEN);
    expect(unknown.status).toBe(400);
    expect((await problemOf(unknown)).detail).toBe('this page has no part summary; ask for one of main, list');
    expect(app.logs.join('\n')).not.toContain(TOKEN);
  });

  it('a caller allowed in some projects only is asked to name one, and then sees it', async () => {
    const app = withToken(new AccessPolicy(['my-project-1/user:bob@example.com']), 'user:bob@example.com');
    await stored(app, { name: 'bobs', state: 'ACTIVE' });
    const list = async (path: string) => (await app.app.request(path, { headers: { ...BROWSER, 'page-fragment': 'list', authorization: `Bearer ${TOKEN}` } })).text();
    expect(await list('/')).toContain('<p class="problem">user:bob@example.com may list only projects my-project-1: pass project=&lt;one of them&gt;</p>');
    expect(await list('/?project=my-project-1')).toContain('>bobs</a>');
  });
});

describe('the page\'s files', () => {
  const parser = join(dirname(createRequire(import.meta.url).resolve('eventsource-parser/package.json')), 'dist', 'index.js');

  it.each([
    ['page.js', 'api/page/assets/page.js', /^text\/javascript/],
    ['page.css', 'api/page/assets/page.css', /^text\/css/],
    ['eventsource-parser.js', parser, /^text\/javascript/],
  ])('serves %s as it is on disk', async (name, source, type) => {
    const res = await buildTestApp().app.request(`/ui/assets/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(type);
    expect(await res.text()).toBe(readFileSync(source, 'utf8'));
  });

  it('serves nothing else', async () => {
    for (const name of ['tsconfig.json', 'eventsource-parser.d.ts', '..%2Fpages.tsx', 'index.cjs']) {
      const res = await buildTestApp().app.request(`/ui/assets/${name}`);
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('ROUTE_NOT_FOUND');
    }
  });
});
