import { describe, expect, it } from 'vitest';
import { problemOf } from '../support/bodies.js';
import { created, dataOf, serverClient, validatedOf, type EnvironmentSpec } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { sandboxInventory, worldPerTest, type LocalWorld } from '../support/local-world.js';

/**
 * The quota preflight on the embedded world: the sandbox's regional quotas (a project's own limit
 * set through its faults endpoint) are consumed by the environments' node pools, and the service
 * reads them with Compute Engine's regions.get before it creates anything.
 */

const PROJECT = 'quota-project-1';
const spec = (name: string): EnvironmentSpec => ({ ...SMALLEST_SPEC, name, project: PROJECT, saxml: { enabled: false } });

const world = worldPerTest();

const setFaults = async (w: LocalWorld, faults: object) =>
  expect((await w.request('/_sandbox/_faults', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) })).status).toBe(200);

const clusters = async (w: LocalWorld) =>
  (await sandboxInventory(w)).filter((r) => r.type === 'container.cluster').map((r) => r.name).sort();

describe('e2e: quota preflight', () => {
  it('creates until the TPU chip quota runs out; the next create fails in its preflight with nothing created; after an increase its retry succeeds', async () => {
    const w = await world();
    const api = serverClient(w.baseUrl);
    // 8 v5e chips in us-west1: two v5litepod-4 environments.
    await setFaults(w, { quotas: [{ project: PROJECT, region: 'us-west1', metric: 'TPU_LITE_PODSLICE_V5', limit: 8 }] });

    // A new project has no Compute Engine API until bootstrap enables it: the first preflight cannot read it, and says so.
    const first = await created(api, spec('a1'));
    expect((await w.settle(first.id)).state).toBe('ACTIVE');
    const firstEvents = dataOf(await api.GET('/environments/{id}/events', { params: { path: { id: first.id } } }), 200).events;
    const skipped = firstEvents.find((e) => e.type === 'preflight.skipped')!;
    expect(skipped.message).toMatch(/^quota preflight not run: the service could not read project quota-project-1: Compute Engine answered 403 .*; grant roles\/compute\.viewer to check$/);
    expect(skipped.details).toMatchObject({ preflight: { checked: false, reason: expect.stringMatching(/Compute Engine API has not been used in project/) } });

    // Now it can: 4 of 8 chips in use, the second fits exactly.
    const preview = validatedOf(await api.POST('/environments', { body: spec('a2'), params: { query: { validateOnly: true } } }));
    expect(preview.preflight).toMatchObject({ checked: true, shortfalls: [] });
    if (!preview.preflight.checked) throw new Error('preflight not checked');
    expect(preview.preflight.quotas.find((q) => q.quota === 'TPU_LITE_PODSLICE_V5')).toEqual({ quota: 'TPU_LITE_PODSLICE_V5', needed: { min: 4, max: 4 }, available: 4, limit: 8, usage: 4 });
    expect(preview.preflight.quotas.find((q) => q.quota === 'CPUS')).toMatchObject({ needed: { min: 24, max: 56 }, usage: 24 });
    const second = await created(api, spec('a2'));
    expect((await w.settle(second.id)).state).toBe('ACTIVE');

    // The third would need 4 more chips: refused in its first step, recorded FAILED, nothing created.
    const shortPreview = validatedOf(await api.POST('/environments', { body: spec('a3'), params: { query: { validateOnly: true } } }));
    expect(shortPreview.preflight).toMatchObject({ checked: true, shortfalls: [{ quota: 'TPU_LITE_PODSLICE_V5', region: 'us-west1', needed: 4, available: 0, limit: 8, usage: 8 }] });
    const before = await clusters(w);
    const refused = await w.request('/environments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec('a3')) });
    expect(refused.status).toBe(409);
    const problem = await problemOf(refused) as Awaited<ReturnType<typeof problemOf>> & { preflight: { shortfalls: { increase: { console: string; command: string } }[] } };
    expect(problem.code).toBe('QUOTA_EXCEEDED');
    expect(problem.detail).toMatch(/quota TPU_LITE_PODSLICE_V5 in us-west1: needs 4, 0 available \(limit 8, in use 8\)/);
    expect(problem.preflight.shortfalls[0]!.increase).toEqual({
      console: `https://console.cloud.google.com/iam-admin/quotas?project=${PROJECT}`,
      command: `gcloud beta quotas preferences create --project=${PROJECT} --service=compute.googleapis.com --quota-id=TPU-LITE-PODSLICE-V5-per-project-region --dimensions=region=us-west1 --preferred-value=12`,
    });
    const third = dataOf(await api.GET('/environments/{id}', { params: { path: { id: problem.environmentId! } } }), 200);
    expect(third).toMatchObject({ state: 'FAILED', operation: { kind: 'create', state: 'FAILED', error: { code: 'QUOTA_EXCEEDED', step: 'preflight' } } });
    expect(third.operation!.executionName).toBeUndefined();
    expect(third.operation!.error!.hint).toMatch(/request an increase of TPU_LITE_PODSLICE_V5 in us-west1 .*Nothing was created/);
    expect(await clusters(w)).toEqual(before);

    // After the increase, the retry checks again and creates it.
    await setFaults(w, { quotas: [{ project: PROJECT, region: 'us-west1', metric: 'TPU_LITE_PODSLICE_V5', limit: 12 }] });
    const retried = dataOf(await api.POST('/environments/{id}/retry', { params: { path: { id: third.id } } }), 202);
    expect((await w.settle(retried.id)).state).toBe('ACTIVE');
    expect(await clusters(w)).toEqual(['a1-saxml-gke-cluster', 'a2-saxml-gke-cluster', 'a3-saxml-gke-cluster']);
    const events = dataOf(await api.GET('/environments/{id}/events', { params: { path: { id: third.id } } }), 200).events.map((e) => e.type);
    expect(events.slice(0, 8)).toEqual([
      'operation.started', 'environment.creating', 'preflight.failed', 'operation.failed', 'environment.failed',
      'operation.started', 'environment.creating', 'preflight.passed',
    ]);
  });

  it('validateOnly says when the service may not read the project, and which role it needs; Google still refuses what does not fit', async () => {
    const w = await world();
    const api = serverClient(w.baseUrl);
    // A first environment enables Compute Engine in the project (and uses 4 chips).
    expect((await w.settle((await created(api, spec('b0'))).id)).state).toBe('ACTIVE');
    await setFaults(w, { permissionDenied: [{ method: 'compute.regions.get' }], quotas: [{ project: PROJECT, metric: 'TPU_LITE_PODSLICE_V5', limit: 4 }] });
    const preview = validatedOf(await api.POST('/environments', { body: spec('b1'), params: { query: { validateOnly: true } } }));
    expect(preview.preflight).toEqual({
      checked: false,
      reason: expect.stringMatching(/could not read project quota-project-1: Compute Engine answered 403 PERMISSION_DENIED: Permission 'compute\.regions\.get' denied/),
      roles: ['roles/compute.viewer'],
    });
    // Unchecked, the create goes ahead, and the node pool is refused by the quota itself.
    const env = await created(api, spec('b1'));
    const failed = await w.settle(env.id);
    expect(failed.state).toBe('FAILED');
    expect(failed.operation?.error).toMatchObject({ code: 'QUOTA_EXCEEDED', step: 'base.tpu-pool.tpu-v5e-4' });
  });
});
