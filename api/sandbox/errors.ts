/**
 * Google's JSON error envelope. Every Google REST API answers errors as
 *   {"error": {"code": 409, "message": "...", "status": "ALREADY_EXISTS",
 *              "errors": [{"message": "...", "domain": "global", "reason": "alreadyExists"}],
 *              "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", ...}]}}
 * Older APIs (compute, storage, bigquery) are read by `errors[].reason`; newer ones by `status` and
 * `details`. The sandbox always sends both so a client written against either style works.
 */

/** google.rpc.Code names and numbers (used in LRO `error.code`, e.g. RESOURCE_EXHAUSTED = 8). */
export const RPC_CODES = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type RpcStatus = keyof typeof RPC_CODES;

const DEFAULT_REASON: Partial<Record<RpcStatus, string>> = {
  INVALID_ARGUMENT: 'badRequest',
  FAILED_PRECONDITION: 'failedPrecondition',
  UNAUTHENTICATED: 'authError',
  PERMISSION_DENIED: 'forbidden',
  NOT_FOUND: 'notFound',
  ALREADY_EXISTS: 'alreadyExists',
  ABORTED: 'aborted',
  RESOURCE_EXHAUSTED: 'rateLimitExceeded',
  UNAVAILABLE: 'backendError',
  INTERNAL: 'backendError',
};

export interface ErrorOptions {
  /** Legacy `errors[].reason` (compute/storage style), e.g. `resourceInUseByAnotherResource`. */
  reason?: string;
  /** Legacy `errors[].domain`; `global` unless said otherwise. */
  domain?: string;
  /** google.rpc detail messages (`ErrorInfo`, `BadRequest`, `Help`, …). */
  details?: unknown[];
}

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: RpcStatus;
    errors: { message: string; domain: string; reason: string }[];
    details?: unknown[];
  };
}

export class GoogleApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: RpcStatus,
    message: string,
    readonly options: ErrorOptions = {},
  ) {
    super(message);
    this.name = 'GoogleApiError';
  }

  get reason(): string {
    return this.options.reason ?? DEFAULT_REASON[this.status] ?? 'unknown';
  }

  toBody(): GoogleErrorBody {
    const { domain = 'global', details } = this.options;
    return {
      error: {
        code: this.httpStatus,
        message: this.message,
        status: this.status,
        errors: [{ message: this.message, domain, reason: this.reason }],
        ...(details?.length ? { details } : {}),
      },
    };
  }

  /** The google.rpc.Status form used inside long-running operations (`{code: 8, message}`). */
  toRpcStatus(): { code: number; message: string; details?: unknown[] } {
    const { details } = this.options;
    return { code: RPC_CODES[this.status], message: this.message, ...(details?.length ? { details } : {}) };
  }
}

export const errorInfo = (reason: string, domain: string, metadata: Record<string, string>) => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain,
  metadata,
});

export const notFound = (message: string, reason = 'notFound') =>
  new GoogleApiError(404, 'NOT_FOUND', message, { reason });

export const alreadyExists = (message: string, reason = 'alreadyExists') =>
  new GoogleApiError(409, 'ALREADY_EXISTS', message, { reason });

export const invalidArgument = (message: string, reason = 'invalid') =>
  new GoogleApiError(400, 'INVALID_ARGUMENT', message, { reason });

export const failedPrecondition = (message: string, reason = 'failedPrecondition') =>
  new GoogleApiError(400, 'FAILED_PRECONDITION', message, { reason });

/** Compute's "still used by another resource" (HTTP 400, reason resourceInUseByAnotherResource). */
export const resourceInUse = (message: string) =>
  new GoogleApiError(400, 'FAILED_PRECONDITION', message, { reason: 'resourceInUseByAnotherResource' });

/** IAM read-modify-write lost a race (projects, service accounts). */
export const concurrentPolicyChange = () =>
  new GoogleApiError(
    409,
    'ABORTED',
    'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
    { reason: 'aborted' },
  );

/** Cloud Storage answers a stale etag on `PUT /b/{bucket}/iam` with 412 conditionNotMet. */
export const conditionNotMet = () =>
  new GoogleApiError(412, 'FAILED_PRECONDITION', 'Precondition Failed', { reason: 'conditionNotMet' });

export const permissionDenied = (permission: string, resource: string) =>
  new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`,
    {
      reason: 'forbidden',
      details: [errorInfo('IAM_PERMISSION_DENIED', 'iam.googleapis.com', { permission, resource })],
    },
  );

export const unauthenticated = () =>
  new GoogleApiError(
    401,
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other ' +
      'valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    {
      reason: 'authError',
      details: [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED', 'googleapis.com', {})],
    },
  );

export function serviceDisabled(service: string, title: string, projectNumber: string): GoogleApiError {
  const url = `https://console.developers.google.com/apis/api/${service}/overview?project=${projectNumber}`;
  const message =
    `${title} has not been used in project ${projectNumber} before or it is disabled. Enable it by visiting ` +
    `${url} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to ` +
    `our systems and retry.`;
  return new GoogleApiError(403, 'PERMISSION_DENIED', message, {
    reason: 'accessNotConfigured',
    domain: 'usageLimits',
    details: [
      errorInfo('SERVICE_DISABLED', 'googleapis.com', {
        service,
        serviceTitle: title,
        consumer: `projects/${projectNumber}`,
        activationUrl: url,
        containerInfo: projectNumber,
      }),
    ],
  });
}

/** A quota fault: HTTP 403 (as compute and GKE answer), status RESOURCE_EXHAUSTED, reason QUOTA_EXCEEDED. */
export function quotaExceeded(service: string, metric: string, region: string | undefined): GoogleApiError {
  const where = region ? `region ${region}` : 'globally';
  const message =
    `Insufficient quota to satisfy request: resource "${metric}" in ${where}: request requires more than ` +
    `the project's remaining quota. Quota '${metric}' exceeded.`;
  return new GoogleApiError(403, 'RESOURCE_EXHAUSTED', message, {
    reason: 'quotaExceeded',
    domain: 'usageLimits',
    details: [
      errorInfo('QUOTA_EXCEEDED', service, { quota_metric: metric, ...(region ? { region } : {}) }),
    ],
  });
}

export function transientError(code: 429 | 503): GoogleApiError {
  return code === 429
    ? new GoogleApiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric \'Requests\'. Try again later.', {
        reason: 'rateLimitExceeded',
        details: [errorInfo('RATE_LIMIT_EXCEEDED', 'googleapis.com', { quota_metric: 'requests' })],
      })
    : new GoogleApiError(503, 'UNAVAILABLE', 'The service is currently unavailable.', { reason: 'backendError' });
}
