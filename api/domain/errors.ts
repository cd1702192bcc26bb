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

/** 422 with one entry per problem; the detail lists them all, so a person reading only it can act. */
export const validationFailed = (errors: FieldError[]) =>
  new DomainError('VALIDATION_FAILED', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);

/** The 409 for a second mutation while one runs (AIP-151 style: names the running operation). */
export const operationInProgress = (operation: { id: string; kind: string }, advice: string) =>
  new DomainError('OPERATION_IN_PROGRESS', `operation ${operation.id} (${operation.kind}) is running; ${advice}`, {
    operation: { id: operation.id, kind: operation.kind },
  });
