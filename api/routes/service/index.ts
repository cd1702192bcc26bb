import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { problem } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { API_INFO, openApiDocument } from '../../openapi.js';
import { wantsPage, type StatusPage } from '../../page/index.js';
import { docsAsset, docsPage, isDocsAsset } from './docs.js';
import { problemIndex, problemPage } from './problems.js';

/**
 * The service's own routes: liveness, where to start, the OpenAPI document, the reference built
 * from it and the pages behind problem types. None needs a caller, even when the API does: they
 * describe the API and hold nothing of anyone's (a browser cannot send a bearer token to read the
 * reference). The document is generated on first use from the API routes' registry. `/` is the
 * status page for a browser (which authenticates like the API: see page/pages.tsx) and a list of
 * links for everyone else.
 */
export function serviceRouter(api: OpenAPIHono<AppEnv>, page: StatusPage) {
  let yaml: string | undefined;
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/', (c, next) => {
      c.header('Vary', 'Accept');
      if (wantsPage(c)) return page.home(c, next);
      return c.json({
        name: API_INFO.title,
        docs: '/docs',
        openapi: '/openapi.yaml',
        environments: '/environments',
      });
    })
    .route('/', page.routes)
    .get('/openapi.yaml', async (c) =>
      c.body((yaml ??= (await import('../../openapi-yaml.js')).toYaml(openApiDocument(api))), 200, { 'Content-Type': 'application/yaml; charset=utf-8' }))
    .get('/docs', (c) => c.html(docsPage(API_INFO.title)))
    .get('/docs/:asset', (c) => {
      const name = c.req.param('asset');
      return isDocsAsset(name) ? docsAsset(name) : problem(c, 'ROUTE_NOT_FOUND', `no file ${name} in the reference; the reference is at /docs`);
    })
    .get('/problems', (c) => c.html(problemIndex()))
    .get('/problems/:slug', (c) => {
      const page = problemPage(c.req.param('slug'));
      return page ? c.html(page) : problem(c, 'ROUTE_NOT_FOUND', `no problem type ${c.req.param('slug')}; every one is listed at /problems`);
    });
}
