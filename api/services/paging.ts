import { DomainError } from '../domain/errors.js';
import { InvalidPageTokenError } from '../store/port.js';

/** Runs a store list call, turning a foreign or tampered page token into a 400 naming the parameter. */
export async function withPageToken<T>(list: () => Promise<T>): Promise<T> {
  try {
    return await list();
  } catch (error) {
    if (error instanceof InvalidPageTokenError) {
      throw new DomainError('INVALID_ARGUMENT', error.message, { errors: [{ path: '$.pageToken', message: error.message }] });
    }
    throw error;
  }
}
