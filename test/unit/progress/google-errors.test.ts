import { describe, expect, it } from 'vitest';
import { describeStepError } from '../../../api/domain/google-errors.js';

/** Error bodies in the shapes Google's APIs (and the sandbox) return them. */
describe('describeStepError', () => {
  // GKE's message names the zone that has no capacity, and no other ("Try a different zone, or try again later.").
  const stockout = (zone: string) => ({
    google: {
      code: 8,
      message: `Google Compute Engine: Not all instances running in IGM after 1m0s. Current errors: [GCE_STOCKOUT]: Instance 'gke-x' creation failed: ` +
        `The zone 'projects/p/zones/${zone}' does not have enough resources available to fulfill the request. Try a different zone, or try again later.`,
    },
  });
  const context = (region: string, tpuTypeName: string) => ({ environmentId: 'env-1', region, tpuPool: { path: 'cluster.tpuNodePools[0]', tpuType: tpuTypeName } });

  it('TPU stockout where the region has no other zone for the type: retry, reservation or spot, or a region that offers it — never a zone of another region', () => {
    const info = describeStepError('base', 'base.tpu-pool.p', stockout('us-west1-c'), context('us-west1', 'v5litepod-4'));
    expect(info).toMatchObject({ code: 'GCE_STOCKOUT', stage: 'base', step: 'base.tpu-pool.p' });
    expect(info.hint).toContain('no other zone of us-west1 offers it');
    expect(info.hint).toContain('POST /environments/env-1/retry deletes what the stockout left in ERROR and creates it again');
    expect(info.hint).toContain('cluster.tpuNodePools[0].reservation');
    expect(info.hint).toContain('another region that offers it: us-central1 (us-central1-a), us-south1 (us-south1-a), us-west4 (us-west4-a)');
    expect(info.hint).not.toMatch(/zones set to/);
  });

  it('TPU stockout elsewhere, and without context (the zone only)', () => {
    const info = describeStepError('base', 'base.tpu-pool.p', stockout('europe-west4-b'), context('europe-west4', 'v5litepod-4'));
    expect(info.hint).toContain('no other zone of europe-west4 offers it');
    const none = describeStepError('base', 'base.tpu-pool.p', stockout('us-west1-c'));
    expect(none.hint).toBe('no capacity in us-west1-c right now; retry later, or create the environment in zones that have capacity');
  });

  it('CPU stockout on the cluster: says the CPU pools, and what to do', () => {
    const info = describeStepError('base', 'base.cluster', stockout('us-west1-a'), { environmentId: 'env-1', region: 'us-west1' });
    expect(info.message).toMatch(/^Compute Engine capacity is exhausted/);
    expect(info.hint).toContain('no capacity for the CPU node pools in us-west1-a');
    expect(info.hint).toContain('/environments/env-1/retry');
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
