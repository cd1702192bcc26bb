import createClient from 'openapi-fetch';
import type { paths } from '@saxml-environments/client';

/**
 * A client typed by the published OpenAPI document, talking to the in-process app (no socket):
 * request and response bodies are checked by the compiler, as an SDK user's would be.
 */
export function typedClient(app: { fetch: (request: Request) => Response | Promise<Response> }, headers: Record<string, string> = {}) {
  return createClient<paths>({ baseUrl: 'http://app.test', fetch: async (request) => app.fetch(request), headers });
}
