import { describe, expect, it } from 'vitest';
import { compute, harness, PROJECT } from './helpers.js';

/** A `random` that replays the given draws (then 0.99: no fault). */
const draws = (...values: number[]) => () => values.shift() ?? 0.99;
const CRM = `/cloudresourcemanager/v1/projects/${PROJECT}`;

describe('faults', () => {
  it('answers a share of calls 429 or 503 before anything else, using the injected random', async () => {
    const h = harness({ faults: { transientErrorRate: 0.5 }, random: draws(0.1, 0.2, 0.1, 0.7, 0.9) });
    const a = await h.call('GET', CRM, undefined, { token: null }); // faulted even before authentication
    expect(a.status).toBe(429);
    expect(a.body.error.status).toBe('RESOURCE_EXHAUSTED');
    // the sandbox's own endpoints are never faulted and draw nothing
    expect((await h.sandbox.app.request('/inventory')).status).toBe(200);
    expect((await h.sandbox.app.request('/_faults')).status).toBe(200);
    const b = await h.call('GET', CRM);
    expect(b.status).toBe(503);
    expect(b.body.error.status).toBe('UNAVAILABLE');
    expect((await h.call('GET', CRM)).status).toBe(200);
    expect(h.sandbox.calls().map((c) => c.status)).toEqual([429, 503, 200]);
  });

  it('denies calls by permission or by HTTP method and path prefix', async () => {
    const h = harness();
    await h.enable(PROJECT, 'compute.googleapis.com');
    h.sandbox.faults.set({ permissionDenied: [{ method: 'compute.networks.create' }] });
    const r = await h.call('POST', compute('global/networks'), { name: 'net', autoCreateSubnetworks: false });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ status: 'PERMISSION_DENIED', message: expect.stringContaining("Permission 'compute.networks.create' denied") });
    expect(r.body.error.details[0]).toMatchObject({ reason: 'IAM_PERMISSION_DENIED', metadata: { permission: 'compute.networks.create' } });
    expect((await h.call('GET', compute('global/networks/net'))).status).toBe(404);

    h.sandbox.faults.set({ permissionDenied: [{ method: 'GET', pathPrefix: '/cloudresourcemanager/' }] });
    expect((await h.call('GET', CRM)).status).toBe(403);
    expect((await h.call('POST', `${CRM}:getIamPolicy`, {})).status).toBe(200);
    h.sandbox.faults.clear();
    expect((await h.call('GET', CRM)).status).toBe(200);
  });

  it('exhausts compute quotas on demand', async () => {
    const h = harness({ faults: { quotaExceeded: [{ metric: 'NETWORKS' }] } });
    await h.enable(PROJECT, 'compute.googleapis.com');
    const r = await h.call('POST', compute('global/networks'), { name: 'net', autoCreateSubnetworks: false });
    expect(r.status).toBe(403);
    expect(r.body.error.errors[0].reason).toBe('quotaExceeded');
    expect(r.body.error.details[0]).toMatchObject({ reason: 'QUOTA_EXCEEDED', metadata: { quota_metric: 'NETWORKS' } });
  });

  it('is configurable over HTTP: PUT merges (zod-validated), GET reads, DELETE clears', async () => {
    const h = harness();
    const put = (body: unknown) => h.sandbox.app.request('/_faults', { method: 'PUT', body: JSON.stringify(body) });
    expect((await put({ transientErrorRate: 2 })).status).toBe(400);
    expect((await put({ surprise: true })).status).toBe(400);
    expect((await put({ tpuStockoutZones: ['us-west1-c'] })).status).toBe(200);
    const merged = await (await put({ quotaExceeded: [{ metric: 'CPUS', region: 'us-west1' }] })).json();
    const none = {
      transientErrorRate: 0, tpuStockoutZones: [], cpuStockoutZones: [], quotaExceeded: [], quotas: [], permissionDenied: [], degradedClusters: false,
      // Not a fault: the organisation of a new customer, which may not enable Cloud Source Repositories.
      unavailableServices: ['sourcerepo.googleapis.com'],
      imagePullErrors: [], crashLoops: [], badCheckpoints: [], nodeLabels: [],
    };
    expect(merged).toEqual({ ...none, tpuStockoutZones: ['us-west1-c'], quotaExceeded: [{ metric: 'CPUS', region: 'us-west1' }] });
    expect(await (await h.sandbox.app.request('/_faults')).json()).toEqual(merged);
    expect((await h.sandbox.app.request('/_faults', { method: 'DELETE' })).status).toBe(204);
    expect(h.sandbox.faults.get()).toEqual(none);
  });

  it('rejects invalid faults at construction', () => {
    expect(() => harness({ faults: { transientErrorRate: -1 } })).toThrow();
  });
});
