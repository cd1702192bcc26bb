import { describe, expect, it } from 'vitest';
import { DomainError, notFound, validationFailed } from '../../../api/domain/errors.js';

describe('domain errors', () => {
  it('validationFailed carries the field errors under a stable code', () => {
    const errors = [{ path: '$.name', message: 'too long' }, { path: '$.zones[0]', message: 'not in region' }];
    const error = validationFailed(errors);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.errors).toEqual(errors);
    expect(error.message).toBe('$.name: too long; $.zones[0]: not in region');
  });

  it('notFound says what was not found', () => {
    const error = notFound('environment env-1');
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('environment env-1 not found');
  });
});
