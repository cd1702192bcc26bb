import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { DomainError, describeFieldErrors, type ErrorCode, type FieldError } from '../domain/errors.js';
import type { AppEnv } from './types.js';

/**
 * RFC 9457 problem details: the one place where errors become HTTP. Every code is stable; unknown
 * errors become an opaque 500 that names only the request id (the details go to the log). Ports'
 * errors never arrive here: services translate them (services/shared/port-errors.ts).
 */

export type HttpErrorCode =
  | ErrorCode
  | 'MALFORMED_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'METHOD_NOT_ALLOWED'
  | 'ROUTE_NOT_FOUND';

/** Every code's HTTP status and title, in one table so the two can never disagree. */
const CODES: Record<HttpErrorCode, [ContentfulStatusCode, string]> = {
  VALIDATION_FAILED: [422, 'The request has invalid fields'],
  INVALID_ARGUMENT: [400, 'Invalid request parameters'],
  MALFORMED_JSON: [400, 'Malformed JSON'],
  NOT_FOUND: [404, 'Not found'],
  ROUTE_NOT_FOUND: [404, 'No such route'],
  ALREADY_EXISTS: [409, 'Already exists'],
  OPERATION_IN_PROGRESS: [409, 'Another operation is running'],
  FAILED_PRECONDITION: [409, 'Not possible in the current state'],
  DELETION_PROTECTED: [409, 'Deletion protection is on'],
  IDEMPOTENCY_KEY_REUSED: [422, 'Idempotency-Key reused with a different request'],
  IDEMPOTENCY_KEY_IN_FLIGHT: [409, 'A request with this Idempotency-Key is still in progress'],
  ETAG_MISMATCH: [412, 'The resource changed'],
  UNAUTHENTICATED: [401, 'Authentication required'],
  PERMISSION_DENIED: [403, 'Permission denied'],
  PAYLOAD_TOO_LARGE: [413, 'Request body too large'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported media type'],
  METHOD_NOT_ALLOWED: [405, 'Method not allowed'],
  NOT_IMPLEMENTED: [501, 'Not implemented'],
  UNAVAILABLE: [503, 'Temporarily unavailable'],
  INTERNAL: [500, 'Internal error'],
};

/** A failure of the HTTP exchange itself (body, media type, size), before any service runs. */
export class HttpProblem extends Error {
  constructor(readonly code: HttpErrorCode, detail: string) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().openapi({ description: 'The request path' }),
    code: z.string().openapi({ description: 'Stable SCREAMING_SNAKE error code', example: 'VALIDATION_FAILED' }),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string().openapi({ example: '$.cluster.tpuNodePools[0].tpuType' }), message: z.string() }))
      .optional(),
  })
  .catchall(z.unknown())
  .openapi('Problem');
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
  const [status, title] = CODES[code];
  const body: Problem = {
    type: `/problems/${code.toLowerCase().replaceAll('_', '-')}`,
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
    return problem(c, code, code === 'INTERNAL' ? 'internal error' : error.message || CODES[code][1]);
  }
  c.get('logger')?.error('unhandled error', { error: { name: error.name, message: error.message, stack: error.stack } });
  return problem(c, 'INTERNAL', `internal error; quote request id ${c.get('requestId') ?? 'unknown'} when reporting it`);
}
