import { describe, expect, it } from 'vitest';
import type { EnvironmentRecord, Operation } from '../../../api/domain/environment.js';
import { buildPlan } from '../../../api/domain/plan/index.js';
import type { NormalisedSpec } from '../../../api/domain/spec.js';
import { nextUpdateBase } from '../../../api/domain/update/base.js';
import { patchSpec } from '../../../api/domain/update/patch.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';
import { MODEL, body, options, specOf, tpuPool } from '../plan/support.js';

// What the next PATCH converges from, after each way the last operation ended.

const TWO_POOLS = specOf(body({ cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-b' })] }, saxml: { models: [MODEL] } }));
const done = (operationId: string) => ({ state: 'SUCCEEDED' as const, operationId, startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-01T00:01:00Z' });

function recordAfter(spec: NormalisedSpec, operation: Operation, progress: Partial<EnvironmentRecord['progress']>): EnvironmentRecord {
  return { ...newEnvironmentRecord({ spec }), state: operation.state === 'SUCCEEDED' ? 'ACTIVE' : 'FAILED', operation, progress: { create: {}, update: {}, delete: {}, ...progress } };
}
const plansOf = (record: EnvironmentRecord) => ({
  current: () => buildPlan(record.spec as NormalisedSpec, options({ kind: record.operation!.target, ...(record.operation!.update && { update: record.operation!.update }) })),
  create: () => buildPlan(record.spec as NormalisedSpec, options()),
});
const op = (target: Operation['target'], state: Operation['state'], extra: Partial<Operation> = {}): Operation =>
  ({ id: 'op-1', kind: target === 'create' ? 'create' : 'update', target, state, startTime: '2026-01-01T00:00:00Z', ...extra });

describe('the base of the next update', () => {
  it('after a create or an update that succeeded: the spec, everything known', () => {
    const record = recordAfter(TWO_POOLS, op('create', 'SUCCEEDED'), {});
    expect(nextUpdateBase(record, plansOf(record))).toEqual({ spec: TWO_POOLS, pending: [], leftovers: [] });
  });

  it('after a failed create: every step it did not finish is pending', () => {
    const record = recordAfter(TWO_POOLS, op('create', 'FAILED'), { create: { 'bootstrap.services.1': done('op-1'), 'base.network': done('op-1') } });
    const base = nextUpdateBase(record, plansOf(record));
    expect(base.pending).not.toContain('bootstrap.services.1');
    expect(base.pending).not.toContain('base.network');
    expect(base.pending).toEqual(expect.arrayContaining(['base.cluster', 'base.tpu-pool.tpu-b', 'saxml.cell']));
  });

  it('after a failed update: its base carries on; what it left unfinished is pending; what it was deleting is left over', () => {
    const patched = patchSpec(TWO_POOLS, { labels: { team: 'ml' }, cluster: { tpuNodePools: [tpuPool()] } });
    if (!patched.ok) throw new Error('refused');
    const update = { spec: TWO_POOLS, pending: ['perf.topic'], leftovers: [] };
    // The bucket labels were set; the cluster's were not; the pool delete never ran.
    const record = recordAfter(patched.spec, op('update', 'FAILED', { update }), {
      update: { 'base.bucket.admin:labels': done('op-1'), 'base.bucket.models:labels': done('op-1') },
    });
    const base = nextUpdateBase(record, plansOf(record));
    expect(base.spec).toBe(patched.spec);
    expect(base.pending).toEqual(expect.arrayContaining(['perf.topic', 'base.cluster']));
    expect(base.pending).not.toContain('base.bucket.admin');
    expect(base.leftovers).toEqual([{ spec: TWO_POOLS, steps: ['base.tpu-pool.tpu-b'] }]);
  });

  it('a leftover whose delete succeeded is dropped', () => {
    const update = { spec: TWO_POOLS, pending: [], leftovers: [{ spec: TWO_POOLS, steps: ['base.tpu-pool.tpu-b'] }] };
    const record = recordAfter(TWO_POOLS, op('update', 'CANCELLED', { update }), { update: { 'base.tpu-pool.tpu-b:leftover': done('op-1') } });
    expect(nextUpdateBase(record, plansOf(record)).leftovers).toEqual([]);
  });
});
