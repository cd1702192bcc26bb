import { describe, expect, it } from 'vitest';
import { buildPlan, planSizeProblem } from '../../api/domain/plan/index.js';
import { SPEC_LIMITS, type NormalisedSpec } from '../../api/domain/spec.js';
import type { EnvironmentStore } from '../../api/store/port.js';
import { buildTestApp, json } from '../support/app.js';
import { environmentOf, problemOf } from '../support/bodies.js';
import { body, tpuPool } from '../support/fixtures.js';
import { options, specOf } from '../unit/plan/support.js';

/** Bounded work per request (review findings 7, 10, 13, 15, 16). */

const many = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
const cpuPool = (i: number) => ({ name: `cpu-${i}`, machineType: 'e2-standard-4' });

describe('spec lists have upper bounds', () => {
  const { app } = buildTestApp();
  const preview = (b: unknown) => app.request('/environments?validateOnly=true', json(b));

  it.each([
    ['$.cluster.tpuNodePools', body({ cluster: { tpuNodePools: many(SPEC_LIMITS.tpuNodePools + 1, (i) => tpuPool({ name: `tpu-${i}` })) } })],
    ['$.cluster.cpuNodePools', body({ cluster: { tpuNodePools: [tpuPool()], cpuNodePools: many(SPEC_LIMITS.cpuNodePools + 1, cpuPool) } })],
    ['$.cluster.cpuNodePools[0].taints', body({ cluster: { tpuNodePools: [tpuPool()], cpuNodePools: [{ ...cpuPool(0), taints: many(SPEC_LIMITS.taints + 1, (i) => ({ key: `k${i}`, value: 'v', effect: 'NO_SCHEDULE' })) }] } })],
    ['$.cluster.cpuNodePools[0].labels', body({ cluster: { tpuNodePools: [tpuPool()], cpuNodePools: [{ ...cpuPool(0), labels: Object.fromEntries(many(SPEC_LIMITS.nodeLabels + 1, (i) => [`k${i}`, 'v'])) }] } })],
    ['$.zones', body({ zones: ['us-west1-a', 'us-west1-b', 'us-west1-c', 'us-west1-d', 'us-west1-e'] })],
    ['$.labels', body({ labels: Object.fromEntries(many(SPEC_LIMITS.labels + 1, (i) => [`k${i}`, 'v'])) })],
    ['$.saxml.models', body({ saxml: { models: many(SPEC_LIMITS.models + 1, (i) => ({ id: `m${i}`, modelPath: 'a.b', checkpoint: 'gs://b/c', tpuPool: 'tpu-v5e-4' })) } })],
    ['$.bootstrap.additionalServices', body({ bootstrap: { additionalServices: many(SPEC_LIMITS.additionalServices + 1, (i) => `s${i}.googleapis.com`) } })],
    ['$.bootstrap.additionalRoles', body({ bootstrap: { additionalRoles: many(SPEC_LIMITS.additionalRoles + 1, (i) => `roles/r${i}`) } })],
  ])('%s', async (path, b) => {
    const res = await preview(b);
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toContain(path);
  });

  it('accepts every list at its limit, and the plan stays within its bound', async () => {
    const b = body({
      labels: Object.fromEntries(many(SPEC_LIMITS.labels, (i) => [`label-${i}`, 'v'.repeat(63)])),
      cluster: {
        tpuNodePools: many(SPEC_LIMITS.tpuNodePools, (i) => tpuPool({ name: `tpu-${i}` })),
        cpuNodePools: many(SPEC_LIMITS.cpuNodePools, (i) => ({ ...cpuPool(i), taints: many(SPEC_LIMITS.taints, (t) => ({ key: `k${t}`, value: 'v', effect: 'NO_SCHEDULE' })) })),
      },
      bootstrap: {
        additionalServices: many(SPEC_LIMITS.additionalServices, (i) => `service-${i}.googleapis.com`),
        additionalRoles: many(SPEC_LIMITS.additionalRoles, (i) => `roles/custom.r${i}`),
      },
    });
    expect((await preview(b)).status).toBe(200);
  });

  it('refuses a spec whose plan would be too large to run (the bound behind the limits)', () => {
    // Past the limits (validation bypassed): the plan's own bound still holds.
    const huge = { ...specOf(), cluster: { ...specOf().cluster, tpuNodePools: many(300, (i) => ({ ...specOf().cluster.tpuNodePools[0]!, name: `tpu-${i}` })) } } as NormalisedSpec;
    expect(planSizeProblem(buildPlan(huge, options()))).toMatch(/plan of \d+ KB, more than the 256 KB/);
    expect(planSizeProblem(buildPlan(specOf(), options()))).toBeUndefined();
  });

  it('refuses __proto__ keys instead of dropping them', async () => {
    const spec = JSON.stringify(body()).replace('{', '{"labels":{"__proto__":"x","team":"a"},');
    const res = await app.request('/environments?validateOnly=true', { method: 'POST', headers: { 'content-type': 'application/json' }, body: spec });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual(['$.labels.__proto__']);
  });

  it('answers at most 50 field errors, however many there are', async () => {
    const b = body(Object.fromEntries(many(3000, (i) => [`u${i}`, 0])));
    const res = await preview(b);
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.errors).toHaveLength(50);
    expect(problem.detail).toMatch(/and 2950 more$/);
    expect(JSON.stringify(problem).length).toBeLessThan(20_000);
  });
});

describe('label filters', () => {
  const { app } = buildTestApp();
  const list = (query: string) => app.request(`/environments?${query}`);

  it('are limited in number', async () => {
    expect((await list(many(16, (i) => `label=k${i}:v`).join('&'))).status).toBe(200);
    const res = await list(many(17, (i) => `label=k${i}:v`).join('&'));
    expect(res.status).toBe(400);
    expect((await problemOf(res)).detail).toContain('at most 16 label filters');
    expect((await list(many(1200, (i) => `label=k${i}:v`).join('&'))).status).toBe(400);
  });

  it.each(['__proto__:x', 'constructor.prototype:x', 'Team:x', 'team:X', 'team:a:b', 'team:a&label=team:b'])('refuse %s', async (filter) => {
    const res = await list(`label=${filter}`);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('INVALID_ARGUMENT');
  });
});

describe('idempotency keys cannot wedge', () => {
  it('a request that never finished frees its key after the lease, not after 24 h', async () => {
    let time = Date.parse('2026-12-01T00:00:00Z');
    const { app, store } = buildTestApp({ now: () => new Date(time) });
    // The first request dies while recording the environment: its reservation is never completed.
    const create = store.create.bind(store);
    let crash = true;
    (store as EnvironmentStore).create = (record, events) => (crash ? new Promise(() => undefined) : create(record, events));
    const send = () => app.request('/environments', json(body(), { 'idempotency-key': 'create-demo-1' }));
    void send();
    await new Promise((resolve) => setImmediate(resolve));
    crash = false;
    const early = await send();
    expect([early.status, (await problemOf(early)).code]).toEqual([409, 'IDEMPOTENCY_KEY_IN_FLIGHT']);
    time += 61_000;
    const later = await send();
    expect(later.status).toBe(202);
    const replay = await send();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await environmentOf(replay)).id).toBe((await environmentOf(later)).id);
  });
});
