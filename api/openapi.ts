import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './http/types.js';
import { OUTPUT_COMPONENTS } from './routes/environments/schemas.js';

export const API_INFO = {
  title: 'Saxml Environments API',
  version: '0.1.0',
  description: [
    'Self-service Saxml inference environments on Google Kubernetes Engine: create, follow and delete them.',
    '',
    '- **Create** with `POST /environments`; the smallest body is the example shown there. `?validateOnly=true` returns the normalised spec and the plan and records nothing.',
    '- **Follow** a running operation with `GET /environments/{id}/events:watch` (Server-Sent Events), or poll `GET /environments/{id}` with `If-None-Match`.',
    '- **Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `code`; each problem\'s `type` is a page saying what it means and what to do.',
    '- **Clients**: generate one from this document (openapi-typescript, openapi-python-client, …) or use the TypeScript client and the `saxenv` CLI in the repository.',
  ].join('\n'),
};

/** Where the API is served: relative first (the server this document came from), then `npm start`'s default. */
const SERVERS = [
  { url: '/', description: 'The server that serves this document' },
  { url: 'http://127.0.0.1:8080', description: 'A local server (`npm start`)' },
];

/** zod's JSON Schema (2020-12, which OpenAPI 3.1 uses) of what a schema produces. */
function outputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'output' });
  return json;
}

/** The public OpenAPI 3.1 document (internal routes are registered outside the OpenAPI registry). */
export function openApiDocument(app: OpenAPIHono<AppEnv>): Record<string, unknown> {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A Google-signed ID token (cloud profile) or API_TOKEN (local profile)',
  });
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0', info: API_INFO, servers: SERVERS, tags: [{ name: 'environments' }, { name: 'service' }],
  });
  // Responses carry the output of a schema: every defaulted field present (see schemas.ts).
  const schemas = document.components!.schemas!;
  for (const [name, { schema, exampleInput }] of Object.entries(OUTPUT_COMPONENTS)) {
    const { description } = schemas[name] as { description?: string };
    schemas[name] = { ...outputJsonSchema(schema), ...(description && { description }), example: schema.parse(exampleInput) };
  }
  return document as unknown as Record<string, unknown>;
}
