import type { Context, MiddlewareHandler } from 'hono';
import { randomUUID } from 'node:crypto';
import type { Logger, Severity } from './logger.js';
import type { AppEnv } from './types.js';

/** Incoming ids are echoed only when they are safe to log and to put in a header. */
const SAFE_REQUEST_ID = /^[\w\-=.]{1,128}$/;

/** Responses built by `jsonResponse`, which already carry the request id. */
const stamped = new WeakSet<Response>();

/**
 * A JSON response from already-serialised text, with every header given as one plain object.
 * For hot read paths: Hono's `c.header()`/`c.json()` build a WHATWG `Headers` object per response,
 * which on a cached body costs more than the rest of the request; @hono/node-server writes a plain
 * header object straight to the socket.
 */
export function jsonResponse(c: Context<AppEnv>, status: number, json: string, headers: Record<string, string> = {}): Response {
  const response = new Response(json, {
    status,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': c.get('requestId'), ...headers },
  });
  stamped.add(response);
  return response;
}

/**
 * Request id (accepted from `X-Request-Id` when safe, else generated; echoed in the response),
 * Cloud Trace correlation from `X-Cloud-Trace-Context`, and one access-log line per request with
 * Cloud Logging's `httpRequest` fields. Headers and bodies are never logged.
 */
export function requestContext(logger: Logger, project?: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const fields: Record<string, unknown> = { requestId };
    const traceHeader = c.req.header('x-cloud-trace-context');
    const trace = traceHeader ? /^([0-9a-f]{32})(?:\/(\d+))?/i.exec(traceHeader) : null;
    if (trace) {
      fields['logging.googleapis.com/trace'] = project ? `projects/${project}/traces/${trace[1]}` : trace[1];
      if (trace[2]) fields['logging.googleapis.com/spanId'] = trace[2];
    }
    const requestLogger = logger.child(fields);
    c.set('requestId', requestId);
    c.set('logger', requestLogger);
    const started = performance.now();
    try {
      await next();
    } finally {
      if (!stamped.has(c.res)) c.res.headers.set('X-Request-Id', requestId);
      const status = c.res.status;
      const severity: Severity = status >= 500 ? 'ERROR' : status >= 400 ? 'WARNING' : 'INFO';
      if (requestLogger.enabled(severity)) {
        requestLogger.log(severity, `${c.req.method} ${c.req.path} ${status}`, {
          httpRequest: {
            requestMethod: c.req.method,
            // The path only: query strings may carry page tokens, which are opaque but not ours to log.
            requestUrl: c.req.path,
            status,
            latency: `${((performance.now() - started) / 1000).toFixed(6)}s`,
            userAgent: c.req.header('user-agent'),
          },
          principal: c.get('principal')?.id,
        });
      }
    }
  };
}
