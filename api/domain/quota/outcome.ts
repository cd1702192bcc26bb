import type { ErrorInfo, NewEvent } from '../environment.js';
import { DomainError } from '../errors.js';
import { describeShortfalls } from './preflight.js';
import type { PreflightResult } from './schemas.js';

/**
 * What a create or retry records about its preflight: an event (passed, failed, or skipped because
 * the project could not be read) and, when it failed, the operation's error.
 */

export function preflightEvent(result: PreflightResult, operationId: string, time: string): NewEvent {
  if (!result.checked) {
    // The whole reason (Google's message can be long) is in the details.
    const reason = result.reason.length > 140 ? `${result.reason.slice(0, 139)}…` : result.reason;
    return { time, type: 'preflight.skipped', operationId, message: `quota preflight not run: ${reason}; grant ${result.roles.join(', ')} to check`, details: { preflight: result } };
  }
  const failed = preflightError(result);
  return failed
    ? { time, type: 'preflight.failed', operationId, message: `quota preflight failed: ${failed.message}`, details: { preflight: result } }
    : { time, type: 'preflight.passed', operationId, message: `quota preflight passed in ${result.region}${result.warnings.length ? ` (${result.warnings.join('; ')})` : ''}`, details: { preflight: result } };
}

/** The operation's error when the preflight found a shortfall or a reservation problem; undefined when it fits. */
export function preflightError(result: PreflightResult): ErrorInfo | undefined {
  if (!result.checked || (result.shortfalls.length === 0 && result.reservationProblems.length === 0)) return undefined;
  const first = result.shortfalls[0];
  return {
    code: result.shortfalls.length ? 'QUOTA_EXCEEDED' : 'RESERVATION_UNUSABLE',
    step: 'preflight',
    message: describeShortfalls(result),
    hint: first
      ? `request an increase of ${first.quota} in ${first.region} (${first.increase.console}, or: ${first.increase.command}), or make room; then retry. Nothing was created.`
      : 'fix the reservation (or the pool\'s reservation affinity), then retry. Nothing was created.',
  };
}

/** The answer to a create or retry the preflight stopped: the request's outcome (the environment is recorded, FAILED). */
export function preflightRefusal(id: string, result: PreflightResult, message: string): DomainError {
  return new DomainError(
    'QUOTA_EXCEEDED',
    `environment ${id} was recorded but nothing was created: ${message}; after an increase, retry with POST /environments/${id}/retry`,
    { environmentId: id, preflight: result },
    { outcome: true },
  );
}
