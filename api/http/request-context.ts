import type { MiddlewareHandler } from 'hono';
import { randomUUID } from 'node:crypto';
import type { Logger, Severity } from '../logger.js';
import type { AppEnv } from './types.js';

/** Incoming ids are echoed only when they are safe to log and to put in a header. */
const SAFE_REQUEST_ID = /^[\w\-=.]{1,128}$/;

/**
 * Request id (accepted from `X-Request-Id` when safe, else generated; echoed in the response),
 * Cloud Trace correlation from `X-Cloud-Trace-Context`, and one access-log line per request with
 * Cloud Logging's `httpRequest` fields. Headers and bodies are never logged. Requests to `quiet`
 * paths (the workflow's calls to the internal routes and the sandbox: hundreds per environment,
 * mostly healthy 404 existence checks) are logged at debug level unless they fail on our side.
 */
export function requestContext(logger: Logger, options: { project?: string; quiet?: (path: string) => boolean } = {}): MiddlewareHandler<AppEnv> {
  const { project, quiet = () => false } = options;
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
      if (c.get('stampedResponse') !== c.res) c.res.headers.set('X-Request-Id', requestId);
      const status = c.res.status;
      const severity: Severity = status >= 500 ? 'ERROR' : quiet(c.req.path) ? 'DEBUG' : status >= 400 ? 'WARNING' : 'INFO';
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
