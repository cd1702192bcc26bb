import { ApiProblem, WaitEndedError } from '@saxml-environments/client';

/**
 * What `saxenv` exits with, one code per class of failure, so scripts can branch on it
 * (documented in `saxenv --help` and the README).
 */
export const EXIT = {
  OK: 0,
  /** The operation ended FAILED or CANCELLED (or an environment is FAILED). */
  OPERATION_FAILED: 1,
  /** Bad arguments, or a spec file that cannot be read or parsed. */
  USAGE: 2,
  /** The API refused the request (validation, conflict, precondition; PATCH not supported). */
  REFUSED: 3,
  /** Missing or invalid credentials, or not allowed. */
  AUTH: 4,
  /** No such environment. */
  NOT_FOUND: 5,
  /** The service failed (5xx) or could not be reached. */
  UNAVAILABLE: 6,
  /** A fault of saxenv itself (please report it). */
  INTERNAL: 70,
  /** Interrupted (Ctrl-C): the operation goes on without us. */
  INTERRUPTED: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    the operation ended FAILED or CANCELLED
  2    usage: bad arguments, or a spec file that cannot be read or parsed
  3    the API refused the request (invalid spec, conflict, changed ETag, PATCH not supported, …)
  4    authentication or permission (401, 403)
  5    no such environment (404)
  6    the service failed (5xx) or could not be reached
  70   a fault of saxenv itself
  130  interrupted (Ctrl-C); the operation goes on`;

/** A failure the CLI itself diagnosed (bad file, bad flag), with the code to exit with. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.USAGE) {
    super(message);
    this.name = 'CliError';
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof WaitEndedError) return EXIT.OPERATION_FAILED;
  if (error instanceof ApiProblem) {
    if (error.status === 401 || error.status === 403) return EXIT.AUTH;
    if (error.code === 'NOT_FOUND') return EXIT.NOT_FOUND;
    return error.status >= 500 ? EXIT.UNAVAILABLE : EXIT.REFUSED;
  }
  return isConnectionFailure(error) ? EXIT.UNAVAILABLE : EXIT.INTERNAL;
}

/** fetch's own failures: connection refused, DNS, TLS, a connection cut mid-answer. */
export const isConnectionFailure = (error: unknown): error is TypeError =>
  error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated');
