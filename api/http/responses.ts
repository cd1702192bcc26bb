import type { Context } from 'hono';
import type { AppEnv } from './types.js';

/**
 * A JSON response from already-serialised JSON (text or its UTF-8 bytes), with every header given
 * as one plain object.
 * For hot read paths: Hono's `c.header()`/`c.json()` build a WHATWG `Headers` object per response,
 * which on a cached body costs more than the rest of the request; @hono/node-server writes a plain
 * header object straight to the socket. It sets the request id itself, and says so through the
 * context so the request middleware does not touch (and so materialise) its headers.
 */
export function jsonResponse(c: Context<AppEnv>, status: number, json: string | Uint8Array, headers: Record<string, string> = {}): Response {
  const response = new Response(json, {
    status,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': c.get('requestId'), ...headers },
  });
  c.set('stampedResponse', response);
  return response;
}
