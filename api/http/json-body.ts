import type { MiddlewareHandler } from 'hono';
import { HttpProblem } from './problem.js';
import type { AppEnv } from './types.js';

/**
 * Reads a JSON body the way a person debugging a request wants to be told about it: a wrong media
 * type names the one to send, malformed JSON says where (line and column), and the parsed value is
 * left in `c.var.body` (validators that read the body again get Hono's cached text).
 */
export function jsonBody(mediaTypes: readonly string[] = ['application/json']): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    const text = await c.req.text();
    if (!type || !mediaTypes.includes(type)) {
      if (!type && !text) throw new HttpProblem('MALFORMED_JSON', `this request needs a JSON body; send one with Content-Type: ${mediaTypes[0]}`);
      throw new HttpProblem('UNSUPPORTED_MEDIA_TYPE', `send the body as JSON with Content-Type: ${mediaTypes.join(' or ')}${type ? ` (got ${type})` : ''}`);
    }
    if (!text.trim()) throw new HttpProblem('MALFORMED_JSON', 'the request body is empty; send a JSON value');
    try {
      c.set('body', JSON.parse(text));
    } catch (error) {
      throw new HttpProblem('MALFORMED_JSON', describeSyntaxError(text, error as Error));
    }
    await next();
  };
}

/** `malformed JSON at line 3, column 5: Expected ',' or '}' after property value`, without quoting the body. */
export function describeSyntaxError(text: string, error: Error): string {
  const position = /at position (\d+)/.exec(error.message);
  const offset = position ? Number(position[1]) : text.length;
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = before.at(-1)!.length + 1;
  const reason = error.message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the JSON ends too early');
  return `malformed JSON at line ${line}, column ${column}: ${reason}`;
}
