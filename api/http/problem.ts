import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { DomainError, describeFieldErrors, type ErrorCode, type FieldError } from '../domain/errors.js';
import type { AppEnv } from './types.js';

/**
 * RFC 9457 problem details: the one place where errors become HTTP. Every code is stable; unknown
 * errors become an opaque 500 that names only the request id (the details go to the log). Ports'
 * errors never arrive here: services translate them (services/common/port-errors.ts).
 */

export type HttpErrorCode =
  | ErrorCode
  | 'MALFORMED_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'METHOD_NOT_ALLOWED'
  | 'ROUTE_NOT_FOUND';

/**
 * Every code's HTTP status, title and what it means for the caller, in one table so the answer,
 * the OpenAPI enum and the page behind each problem's `type` (GET /problems/{slug}) never disagree.
 */
const CODES: Record<HttpErrorCode, { status: ContentfulStatusCode; title: string; about: string }> = {
  VALIDATION_FAILED: { status: 422, title: 'The request has invalid fields', about: 'The body was read but some fields break the spec\'s rules. `errors[]` names each one by its JSON path (`$.cluster.tpuNodePools[0].tpuType`) with what to change; fix them all and send the request again. `?validateOnly=true` checks a spec without recording anything.' },
  INVALID_ARGUMENT: { status: 400, title: 'Invalid request parameters', about: 'A path, query or header parameter is malformed or unknown (a query parameter the route does not define is refused rather than ignored, so a typo never turns a preview into a real create). `errors[]` names each parameter.' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON', about: 'The body is not valid JSON, or is empty. The detail gives the line and column where parsing stopped.' },
  NOT_FOUND: { status: 404, title: 'Not found', about: 'No environment has this id, or it is not visible to the caller. List environments with `GET /environments`.' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route', about: 'No route has this path. The API is described at `/docs` and in `/openapi.yaml`.' },
  ALREADY_EXISTS: { status: 409, title: 'Already exists', about: 'An environment with this name already lives in the project (`existingId` names it). Choose another name, or delete the existing one first.' },
  OPERATION_IN_PROGRESS: { status: 409, title: 'Another operation is running', about: 'At most one operation runs per environment; `operation` names the running one. Wait for it to end (follow `GET /environments/{id}/events:watch`), cancel it, or delete with `force=true`.' },
  FAILED_PRECONDITION: { status: 409, title: 'Not possible in the current state', about: 'The environment\'s state does not allow this (for example, retrying an environment that is not FAILED). The environment\'s `actions` say what is legal now.' },
  DELETION_PROTECTED: { status: 409, title: 'Deletion protection is on', about: 'The environment was created with `deletionProtection: true`, so it cannot be deleted.' },
  QUOTA_EXCEEDED: { status: 409, title: 'Not enough quota in the target project', about: 'The quota preflight found that the target project lacks regional Compute Engine quota (or that a reservation the spec consumes is missing, for another machine type, or full). `preflight.shortfalls[]` names each quota with its region, needed vs available, and where to request an increase; the environment is recorded FAILED and nothing was created. Raise the quota, then `POST /environments/{id}/retry` (`environmentId` names it).' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency-Key reused with a different request', about: 'This `Idempotency-Key` was first used with another request (method, path, query or body). Use a new key for a new request.' },
  IDEMPOTENCY_KEY_IN_FLIGHT: { status: 409, title: 'A request with this Idempotency-Key is still in progress', about: 'The first request with this key has not finished yet. Retry in a moment: once it finishes, its answer is replayed.' },
  ETAG_MISMATCH: { status: 412, title: 'The resource changed', about: 'The environment changed since the ETag sent in `If-Match`. GET it again, decide again, and send the new ETag.' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required', about: 'Send `Authorization: Bearer <token>`: a Google-signed ID token whose audience is this service (cloud), or the `API_TOKEN` the service was started with (local).' },
  PERMISSION_DENIED: { status: 403, title: 'Permission denied', about: 'The caller is authenticated but not allowed: its principal is not on the service\'s allow-list, or not for this project.' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large', about: 'Request bodies are limited to 64 KiB.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', about: 'Send the body as JSON with `Content-Type: application/json` (with curl: `-H \'content-type: application/json\'`).' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', about: 'The path exists but not with this method; the `Allow` header lists the methods it has.' },
  UNAVAILABLE: { status: 503, title: 'Temporarily unavailable', about: 'A service this one depends on (Cloud Workflows, the store) could not be reached, or this instance is at a limit; nothing was changed unless the detail says so. Retry later, with the same `Idempotency-Key`.' },
  INTERNAL: { status: 500, title: 'Internal error', about: 'A fault on the server. The answer is deliberately opaque; quote its `requestId` when reporting it: the details are in the service\'s log.' },
};

/** Every code, for the OpenAPI enum and the problem pages. */
export const PROBLEM_CODES = Object.keys(CODES) as [HttpErrorCode, ...HttpErrorCode[]];

/** `VALIDATION_FAILED` → `validation-failed`: the last segment of the problem's `type`. */
const problemSlug = (code: HttpErrorCode): string => code.toLowerCase().replaceAll('_', '-');

/** Every kind of problem with what the page behind its `type` (`/problems/{slug}`) says. */
export const PROBLEM_KINDS = PROBLEM_CODES.map((code) => ({ code, slug: problemSlug(code), ...CODES[code] }));

/** A failure of the HTTP exchange itself (body, media type, size), before any service runs. */
export class HttpProblem extends Error {
  constructor(readonly code: HttpErrorCode, detail: string) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const ProblemSchema = z
  .object({
    type: z.string().openapi({
      description: 'A URI reference (relative to the API) to a short page about this kind of problem: what it means and what to do',
      example: '/problems/validation-failed',
    }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().openapi({ description: 'The request path' }),
    code: z.enum(PROBLEM_CODES).openapi({ description: 'Stable error code; `type` links to its page', example: 'VALIDATION_FAILED' }),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string().openapi({ example: '$.cluster.tpuNodePools[0].tpuType' }), message: z.string() }))
      .optional(),
  })
  .catchall(z.unknown())
  .openapi('Problem', {
    example: {
      type: '/problems/validation-failed',
      title: 'The request has invalid fields',
      status: 422,
      detail: '$.region: must be a region like us-west1',
      instance: '/environments',
      code: 'VALIDATION_FAILED',
      requestId: '4f1c2a9e-6b0d-4a53-9a55-2f0f3c1d7e21',
      errors: [{ path: '$.region', message: 'must be a region like us-west1' }],
    },
  });
export type Problem = z.infer<typeof ProblemSchema>;

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The error responses every public route may give. */
export const commonProblems = {
  400: problemResponse('Malformed request'),
  401: problemResponse('Missing or invalid credentials'),
  403: problemResponse('The caller is not allowed'),
  500: problemResponse('Server fault (opaque; see the request id)'),
} as const;

/** What a 401 tells the client to send (RFC 9110 §11.6.1). */
const WWW_AUTHENTICATE = 'Bearer realm="saxml-environments"';

export function problem(c: Context<AppEnv>, code: HttpErrorCode, detail: string, extra: Record<string, unknown> = {}): Response {
  const { status, title } = CODES[code];
  const body: Problem = {
    type: `/problems/${problemSlug(code)}`,
    title,
    status,
    detail,
    instance: c.req.path,
    code,
    requestId: c.get('requestId') ?? 'unknown',
    ...extra,
  };
  return c.body(JSON.stringify(body), status, {
    'Content-Type': 'application/problem+json',
    ...(status === 401 && { 'WWW-Authenticate': WWW_AUTHENTICATE }),
  });
}

export function validationProblem(c: Context<AppEnv>, all: FieldError[], code: 'VALIDATION_FAILED' | 'INVALID_ARGUMENT' = 'VALIDATION_FAILED'): Response {
  const { errors, detail } = describeFieldErrors(all);
  return problem(c, code, detail, { errors });
}

/** app.onError: domain and HTTP problems by code, Hono's own exceptions by status, anything else opaque. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof DomainError) {
    const { errors, ...rest } = error.details;
    if (error.code === 'INTERNAL') c.get('logger')?.error('internal error', { error: error.message });
    return problem(c, error.code, error.message, errors ? { errors, ...rest } : rest);
  }
  if (error instanceof HttpProblem) return problem(c, error.code, error.message);
  if (error instanceof HTTPException) {
    const status = error.status;
    const code: HttpErrorCode =
      status === 413 ? 'PAYLOAD_TOO_LARGE'
      : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE'
      : status === 401 ? 'UNAUTHENTICATED'
      : status === 403 ? 'PERMISSION_DENIED'
      : status === 404 ? 'ROUTE_NOT_FOUND'
      : status === 405 ? 'METHOD_NOT_ALLOWED'
      : status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL';
    return problem(c, code, code === 'INTERNAL' ? 'internal error' : error.message || CODES[code].title);
  }
  c.get('logger')?.error('unhandled error', { error: { name: error.name, message: error.message, stack: error.stack } });
  return problem(c, 'INTERNAL', `internal error; quote request id ${c.get('requestId') ?? 'unknown'} when reporting it`);
}
