import type { MiddlewareHandler } from 'hono';
import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.js';
import type { AppEnv } from './types.js';

/** Incoming ids are echoed only when they are safe to log and to put in a header. */
const SAFE_REQUEST_ID = /^[\w\-=.]{1,128}$/;

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
    const trace = /^([0-9a-f]{32})(?:\/(\d+))?/i.exec(c.req.header('x-cloud-trace-context') ?? '');
    if (trace) {
      fields['logging.googleapis.com/trace'] = project ? `projects/${project}/traces/${trace[1]}` : trace[1];
      if (trace[2]) fields['logging.googleapis.com/spanId'] = trace[2];
    }
    const requestLogger = logger.child(fields);
    c.set('requestId', requestId);
    c.set('logger', requestLogger);
    // Set before the handler runs: added afterwards, it would force Node's lazy Response to be
    // materialised, which costs more than the rest of a GET.
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = c.res.status;
      const latency = (performance.now() - started) / 1000;
      const log = status >= 500 ? requestLogger.error : status >= 400 ? requestLogger.warn : requestLogger.info;
      log(`${c.req.method} ${c.req.path} ${status}`, {
        httpRequest: {
          requestMethod: c.req.method,
          // The path only: query strings may carry page tokens, which are opaque but not ours to log.
          requestUrl: c.req.path,
          status,
          latency: `${latency.toFixed(6)}s`,
          userAgent: c.req.header('user-agent'),
        },
        principal: c.get('principal')?.id,
      });
    }
  };
}
