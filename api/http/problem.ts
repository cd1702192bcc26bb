import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { DomainError, type ErrorCode, type FieldError } from '../domain/errors.js';
import { CorruptRecordError, EnvironmentNotFoundError } from '../store/port.js';
import type { AppEnv } from './types.js';

/**
 * RFC 9457 problem details: the one place where errors become HTTP. Every code is stable; unknown
 * errors become an opaque 500 that names only the request id (the details go to the log).
 */

export type HttpErrorCode =
  | ErrorCode
  | 'MALFORMED_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'METHOD_NOT_ALLOWED'
  | 'ROUTE_NOT_FOUND'
  | 'INTERNAL';

const STATUS: Record<HttpErrorCode, ContentfulStatusCode> = {
  VALIDATION_FAILED: 422,
  INVALID_ARGUMENT: 400,
  MALFORMED_JSON: 400,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  OPERATION_IN_PROGRESS: 409,
  FAILED_PRECONDITION: 409,
  DELETION_PROTECTED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_FLIGHT: 409,
  ETAG_MISMATCH: 412,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const TITLE: Record<HttpErrorCode, string> = {
  VALIDATION_FAILED: 'The request has invalid fields',
  INVALID_ARGUMENT: 'Invalid request parameters',
  MALFORMED_JSON: 'Malformed JSON',
  NOT_FOUND: 'Not found',
  ROUTE_NOT_FOUND: 'No such route',
  ALREADY_EXISTS: 'Already exists',
  OPERATION_IN_PROGRESS: 'Another operation is running',
  FAILED_PRECONDITION: 'Not possible in the current state',
  DELETION_PROTECTED: 'Deletion protection is on',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key reused with a different request',
  IDEMPOTENCY_KEY_IN_FLIGHT: 'A request with this Idempotency-Key is still in progress',
  ETAG_MISMATCH: 'The resource changed',
  UNAUTHENTICATED: 'Authentication required',
  PERMISSION_DENIED: 'Permission denied',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  NOT_IMPLEMENTED: 'Not implemented',
  UNAVAILABLE: 'Temporarily unavailable',
  INTERNAL: 'Internal error',
};

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
  422: problemResponse('Invalid fields'),
  500: problemResponse('Server fault (opaque; see the request id)'),
} as const;

export function problemBody(c: Context<AppEnv>, code: HttpErrorCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLE[code],
    status: STATUS[code],
    detail,
    instance: c.req.path,
    code,
    requestId: c.get('requestId') ?? 'unknown',
    ...extra,
  };
}

export function problem(c: Context<AppEnv>, code: HttpErrorCode, detail: string, extra: Record<string, unknown> = {}): Response {
  return c.body(JSON.stringify(problemBody(c, code, detail, extra)), STATUS[code], {
    'Content-Type': 'application/problem+json',
  });
}

export function validationProblem(c: Context<AppEnv>, errors: FieldError[], code: 'VALIDATION_FAILED' | 'INVALID_ARGUMENT' = 'VALIDATION_FAILED'): Response {
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return problem(c, code, detail, { errors });
}

/** app.onError: domain errors by code, Hono's own exceptions by status, anything else opaque. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof DomainError) {
    const { errors, ...rest } = error.details;
    return problem(c, error.code, error.message, errors ? { errors, ...rest } : rest);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code: HttpErrorCode =
      status === 400 && /JSON/i.test(error.message) ? 'MALFORMED_JSON'
      : status === 413 ? 'PAYLOAD_TOO_LARGE'
      : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE'
      : status === 401 ? 'UNAUTHENTICATED'
      : status === 403 ? 'PERMISSION_DENIED'
      : status === 404 ? 'ROUTE_NOT_FOUND'
      : status === 405 ? 'METHOD_NOT_ALLOWED'
      : status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL';
    return problem(c, code, code === 'INTERNAL' ? 'internal error' : error.message || TITLE[code]);
  }
  if (error instanceof EnvironmentNotFoundError) return problem(c, 'NOT_FOUND', error.message);
  if (error instanceof CorruptRecordError) {
    // Not the caller's fault and not a crash: say which stored document needs attention.
    c.get('logger')?.error('corrupt stored document', { document: error.documentPath, issues: error.issues });
    return problem(c, 'INTERNAL', `${error.message} (request id ${c.get('requestId') ?? 'unknown'})`);
  }
  c.get('logger')?.error('unhandled error', { error: { name: error.name, message: error.message, stack: error.stack } });
  return problem(c, 'INTERNAL', `internal error; quote request id ${c.get('requestId') ?? 'unknown'} when reporting it`);
}
