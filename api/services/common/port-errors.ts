import { DomainError, notFound } from '../../domain/errors.js';
import { EngineUnavailableError } from '../../engine/port.js';
import type { Logger } from '../../logger.js';
import {
  BootstrapBusyError, CorruptRecordError, DeliveryNotFoundError, EnvironmentNotFoundError, InvalidPageTokenError, NameTakenError, VersionConflictError,
} from '../../store/port.js';

/**
 * The one table from port failures to domain errors (and so to problem codes). Engine messages
 * name Google projects and workflow ids, which are ours, not the caller's: they are logged, and
 * the caller gets a message that says what to do.
 */
export function fromPortError(error: unknown, ctx: { logger: Logger; requestId?: string }): unknown {
  if (error instanceof DomainError) return error;
  if (error instanceof EnvironmentNotFoundError) return notFound(`environment ${error.environmentId}`);
  if (error instanceof DeliveryNotFoundError) return notFound(`delivery ${error.deliveryId} of environment ${error.environmentId}`);
  if (error instanceof BootstrapBusyError) {
    return new DomainError('FAILED_PRECONDITION',
      `the bootstrap of project ${error.project} is being removed (operation ${error.removal.operationId} of environment ${error.removal.environmentId}); create the environment once that has ended`,
      { environmentId: error.removal.environmentId });
  }
  if (error instanceof NameTakenError) {
    return new DomainError('ALREADY_EXISTS', `an environment named "${error.environmentName}" already exists in project ${error.project}: ${error.existingId}`,
      { existingId: error.existingId });
  }
  if (error instanceof VersionConflictError) {
    return new DomainError('ETAG_MISMATCH', `environment ${error.environmentId} changed since the ETag you sent; GET it and decide again`);
  }
  if (error instanceof InvalidPageTokenError) {
    return new DomainError('INVALID_ARGUMENT', error.message, { errors: [{ path: '$.query.pageToken', message: error.message }] });
  }
  if (error instanceof CorruptRecordError) {
    // Not the caller's fault and not a crash: say which stored document needs attention.
    ctx.logger.error('corrupt stored document', { document: error.documentPath, issues: error.issues });
    return new DomainError('INTERNAL', `${error.message} (request id ${ctx.requestId ?? 'none'})`);
  }
  if (error instanceof EngineUnavailableError) {
    ctx.logger.error('workflow engine unavailable', { error: error.message, retryable: error.retryable });
    return engineUnavailable();
  }
  return error;
}

export const engineUnavailable = (what = 'Cloud Workflows is unavailable') =>
  new DomainError('UNAVAILABLE', `${what}; nothing was changed, retry in a moment`);
