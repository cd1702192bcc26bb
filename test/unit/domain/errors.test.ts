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
    expect(error.message).toBe('The request has invalid fields');
    expect(validationFailed([], 'custom').message).toBe('custom');
  });

  it('notFound says what was not found', () => {
    const error = notFound('environment env-1');
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('environment env-1 not found');
  });

  it('DomainError is named, keeps its details and defaults them to {}', () => {
    const error = new DomainError('OPERATION_IN_PROGRESS', 'busy', { operationId: 'op-1' });
    expect(error.name).toBe('DomainError');
    expect(error.details).toEqual({ operationId: 'op-1' });
    expect(new DomainError('NOT_IMPLEMENTED', 'later').details).toEqual({});
    expect(String(error)).toBe('DomainError: busy');
  });
});
