/**
 * The production WorkflowEngine: Cloud Workflows executions through `@google-cloud/workflows`
 * (`ExecutionsClient`, REST transport). This is the only file that imports that package (DESIGN §2).
 *
 * Why REST (`fallback: true`) in production too: the tests run the same transport against a local
 * fake, so the error shapes they see (GaxiosError with an HTTP status) are the ones production sees.
 * The mapper below still accepts gRPC-shaped errors (numeric gRPC codes) in case a gRPC client is
 * ever injected.
 */
import { ExecutionsClient, type protos } from '@google-cloud/workflows';
import type { AuthClient } from 'google-auth-library';
import {
  type ActiveExecution,
  EngineUnavailableError,
  ExecutionNotFoundError,
  type ExecutionError,
  type ExecutionState,
  type ExecutionStatus,
  type StartExecutionInput,
  type WorkflowEngine,
} from './port.js';

type Execution = protos.google.cloud.workflows.executions.v1.IExecution;
type ClientOptions = NonNullable<ConstructorParameters<typeof ExecutionsClient>[0]>;

/** Google's `callLogLevel` values that may be set on an execution. */
export type CallLogLevel = 'LOG_ALL_CALLS' | 'LOG_ERRORS_ONLY' | 'LOG_NONE';

/** Google's limit on `Execution.argument` (the JSON text), in bytes. */
export const MAX_ARGUMENT_BYTES = 32 * 1024;

export interface CloudWorkflowsEngineOptions {
  /** Injected; production builds it with `createExecutionsClient()` (REST transport). */
  client: ExecutionsClient;
  project: string;
  location: string;
  /** The workflow id, e.g. `saxml-environment`. */
  workflow: string;
  /**
   * Execution-level call logging; it overrides the workflow's own level. The default is
   * LOG_ERRORS_ONLY because LOG_ALL_CALLS records call results, which include the access tokens
   * the workflow mints for the automation account.
   */
  callLogLevel?: CallLogLevel;
}

export interface ExecutionsClientOptions {
  /** Host name only (no scheme), e.g. `127.0.0.1` in tests. Default: Google's endpoint. */
  apiEndpoint?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Tests pass `new PassThroughClient()`: no Authorization header and no metadata-server lookup. */
  authClient?: AuthClient;
}

/**
 * Builds the REST-transport client. With no options it talks to workflowexecutions.googleapis.com
 * with Application Default Credentials (the Cloud Run service account).
 */
export function createExecutionsClient(opts: ExecutionsClientOptions = {}): ExecutionsClient {
  const options: ClientOptions = { fallback: true };
  if (opts.apiEndpoint !== undefined) options.apiEndpoint = opts.apiEndpoint;
  if (opts.port !== undefined) options.port = opts.port;
  if (opts.protocol !== undefined) options.protocol = opts.protocol;
  // google-gax carries its own copy of google-auth-library (a different patch version), so the
  // nominal types differ while the runtime contract (an AuthClient with request/getRequestHeaders)
  // is the same: gax wraps whatever it gets in its own GoogleAuth.
  if (opts.authClient !== undefined) options.authClient = opts.authClient as unknown as ClientOptions['authClient'];
  return new ExecutionsClient(options);
}

export class CloudWorkflowsEngine implements WorkflowEngine {
  private readonly client: ExecutionsClient;
  private readonly workflowName: string;
  private readonly callLogLevel: CallLogLevel;

  constructor(opts: CloudWorkflowsEngineOptions) {
    this.client = opts.client;
    this.workflowName = opts.client.workflowPath(opts.project, opts.location, opts.workflow);
    this.callLogLevel = opts.callLogLevel ?? 'LOG_ERRORS_ONLY';
  }

  async start(input: StartExecutionInput): Promise<{ name: string }> {
    const argument = JSON.stringify(input.argument);
    const size = Buffer.byteLength(argument, 'utf8');
    if (size > MAX_ARGUMENT_BYTES) {
      // Refused here rather than by Google so the message says what to do; the plan is meant to be
      // fetched over HTTP, so an oversized argument is a bug in the caller, not a transient fault.
      throw new EngineUnavailableError(
        `execution argument is ${size} bytes; Cloud Workflows accepts at most ${MAX_ARGUMENT_BYTES} ` +
          `(pass ids in the argument and let the workflow fetch the rest)`,
        false,
      );
    }
    let execution: Execution;
    try {
      [execution] = await this.client.createExecution(
        {
          parent: this.workflowName,
          execution: { argument, labels: { ...input.labels }, callLogLevel: this.callLogLevel },
        },
        // Never retried: if Google created the execution but the answer was lost, a second create
        // would run the plan twice. `retry: null` disables gax retries for this call. (Do not add
        // `maxRetries` next to it: gax then dereferences the null retry settings and throws.)
        { retry: null },
      );
    } catch (err) {
      throw this.startError(err);
    }
    if (!execution.name) {
      throw new EngineUnavailableError('Cloud Workflows accepted the execution but returned no name', false);
    }
    return { name: execution.name };
  }

  async get(name: string): Promise<ExecutionStatus> {
    let execution: Execution;
    try {
      // Reads are idempotent: the client's default call settings apply.
      [execution] = await this.client.getExecution({ name });
    } catch (err) {
      throw this.readError(err, name, 'read');
    }
    return toStatus(execution, name);
  }

  async cancel(name: string): Promise<ExecutionStatus> {
    let execution: Execution;
    try {
      [execution] = await this.client.cancelExecution({ name });
    } catch (err) {
      const failure = classify(err);
      // Google refuses to cancel an execution that already ended (400 FAILED_PRECONDITION). The
      // port promises idempotence, so confirm it really ended and report its final status.
      if (failure?.httpStatus === 400) {
        const current = await this.get(name);
        if (current.state !== 'ACTIVE') return current;
      }
      throw this.readError(err, name, 'cancel');
    }
    return toStatus(execution, name);
  }

  async listActive(): Promise<ActiveExecution[]> {
    let executions: Execution[];
    try {
      // FULL: the BASIC view has no labels. Pages of 100 (FULL's maximum) until the end.
      [executions] = await this.client.listExecutions({ parent: this.workflowName, filter: 'state="ACTIVE"', view: 'FULL', pageSize: 100 });
    } catch (err) {
      throw this.readError(err, this.workflowName, 'read');
    }
    return executions
      .filter((e) => e.name && toState(e.state) === 'ACTIVE')
      .map((e) => ({ name: e.name!, labels: { ...(e.labels ?? {}) } }));
  }

  private startError(err: unknown): Error {
    const failure = classify(err);
    if (!failure) return asError(err);
    const target = `workflow ${this.workflowName}`;
    const { httpStatus, detail } = failure;
    if (httpStatus === undefined) {
      // The request may or may not have reached Google; the caller decides how to reconcile
      // (executions carry the operation id in their labels).
      return new EngineUnavailableError(`could not reach Cloud Workflows to start ${target}: ${detail}`, true);
    }
    if (httpStatus === 404) {
      return new EngineUnavailableError(
        `${target} is not deployed (404 from Cloud Workflows; deploy it with infra/): ${detail}`,
        false,
      );
    }
    if (httpStatus === 403) {
      return new EngineUnavailableError(
        `permission denied starting ${target}: the service account needs roles/workflows.invoker (403): ${detail}`,
        false,
      );
    }
    return this.generic(`start ${target}`, httpStatus, detail);
  }

  private readError(err: unknown, name: string, verb: 'read' | 'cancel'): Error {
    const failure = classify(err);
    if (!failure) return asError(err);
    const { httpStatus, detail } = failure;
    if (httpStatus === undefined) {
      return new EngineUnavailableError(`could not reach Cloud Workflows to ${verb} ${name}: ${detail}`, true);
    }
    if (httpStatus === 404) return new ExecutionNotFoundError(name);
    if (httpStatus === 403) {
      return new EngineUnavailableError(
        `permission denied to ${verb} ${name}: the service account needs roles/workflows.invoker (403): ${detail}`,
        false,
      );
    }
    return this.generic(`${verb} ${name}`, httpStatus, detail);
  }

  private generic(what: string, httpStatus: number, detail: string): EngineUnavailableError {
    const retryable = isRetryableStatus(httpStatus);
    const why = httpStatus === 429 ? 'quota or rate limit exceeded' : retryable ? 'unavailable' : 'refused';
    return new EngineUnavailableError(`Cloud Workflows ${why} (${httpStatus}) on ${what}: ${detail}`, retryable);
  }
}

// ---------------------------------------------------------------------------------------------
// Execution → ExecutionStatus

/** The REST transport gives enum names; a gRPC or numeric-enum transport gives numbers. */
const STATE_BY_NUMBER: Record<number, string> = {
  0: 'STATE_UNSPECIFIED',
  1: 'ACTIVE',
  2: 'SUCCEEDED',
  3: 'FAILED',
  4: 'CANCELLED',
  5: 'UNAVAILABLE',
  6: 'QUEUED',
};

function toState(raw: Execution['state']): ExecutionState {
  const state = typeof raw === 'number' ? STATE_BY_NUMBER[raw] : raw;
  switch (state) {
    case 'SUCCEEDED':
    case 'FAILED':
    case 'CANCELLED':
      return state;
    // The execution data is gone (Google's `stateError` says why): it will never report again.
    case 'UNAVAILABLE':
      return 'FAILED';
    // QUEUED: backlogged behind the concurrency quota; it will start by itself.
    // Unknown or unspecified: keep watching rather than declare an outcome we cannot know.
    default:
      return 'ACTIVE';
  }
}

function toStatus(execution: Execution, requestedName: string): ExecutionStatus {
  const rawState = typeof execution.state === 'number' ? STATE_BY_NUMBER[execution.state] : execution.state;
  const status: ExecutionStatus = {
    name: execution.name || requestedName,
    state: toState(execution.state),
    // Google always sets startTime; the epoch fallback only keeps the type honest.
    startTime: toIso(execution.startTime) ?? new Date(0).toISOString(),
  };
  const endTime = toIso(execution.endTime);
  if (endTime) status.endTime = endTime;
  if (execution.result) status.result = decodeJson(execution.result);
  const error = toError(execution);
  if (error) status.error = error;
  else if (rawState === 'UNAVAILABLE') {
    status.error = {
      message: execution.stateError?.details || 'the execution data is unavailable in Cloud Workflows',
      tags: ['UNAVAILABLE'],
    };
  }
  return status;
}

/**
 * `error.payload` is the raised value as JSON text when the workflow raised a map (or an error
 * map from a failed call); `error.context` is Google's human-readable trace.
 */
function toError(execution: Execution): ExecutionError | undefined {
  const raw = execution.error;
  if (!raw || (!raw.payload && !raw.context)) return undefined;
  if (!raw.payload) return { message: raw.context ?? '' };
  const payload = decodeJson(raw.payload);
  const error: ExecutionError = { message: raw.payload, payload };
  if (typeof payload === 'string') error.message = payload;
  else if (isRecord(payload)) {
    if (typeof payload.message === 'string' && payload.message) error.message = payload.message;
    if (Array.isArray(payload.tags)) error.tags = payload.tags.filter((t): t is string => typeof t === 'string');
  }
  return error;
}

/** Protobuf Timestamp (`{seconds, nanos}`, seconds possibly a string or Long) or RFC 3339 text → ISO. */
function toIso(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  if (typeof value === 'object') {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const s = Number(seconds ?? 0);
    const n = Number(nanos ?? 0);
    if (!Number.isFinite(s) || !Number.isFinite(n)) return undefined;
    return new Date(s * 1000 + Math.floor(n / 1e6)).toISOString();
  }
  return undefined;
}

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Error classification: REST (GaxiosError, HTTP status) and gRPC (GoogleError, gRPC code) shapes

interface TransportFailure {
  /** HTTP status, or the HTTP equivalent of a gRPC code; absent when no answer came back. */
  httpStatus?: number;
  /** Google's own message (the JSON error body's `error.message` when there is one). */
  detail: string;
}

/** gRPC status code → the HTTP status Google documents for it (google.rpc.Code). */
const HTTP_BY_GRPC: Record<number, number> = {
  1: 499, // CANCELLED
  2: 500, // UNKNOWN
  3: 400, // INVALID_ARGUMENT
  4: 504, // DEADLINE_EXCEEDED
  5: 404, // NOT_FOUND
  6: 409, // ALREADY_EXISTS
  7: 403, // PERMISSION_DENIED
  8: 429, // RESOURCE_EXHAUSTED
  9: 400, // FAILED_PRECONDITION
  10: 409, // ABORTED
  11: 400, // OUT_OF_RANGE
  12: 501, // UNIMPLEMENTED
  13: 500, // INTERNAL
  14: 503, // UNAVAILABLE
  15: 500, // DATA_LOSS
  16: 401, // UNAUTHENTICATED
};

/** Node/undici error codes meaning "no HTTP answer": the service may be reachable later. */
const NETWORK_CODE = /^(E[A-Z0-9_]+|UND_ERR_[A-Z_]+|ERR_SOCKET[A-Z_]*)$/;

/** Returns undefined for errors that are not transport failures (programming errors propagate). */
function classify(err: unknown): TransportFailure | undefined {
  if (!isRecord(err)) return undefined;
  const detail = googleMessage(err);
  const { status, code } = err;
  if (typeof status === 'number' && status >= 100) return { httpStatus: status, detail };
  if (typeof code === 'number') {
    if (code >= 100) return { httpStatus: code, detail };
    const http = HTTP_BY_GRPC[code];
    if (http !== undefined) return { httpStatus: http, detail };
  }
  if (typeof code === 'string' && NETWORK_CODE.test(code)) return { detail };
  if (err.name === 'GaxiosError' || err.name === 'AbortError' || err.name === 'FetchError') return { detail };
  return undefined;
}

/** GaxiosError puts the raw JSON error body in `message`; prefer Google's own sentence from it. */
function googleMessage(err: Record<string, unknown>): string {
  const message = typeof err.message === 'string' ? err.message : String(err);
  try {
    const body: unknown = JSON.parse(message);
    const inner = isRecord(body) && isRecord(body.error) ? body.error : undefined;
    if (inner && typeof inner.message === 'string') {
      return typeof inner.status === 'string' ? `${inner.status}: ${inner.message}` : inner.message;
    }
  } catch {
    // not JSON: keep the message as it is
  }
  return message;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
