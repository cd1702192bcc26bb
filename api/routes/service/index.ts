import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { requirePrincipal } from '../../http/auth.js';
import type { AppEnv } from '../../http/types.js';
import { openApiDocument } from '../../openapi.js';
import { docsPage } from './docs.js';

/**
 * The service's own routes: liveness, where to start, the OpenAPI document and the reference
 * built from it. The document is generated on first use from the API routes' registry.
 */
export function serviceRouter(deps: Deps, api: OpenAPIHono<AppEnv>) {
  let document: Record<string, unknown> | undefined;
  const getDocument = () => (document ??= openApiDocument(api));
  let yaml: string | undefined;
  const authenticated = requirePrincipal(deps.auth.authenticator, deps.auth.policy);
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/', (c) => c.json({
      name: 'Saxml Environments API',
      docs: '/docs',
      openapi: '/openapi.yaml',
      environments: '/environments',
    }))
    .get('/openapi.yaml', authenticated, async (c) =>
      c.body((yaml ??= (await import('../../openapi-yaml.js')).toYaml(getDocument())), 200, { 'Content-Type': 'application/yaml; charset=utf-8' }))
    .get('/docs', authenticated, (c) => c.html(docsPage(getDocument())));
}
