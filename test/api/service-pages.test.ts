import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROBLEM_KINDS } from '../../api/http/problem.js';
import { buildTestApp, json } from '../support/app.js';
import { problemOf } from '../support/bodies.js';

const { app } = buildTestApp();
const swaggerUiDist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

describe('/docs', () => {
  it('loads its renderer from this server only (works offline), pointed at /openapi.yaml', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    const page = await res.text();
    const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.sort()).toEqual(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css']);
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).toContain('"url":"/openapi.yaml"');
    expect(page).toContain('"validatorUrl":null');
    for (const url of urls) {
      const asset = await app.request(url);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(url.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect(Buffer.from(await asset.arrayBuffer()).equals(readFileSync(join(swaggerUiDist, url.slice('/docs/'.length))))).toBe(true);
    }
  });

  it('serves no other file of the package', async () => {
    for (const path of ['/docs/package.json', '/docs/index.html', '/docs/..%2Fpackage.json', '/docs/swagger-ui.js.map']) {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('ROUTE_NOT_FOUND');
    }
  });
});

describe('problem types resolve to a page', () => {
  it('the type of a real problem answers with its page', async () => {
    const problem = await problemOf(await app.request('/environments', json({ name: 'x' })));
    expect(problem.code).toBe('VALIDATION_FAILED');
    const page = await app.request(new URL(problem.type, 'http://app.test/environments').pathname);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await page.text();
    expect(text).toContain('The request has invalid fields');
    expect(text).toContain('<code>VALIDATION_FAILED</code> · HTTP 422');
  });

  it('every code has a page, listed on /problems, with its Markdown code spans rendered', async () => {
    const index = await (await app.request('/problems')).text();
    for (const kind of PROBLEM_KINDS) {
      expect(index).toContain(`href="/problems/${kind.slug}"`);
      const page = await (await app.request(`/problems/${kind.slug}`)).text();
      expect(page).toContain(`<code>${kind.code}</code> · HTTP ${kind.status}`);
      expect(page).not.toContain('`');
    }
    expect((await app.request('/problems/no-such-problem')).status).toBe(404);
  });

  it('the document lists exactly these codes as the Problem code enum', () => {
    const doc = parse(readFileSync('openapi.yaml', 'utf8')) as { components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } } };
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(PROBLEM_KINDS.map((k) => k.code));
  });
});
