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
    title: CODES[code][1],
    status: CODES[code][0],
    detail,
    instance: c.req.path,
    code,
    requestId: c.get('requestId') ?? 'unknown',
    ...extra,
  };
}

export function problem(c: Context<AppEnv>, code: HttpErrorCode, detail: string, extra: Record<string, unknown> = {}): Response {
  return c.body(JSON.stringify(problemBody(c, code, detail, extra)), CODES[code][0], {
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
    return problem(c, code, code === 'INTERNAL' ? 'internal error' : error.message || CODES[code][1]);
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
