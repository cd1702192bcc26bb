/**
 * Typed domain errors. Each has a stable SCREAMING_SNAKE `code`; the HTTP layer maps codes to
 * statuses once (http/problem.ts), so services never think in HTTP.
 */

export interface FieldError {
  /** JSON path of the offending field, e.g. `$.cluster.tpuNodePools[0].tpuType`. */
  path: string;
  message: string;
}

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'OPERATION_IN_PROGRESS'
  | 'FAILED_PRECONDITION'
  | 'DELETION_PROTECTED'
  | 'QUOTA_EXCEEDED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_FLIGHT'
  | 'ETAG_MISMATCH'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { errors?: FieldError[]; [key: string]: unknown } = {},
    /**
     * `outcome`: the failure is the definitive answer to the request (state was recorded before
     * it happened), so an idempotent retry must replay it rather than run the request again.
     */
    readonly options: { outcome?: boolean } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * At most this many field errors are answered (the rest are counted in the detail): a body of
 * thousands of unknown fields must not make an answer — stored for replay under an Idempotency-Key —
 * many times its own size.
 */
export const MAX_FIELD_ERRORS = 50;

/** The errors to answer and a detail listing them, so a person reading only the detail can act. */
export function describeFieldErrors(all: readonly FieldError[]): { errors: FieldError[]; detail: string } {
  const errors = all.slice(0, MAX_FIELD_ERRORS);
  const more = all.length - errors.length;
  return { errors, detail: errors.map((e) => `${e.path}: ${e.message}`).join('; ') + (more ? `; and ${more} more` : '') };
}

/** 422 with one entry per problem (the first MAX_FIELD_ERRORS of them). */
export function validationFailed(all: FieldError[]): DomainError {
  const { errors, detail } = describeFieldErrors(all);
  return new DomainError('VALIDATION_FAILED', detail, { errors });
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);

/** The 409 for a second mutation while one runs (AIP-151 style: names the running operation). */
export const operationInProgress = (operation: { id: string; kind: string }, advice: string) =>
  new DomainError('OPERATION_IN_PROGRESS', `operation ${operation.id} (${operation.kind}) is running; ${advice}`, {
    operation: { id: operation.id, kind: operation.kind },
  });
