import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord } from '../../api/domain/environment.js';
import { buildTestApp, json, tableResolver, testNotifier } from '../support/app.js';
import { SMALLEST_SPEC, tpuPool } from '../support/fixtures.js';

// PATCH /environments/{id} over HTTP on the in-process app (an engine that never finishes: an
// operation stays RUNNING until the test settles it in the store).

type TestApp = ReturnType<typeof buildTestApp>;
// The answers are read loosely: the assertions say what they must hold.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const read = async (res: Response | Promise<Response>): Promise<Loose> => (await res).json();
const MODEL = { id: 'llama7b', modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e', checkpoint: 'gs://ckpt/llama-7b/c0', tpuPool: 'tpu-v5e-4' };

async function createdEnv(t: TestApp, spec: Record<string, unknown> = { ...SMALLEST_SPEC, saxml: { models: [MODEL] } }) {
  const res = await t.app.request('/environments', json(spec));
  expect(res.status).toBe(202);
  return (await read(res)) as { id: string; etag: string };
}

/** The create ended as `state` says (the store is written directly: the engine never runs). */
async function settle(t: TestApp, id: string, state: 'ACTIVE' | 'FAILED'): Promise<string> {
  const { record } = await t.store.update(id, (current: EnvironmentRecord) => ({
    record: { ...current, state, operation: { ...current.operation!, state: state === 'ACTIVE' ? 'SUCCEEDED' : 'FAILED', endTime: new Date().toISOString() } },
    events: [],
  }));
  return `"${record.id.slice(-8)}-${record.version}"`;
}

const patch = (t: TestApp, id: string, body: unknown, headers: Record<string, string> = {}, query = '') =>
  t.app.request(`/environments/${id}${query}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', ...headers }, body: JSON.stringify(body) });

describe('PATCH /environments/{id}', () => {
  it('starts an update operation: 202, UPDATING, operation kind update with the spec hash; the event log says what changed', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    await settle(t, env.id, 'ACTIVE');
    const res = await patch(t, env.id, { saxml: { models: [MODEL, { ...MODEL, id: 'llama7b_chat', checkpoint: 'gs://ckpt/chat' }] } });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/environments/${env.id}`);
    const body = await read(res);
    expect(body).toMatchObject({ state: 'UPDATING', operation: { kind: 'update', target: 'update', state: 'RUNNING', specHash: expect.stringMatching(/^sha256:/) } });
    expect(body.operation).not.toHaveProperty('update');
    expect(body.spec.saxml.models.map((m: { id: string }) => m.id)).toEqual(['llama7b', 'llama7b_chat']);
    expect(body.actions).toMatchObject({ canCancel: true, canUpdate: false });

    const events = (await read(t.app.request(`/environments/${env.id}/events`))).events as { type: string; details?: Record<string, unknown> }[];
    const spec = events.find((e) => e.type === 'spec.updated')!;
    expect(spec.details).toMatchObject({ changed: ['saxml.models[1]'], specHash: body.operation.specHash });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['operation.started', 'environment.updating']));

    // The plan of the running update is the diff, and GET …/plan shows it like any other.
    const plan = await read(t.app.request(`/environments/${env.id}/plan`));
    expect(plan).toMatchObject({ kind: 'update', operationId: body.operation.id });
    expect(plan.steps.map((s: { id: string; state: string }) => [s.id, s.state])).toEqual([['saxml.cell', 'PENDING'], ['saxml.model-server.tpu-v5e-4', 'PENDING']]);
  });

  it('a second mutation while it runs is 409 OPERATION_IN_PROGRESS naming it; so is a PATCH during the create', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    const during = await patch(t, env.id, { labels: { team: 'ml' } });
    expect(during.status).toBe(409);
    expect(await read(during)).toMatchObject({ code: 'OPERATION_IN_PROGRESS', operation: { kind: 'create' } });
  });

  it('changes nothing → 200 and starts nothing; deletion protection alone is recorded at once (200, no operation)', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t, { ...SMALLEST_SPEC, deletionProtection: true });
    await settle(t, env.id, 'ACTIVE');
    const none = await patch(t, env.id, { region: 'us-west1', labels: {} });
    expect(none.status).toBe(200);
    const before = await read(none);
    expect(before).toMatchObject({ state: 'ACTIVE', operation: { kind: 'create' } });

    const lifted = await patch(t, env.id, { deletionProtection: false });
    expect(lifted.status).toBe(200);
    const after = await read(lifted);
    expect(after).toMatchObject({ state: 'ACTIVE', spec: { deletionProtection: false }, actions: { canDelete: true }, operation: { id: before.operation.id } });
    expect(after.etag).not.toBe(before.etag);
    // Now the delete goes ahead.
    expect((await t.app.request(`/environments/${env.id}`, { method: 'DELETE' })).status).toBe(202);
  });

  it('If-Match: two PATCHes with the same ETag → one 202, one 412', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    const etag = await settle(t, env.id, 'ACTIVE');
    const first = await patch(t, env.id, { labels: { team: 'a' } }, { 'if-match': etag });
    const second = await patch(t, env.id, { labels: { team: 'b' } }, { 'if-match': etag });
    expect(first.status).toBe(202);
    expect(second.status).toBe(412);
    expect(await read(second)).toMatchObject({ code: 'ETAG_MISMATCH' });
  });

  it('an immutable change → 422, one entry per field, nothing recorded', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    const etag = await settle(t, env.id, 'ACTIVE');
    const res = await patch(t, env.id, { name: 'renamed', network: { podsCidr: '10.64.0.0/14' } });
    expect(res.status).toBe(422);
    const problem = await read(res);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(['$.name', '$.network.podsCidr']);
    expect((await t.app.request(`/environments/${env.id}`)).headers.get('etag')).toBe(etag);
  });

  it('a TPU pool a model uses cannot be removed (422)', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    await settle(t, env.id, 'ACTIVE');
    const res = await patch(t, env.id, { cluster: { tpuNodePools: [tpuPool({ name: 'other' })] } });
    expect(res.status).toBe(422);
    expect((await read(res)).errors).toEqual([{ path: '$.saxml.models[0].tpuPool', message: 'no TPU node pool named "tpu-v5e-4"; pools: other' }]);
  });

  it('validateOnly: the new spec, what changes, the plan, its cost; a replaced pool says which order; nothing recorded', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    const etag = await settle(t, env.id, 'ACTIVE');
    const res = await patch(t, env.id, { cluster: { tpuNodePools: [tpuPool({ spot: true })] } }, {}, '?validateOnly=true');
    expect(res.status).toBe(200);
    const preview = await read(res);
    expect(preview).toMatchObject({
      kind: 'UpdatePreview',
      changed: ['cluster.tpuNodePools[0].spot'],
      plan: { kind: 'update' },
      estimate: { currency: 'USD' },
      // The test app cannot read quotas: created first, to keep serving (Google enforces quota at creation).
      replacements: { 'tpu-v5e-4': { order: 'createFirst', reason: 'quota could not be read; created first to keep serving' } },
      preflight: { checked: false },
    });
    expect(preview.spec.cluster.tpuNodePools[0]).toMatchObject({ spot: true, nodePoolName: 'tpu-v5e-4-r' });
    expect(preview.plan.steps.map((s: { id: string }) => s.id)).toEqual([
      'base.tpu-pool.tpu-v5e-4', 'base.tpu-pool.tpu-v5e-4:replaced', 'saxml.cell', 'saxml.model-server.tpu-v5e-4',
    ]);
    expect((await t.app.request(`/environments/${env.id}`)).headers.get('etag')).toBe(etag);
  });

  it('only application/merge-patch+json (415 otherwise); Idempotency-Key replays the first answer', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    await settle(t, env.id, 'ACTIVE');
    const wrong = await t.app.request(`/environments/${env.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(wrong.status).toBe(415);
    const key = { 'idempotency-key': 'patch-labels-1' };
    const first = await patch(t, env.id, { labels: { team: 'ml' } }, key);
    const again = await patch(t, env.id, { labels: { team: 'ml' } }, key);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await read(again)).operation.id).toBe((await read(first)).operation.id);
  });

  it('a FAILED create can be changed: the update converges to the new spec; a FAILED delete cannot', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    await settle(t, env.id, 'FAILED');
    const res = await patch(t, env.id, { labels: { team: 'ml' } });
    expect(res.status).toBe(202);
    // Nothing of the create was reported done: the whole environment is converged (found or made).
    const plan = await read(t.app.request(`/environments/${env.id}/plan`));
    expect(plan.steps.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['bootstrap.services.1', 'base.cluster', 'base.cluster:labels', 'saxml.cell']));

    const gone = await createdEnv(t, { ...SMALLEST_SPEC, name: 'other' });
    await settle(t, gone.id, 'ACTIVE');
    expect((await t.app.request(`/environments/${gone.id}`, { method: 'DELETE' })).status).toBe(202);
    await settle(t, gone.id, 'FAILED');
    const refused = await patch(t, gone.id, { labels: { team: 'ml' } });
    expect(refused.status).toBe(409);
    expect((await read(refused)).detail).toContain('retry the delete');
  });

  it('retry and cancel work for updates', async () => {
    const t = buildTestApp();
    const env = await createdEnv(t);
    await settle(t, env.id, 'ACTIVE');
    const started = await read(patch(t, env.id, { labels: { team: 'ml' } }));
    const cancelled = await t.app.request(`/environments/${env.id}/cancel`, { method: 'POST' });
    expect(await read(cancelled)).toMatchObject({ state: 'FAILED', operation: { id: started.operation.id, state: 'CANCELLED' }, actions: { canRetry: true, canUpdate: true } });
    const retried = await t.app.request(`/environments/${env.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    expect(await read(retried)).toMatchObject({ state: 'UPDATING', operation: { kind: 'retry', target: 'update', specHash: started.operation.specHash } });
    const plan = await read(t.app.request(`/environments/${env.id}/plan`));
    expect(plan.kind).toBe('update');
    expect(plan.steps.map((s: { id: string }) => s.id)).toEqual([
      'base.bucket.admin:labels', 'base.bucket.models:labels', 'base.artifact-registry:labels', 'base.cluster:label-fingerprint', 'base.cluster:labels',
      'perf.topic:labels', 'perf.dataset:labels', 'perf.table:labels', 'perf.subscription:labels',
    ]);
  });
});

describe('PATCH: quota and notifications', () => {
  /** A project whose TPU v5e quota has room for `room.chips` more chips (and plenty of everything else). */
  const quotas = (room: { chips: number }) => ({
    regionQuotas: async () => [
      { metric: 'TPU_LITE_PODSLICE_V5', limit: 4 + room.chips, usage: 4 },
      { metric: 'PREEMPTIBLE_TPU_LITE_PODSLICE_V5', limit: room.chips, usage: 0 },
      { metric: 'CPUS', limit: 1000, usage: 0 }, { metric: 'N2_CPUS', limit: 1000, usage: 0 },
      { metric: 'SSD_TOTAL_GB', limit: 100_000, usage: 0 }, { metric: 'DISKS_TOTAL_GB', limit: 100_000, usage: 0 },
      { metric: 'IN_USE_ADDRESSES', limit: 100, usage: 0 },
    ],
    reservation: async () => null,
  });
  const moved = { cluster: { tpuNodePools: [tpuPool({ spot: true })] } };

  it('a replaced TPU pool is created first when quota has room for both, else deleted first', async () => {
    const roomy = buildTestApp({ quotas: quotas({ chips: 4 }) });
    const env = await createdEnv(roomy);
    await settle(roomy, env.id, 'ACTIVE');
    const first = await read(patch(roomy, env.id, moved, {}, '?validateOnly=true'));
    expect(first.replacements).toEqual({ 'tpu-v5e-4': { order: 'createFirst', reason: 'quota allows both at once' } });
    expect(first.preflight).toMatchObject({ checked: true, shortfalls: [] });

    // The create took what there was: no room is left for a second pool beside the first.
    const left = { chips: 4 };
    const tight = buildTestApp({ quotas: quotas(left) });
    const other = await createdEnv(tight);
    await settle(tight, other.id, 'ACTIVE');
    left.chips = 0;
    const res = await patch(tight, other.id, moved);
    expect(res.status).toBe(202);
    const plan = await read(tight.app.request(`/environments/${other.id}/plan`));
    expect(plan.steps.slice(0, 2).map((s: { id: string; title: string }) => [s.id, s.title])).toEqual([
      ['base.tpu-pool.tpu-v5e-4:replaced', expect.stringContaining('(quota does not allow both at once)')],
      ['base.tpu-pool.tpu-v5e-4', expect.stringContaining('after the old one is deleted')],
    ]);
    expect((await read(tight.app.request(`/environments/${other.id}`))).spec.cluster.tpuNodePools[0]).not.toHaveProperty('nodePoolName');
  });

  it('a change that adds capacity the project lacks is refused (409 QUOTA_EXCEEDED) and changes nothing', async () => {
    const left = { chips: 4 };
    const t = buildTestApp({ quotas: quotas(left) });
    const env = await createdEnv(t);
    const etag = await settle(t, env.id, 'ACTIVE');
    left.chips = 0;
    const res = await patch(t, env.id, { cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-b' })] } });
    expect(res.status).toBe(409);
    const problem = await read(res);
    expect(problem).toMatchObject({ code: 'QUOTA_EXCEEDED', preflight: { shortfalls: [{ quota: 'TPU_LITE_PODSLICE_V5', needed: 4, available: 0 }] } });
    expect(problem.detail).toMatch(/^nothing was changed: /);
    expect((await t.app.request(`/environments/${env.id}`)).headers.get('etag')).toBe(etag);
  });

  it('notifications go out for an update; targets a PATCH replaces get new ids and the new webhook secret is shown once', async () => {
    const t = buildTestApp({ notify: testNotifier({ resolver: tableResolver({ 'receiver.example.com': ['93.184.216.34'] }) }) });
    const env = await createdEnv(t, { ...SMALLEST_SPEC, notifications: [{ type: 'webhook', url: 'https://receiver.example.com/a' }] });
    await settle(t, env.id, 'ACTIVE');
    expect((await patch(t, env.id, { labels: { team: 'ml' } })).status).toBe(202);
    const deliveries = (await read(t.app.request(`/environments/${env.id}/deliveries?pageSize=100`))).deliveries as { event: { type: string } }[];
    expect(deliveries.map((d) => d.event.type)).toContain('environment.updating');

    const t2 = buildTestApp({ notify: testNotifier({ resolver: tableResolver({ 'receiver.example.com': ['93.184.216.34'] }) }) });
    const env2 = await createdEnv(t2, { ...SMALLEST_SPEC, notifications: [{ type: 'webhook', url: 'https://receiver.example.com/a' }] });
    await settle(t2, env2.id, 'ACTIVE');
    const replaced = await patch(t2, env2.id, { notifications: [{ type: 'webhook', url: 'https://receiver.example.com/b' }, { type: 'webhook', url: 'https://receiver.example.com/c' }] });
    expect(replaced.status).toBe(200);
    const body = await read(replaced);
    expect(body.notifications.map((n: { id: string; secret?: string }) => [n.id, !!n.secret])).toEqual([['t1', true], ['t2', true]]);
    expect(body.spec.notifications.map((n: { url: string }) => n.url)).toEqual(['https://receiver.example.com/…', 'https://receiver.example.com/…']);
    const again = await read(t2.app.request(`/environments/${env2.id}`));
    expect(again.notifications.every((n: { secret?: string }) => n.secret === undefined)).toBe(true);
  });
});
