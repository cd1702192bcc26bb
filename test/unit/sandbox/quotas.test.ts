import { describe, expect, it } from 'vitest';
import { compute, gke, harness, PROJECT, REGION, runningCluster } from './helpers.js';

/** Regional quotas: reported by regions.get, consumed by node pools, enforced on create; reservations. */

const quotaOf = (body: { quotas: { metric: string; limit: number; usage: number }[] }, metric: string) => body.quotas.find((q) => q.metric === metric);
const tpuPool = (name: string, config: Record<string, unknown> = {}) =>
  ({ nodePool: { name, initialNodeCount: 1, locations: [`${REGION}-c`], config: { machineType: 'ct5lp-hightpu-4t', ...config } } });

describe('sandbox: regional quotas', () => {
  it("regions.get reports limits and what the project's node pools use: vCPUs per family, TPU chips, disks, addresses", async () => {
    const h = harness();
    await runningCluster(h); // one n1-standard-8 node, 100 GB pd-balanced (GKE's default disk)
    expect((await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool('tpu', { diskSizeGb: 200 }))).status).toBe(200);
    h.advance(300);
    const region = await h.call('GET', compute(`regions/${REGION}`));
    expect(region.status).toBe(200);
    expect(region.body).toMatchObject({ kind: 'compute#region', name: REGION });
    expect(quotaOf(region.body, 'CPUS')).toEqual({ metric: 'CPUS', limit: 480, usage: 8 });
    expect(quotaOf(region.body, 'TPU_LITE_PODSLICE_V5')).toEqual({ metric: 'TPU_LITE_PODSLICE_V5', limit: 64, usage: 4 });
    expect(quotaOf(region.body, 'SSD_TOTAL_GB')).toMatchObject({ usage: 100 + 200 });
    expect(quotaOf(region.body, 'IN_USE_ADDRESSES')).toMatchObject({ usage: 2 });
    // v4 is offered in us-central2 only: other regions do not report its quota.
    expect(quotaOf(region.body, 'TPU_PODSLICE_V4')).toBeUndefined();
    expect(quotaOf((await h.call('GET', compute('regions/us-central2'))).body, 'TPU_PODSLICE_V4')).toMatchObject({ limit: 32, usage: 0 });
  });

  it("a project's own limit (faults) is enforced: a node pool past it is refused with QUOTA_EXCEEDED, Spot pools use the preemptible metric", async () => {
    const h = harness();
    await runningCluster(h);
    h.sandbox.faults.set({ quotas: [{ project: PROJECT, region: REGION, metric: 'TPU_LITE_PODSLICE_V5', limit: 4 }, { project: PROJECT, metric: 'PREEMPTIBLE_TPU_LITE_PODSLICE_V5', limit: 4 }] });
    expect((await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool('a'))).status).toBe(200);
    h.advance(300);
    const refused = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool('b'));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ status: 'RESOURCE_EXHAUSTED', details: [{ reason: 'QUOTA_EXCEEDED', metadata: { quota_metric: 'TPU_LITE_PODSLICE_V5', region: REGION } }] });
    expect((await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool('spot', { spot: true }))).status).toBe(200);
    h.advance(300);
    expect(quotaOf((await h.call('GET', compute(`regions/${REGION}`))).body, 'PREEMPTIBLE_TPU_LITE_PODSLICE_V5')).toEqual({ metric: 'PREEMPTIBLE_TPU_LITE_PODSLICE_V5', limit: 4, usage: 4 });
  });

  it('a specific reservation: reservations.get counts the VMs in use; a pool needs it in its zone, for its machine type, with room', async () => {
    const h = harness();
    await runningCluster(h);
    const made = await h.sandbox.app.request('/_test/reservations', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: PROJECT, zone: `${REGION}-c`, name: 'tpu-res', machineType: 'ct5lp-hightpu-4t', count: 1 }),
    });
    expect(made.status).toBe(201);
    const affinity = { reservationAffinity: { consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['tpu-res'] } };
    h.sandbox.faults.set({ quotas: [{ project: PROJECT, metric: 'TPU_LITE_PODSLICE_V5', limit: 0 }] });
    expect((await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool('reserved', affinity))).status).toBe(200);
    h.advance(300);
    const reservation = await h.call('GET', compute(`zones/${REGION}-c/reservations/tpu-res`));
    expect(reservation.body.specificReservation).toEqual({ count: '1', inUseCount: '1', instanceProperties: { machineType: 'ct5lp-hightpu-4t' } });
    const full = await h.call('POST', gke('clusters/saxml/nodePools'), tpuPool('second', affinity));
    expect(full.status).toBe(400);
    expect(full.body.error.message).toMatch(/Reservation 'tpu-res' has 0 unused VMs/);
    expect((await h.call('GET', compute(`zones/${REGION}-b/reservations/tpu-res`))).status).toBe(404);
  });
});
