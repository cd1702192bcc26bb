import { describe, expect, it } from 'vitest';
import { describeStepError } from '../../../api/domain/google-errors.js';

/** Error bodies in the shapes Google's APIs (and the sandbox) return them. */
describe('describeStepError', () => {
  it('TPU stockout from a container operation: names the zones to try', () => {
    const info = describeStepError('base', 'base.tpu-pool.p', {
      google: { code: 8, message: 'Insufficient TPU capacity [GCE_STOCKOUT] in zone us-west1-c. Try a different zone: us-west4-a, us-east5-b.' },
    });
    expect(info).toMatchObject({ code: 'GCE_STOCKOUT', stage: 'base', step: 'base.tpu-pool.p' });
    expect(info.hint).toContain('us-west4-a, us-east5-b');
    expect(info.hint).not.toContain('us-west1-c');
  });

  it('quota: names the metric and the region', () => {
    const info = describeStepError('base', 'base.network', {
      httpStatus: 403,
      google: { error: { code: 403, status: 'RESOURCE_EXHAUSTED', message: "Quota 'TPUS_PER_TPU_FAMILY' exceeded. Limit: 0.0 in region us-west1.",
        errors: [{ reason: 'quotaExceeded', message: 'quota' }] } },
    });
    expect(info.code).toBe('QUOTA_EXCEEDED');
    expect(info.hint).toContain('TPUS_PER_TPU_FAMILY');
    expect(info.hint).toContain('us-west1');
    expect(info.google).toMatchObject({ httpStatus: 403, reason: 'quotaExceeded' });
  });

  it('permission denied: names the permission', () => {
    const info = describeStepError('base', 'base.network', {
      httpStatus: 403,
      google: { error: { code: 403, status: 'PERMISSION_DENIED', message: "Permission 'compute.networks.create' denied on resource 'projects/p' (or it may not exist)." } },
    });
    expect(info.code).toBe('PERMISSION_DENIED');
    expect(info.hint).toContain('compute.networks.create');
  });

  it('API not enabled', () => {
    const info = describeStepError('perf', 'perf.topic', {
      httpStatus: 403,
      google: { error: { code: 403, status: 'PERMISSION_DENIED', message: 'Cloud Pub/Sub API has not been used in project 123 before or it is disabled.',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED' }] } },
    });
    expect(info.code).toBe('SERVICE_DISABLED');
  });

  it("falls back to Google's status, our own problem code, or the HTTP status", () => {
    expect(describeStepError(undefined, 's', { httpStatus: 400, google: { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'bad' } } }).code).toBe('INVALID_ARGUMENT');
    expect(describeStepError(undefined, 's', { httpStatus: 409, google: { code: 'OPERATION_IN_PROGRESS', detail: 'x', message: 'busy' } }).code).toBe('OPERATION_IN_PROGRESS');
    expect(describeStepError(undefined, 's', { httpStatus: 502, message: 'bad gateway' }).code).toBe('HTTP_502');
    expect(describeStepError(undefined, 's', { message: 'timed out', tags: ['TimeoutError'] }).code).toBe('TIMEOUT_ERROR');
  });
});
