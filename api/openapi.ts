import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './http/types.js';

export const API_INFO = {
  title: 'Saxml Environments API',
  version: '0.1.0',
  description:
    'Self-service Saxml inference environments on Google Kubernetes Engine: create, follow and delete them. ' +
    'Errors are RFC 9457 problem details with a stable `code`.',
};

/** The public OpenAPI 3.1 document (internal routes are registered outside the OpenAPI registry). */
export function openApiDocument(app: OpenAPIHono<AppEnv>): Record<string, unknown> {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A Google-signed ID token (cloud profile) or API_TOKEN (local profile)',
  });
  return app.getOpenAPI31Document({ openapi: '3.1.0', info: API_INFO, tags: [{ name: 'environments' }, { name: 'service' }] }) as unknown as Record<string, unknown>;
}
