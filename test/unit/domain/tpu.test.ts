import { describe, expect, it } from 'vitest';
import { SINGLE_HOST_TPU_TYPES, TPU_TYPES, tpuType, tpuTypeProblem } from '../../../api/domain/tpu.js';
import { bodyWithCluster, parseErrors, parseOk, tpuPool } from './support.js';

// The guide's TPU table (reference saxml-on-gke.md §2.4), written out row by row:
// [tpu_type, accelerator label, topology, machine type, chips per VM, VMs per slice, TPU_CHIP]
const GUIDE_TABLE = [
  ['v5litepod-1', 'tpu-v5-lite-podslice', '1x1', 'ct5lp-hightpu-1t', 1, 1, 'tpuv5e'],
  ['v5litepod-4', 'tpu-v5-lite-podslice', '2x2', 'ct5lp-hightpu-4t', 4, 1, 'tpuv5e'],
  ['v5litepod-8', 'tpu-v5-lite-podslice', '2x4', 'ct5lp-hightpu-8t', 8, 1, 'tpuv5e'],
  ['v5litepod-16', 'tpu-v5-lite-podslice', '4x4', 'ct5lp-hightpu-4t', 4, 4, 'tpuv5e'],
  ['v5litepod-32', 'tpu-v5-lite-podslice', '4x8', 'ct5lp-hightpu-4t', 4, 8, 'tpuv5e'],
  ['v5litepod-64', 'tpu-v5-lite-podslice', '8x8', 'ct5lp-hightpu-4t', 4, 16, 'tpuv5e'],
  ['v5litepod-128', 'tpu-v5-lite-podslice', '8x16', 'ct5lp-hightpu-4t', 4, 32, 'tpuv5e'],
  ['v5litepod-256', 'tpu-v5-lite-podslice', '16x16', 'ct5lp-hightpu-4t', 4, 64, 'tpuv5e'],
  ['v4-8', 'tpu-v4-podslice', '2x2x1', 'ct4p-hightpu-4t', 4, 1, 'tpuv4'],
  ['v4-16', 'tpu-v4-podslice', '2x2x2', 'ct4p-hightpu-4t', 4, 2, 'tpuv4'],
  ['v4-32', 'tpu-v4-podslice', '2x2x4', 'ct4p-hightpu-4t', 4, 4, 'tpuv4'],
  ['v4-64', 'tpu-v4-podslice', '2x4x4', 'ct4p-hightpu-4t', 4, 8, 'tpuv4'],
  ['v4-128', 'tpu-v4-podslice', '4x4x4', 'ct4p-hightpu-4t', 4, 16, 'tpuv4'],
  ['v4-256', 'tpu-v4-podslice', '4x4x8', 'ct4p-hightpu-4t', 4, 32, 'tpuv4'],
  ['v4-512', 'tpu-v4-podslice', '4x8x8', 'ct4p-hightpu-4t', 4, 64, 'tpuv4'],
  ['v4-1024', 'tpu-v4-podslice', '8x8x8', 'ct4p-hightpu-4t', 4, 128, 'tpuv4'],
  ['v4-1536', 'tpu-v4-podslice', '8x8x12', 'ct4p-hightpu-4t', 4, 192, 'tpuv4'],
  ['v4-2048', 'tpu-v4-podslice', '8x8x16', 'ct4p-hightpu-4t', 4, 256, 'tpuv4'],
  ['v4-4096', 'tpu-v4-podslice', '8x16x16', 'ct4p-hightpu-4t', 4, 512, 'tpuv4'],
] as const;

const SINGLE_HOST = ['v5litepod-1', 'v5litepod-4', 'v5litepod-8', 'v4-8'];
const MULTI_HOST = GUIDE_TABLE.filter(([, , , , , hosts]) => hosts > 1);

describe('the TPU table', () => {
  it.each(GUIDE_TABLE)('%s → %s, %s, %s, %i chips/VM, %i VM(s), %s', (name, accelerator, topology, machineType, chipsPerVm, hosts, chip) => {
    expect(tpuType(name)).toEqual({ accelerator, topology, machineType, chipsPerVm, hosts, chip, generation: name.startsWith('v4-') ? 'v4' : 'v5e' });
  });

  it('holds exactly the guide types (no row missing, none invented)', () => {
    expect(Object.keys(TPU_TYPES).sort()).toEqual(GUIDE_TABLE.map(([name]) => name).sort());
  });

  it.each(GUIDE_TABLE)('%s: VMs × chips per VM equals the chips in its topology and its name', (name, _a, topology, _m, chipsPerVm, hosts) => {
    const chipsInTopology = topology.split('x').map(Number).reduce((a, b) => a * b, 1);
    expect(hosts * chipsPerVm).toBe(chipsInTopology);
    // v5e names count chips; v4 names count TensorCores (two per chip).
    const n = Number(name.split('-')[1]);
    expect(chipsInTopology).toBe(name.startsWith('v4-') ? n / 2 : n);
  });

  it('lists the single-host types', () => {
    expect([...SINGLE_HOST_TPU_TYPES].sort()).toEqual([...SINGLE_HOST].sort());
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'V5LITEPOD-4', 'v5litepod-4 ', ''])('does not treat %j as a TPU type', (name) => {
    expect(tpuType(name)).toBeUndefined();
  });
});

describe('tpuTypeProblem', () => {
  it.each(SINGLE_HOST)('accepts the single-host type %s', (name) => {
    expect(tpuTypeProblem(name)).toBeUndefined();
  });

  it.each(MULTI_HOST)('refuses the multi-host type %s, saying why and what to use instead', (name, accelerator, topology, _m, _c, hosts) => {
    const problem = tpuTypeProblem(name);
    expect(problem).toBeDefined();
    expect(problem).toContain(`${name} is a multi-host slice (${hosts} VMs, topology ${topology})`);
    expect(problem).toContain('single host');
    const sameFamily = accelerator === 'tpu-v4-podslice' ? ['v4-8'] : ['v5litepod-1', 'v5litepod-4', 'v5litepod-8'];
    const otherFamily = accelerator === 'tpu-v4-podslice' ? 'v5litepod-4' : 'v4-8';
    expect(problem).toContain(`Use a single-host type instead (${sameFamily.join(', ')})`);
    expect(problem).not.toContain(otherFamily);
  });

  it.each(['v5litepod-2', 'v6e-4', 'tpu-v5-lite-podslice', 'toString', ''])('refuses the unknown type %j, listing the supported ones', (name) => {
    const problem = tpuTypeProblem(name);
    expect(problem).toContain(`unknown TPU type "${name}"`);
    const supported = problem!.split('supported: ')[1]!.split(', ');
    expect(supported.sort()).toEqual([...SINGLE_HOST].sort());
  });
});

describe('TPU types in a spec', () => {
  const withType = (tpuTypeName: string) => bodyWithCluster({ tpuNodePools: [tpuPool({ tpuType: tpuTypeName })] });

  it.each(SINGLE_HOST.filter((n) => n.startsWith('v5')))('accepts a pool of %s (us-west1-c offers v5e)', (name) => {
    expect(parseOk(withType(name)).cluster.tpuNodePools[0]!.tpuType).toBe(name);
  });

  it('accepts v4-8 where v4 is offered (us-central2-b)', () => {
    const spec = parseOk({ ...withType('v4-8'), region: 'us-central2', cluster: { tpuNodePools: [tpuPool({ tpuType: 'v4-8', zones: ['us-central2-b'] })] } });
    expect(spec.cluster.tpuNodePools[0]!.tpuType).toBe('v4-8');
  });

  it('refuses v4-8 in us-west1, naming the regions and zones that offer it (TPU regions and zones)', () => {
    expect(parseErrors(withType('v4-8'))).toEqual([{
      path: '$.cluster.tpuNodePools[0].tpuType',
      message: 'no zone of us-west1 offers TPU v4 (v4-8); it is offered in us-central2 (zones us-central2-b)',
    }]);
  });

  it('refuses a v5e pool in a zone of the region that does not offer it, naming the one that does', () => {
    expect(parseErrors(bodyWithCluster({ tpuNodePools: [tpuPool({ zones: ['us-west1-a'] })] }))).toEqual([{
      path: '$.cluster.tpuNodePools[0].zones',
      message: 'us-west1-a does not offer TPU v5e (v5litepod-4); in us-west1 use us-west1-c',
    }]);
  });

  it.each(['v5litepod-16', 'v4-16', 'v4-4096'])('refuses a pool of %s at its tpuType', (name) => {
    expect(parseErrors(withType(name))).toEqual([
      { path: '$.cluster.tpuNodePools[0].tpuType', message: expect.stringContaining('multi-host') },
    ]);
  });

  it('refuses an unknown type at its tpuType, naming the pool index', () => {
    const errors = parseErrors(bodyWithCluster({
      tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-2', tpuType: 'v9-8' })],
    }));
    expect(errors).toEqual([{ path: '$.cluster.tpuNodePools[1].tpuType', message: expect.stringContaining('unknown TPU type "v9-8"') }]);
  });

  it('gives one entry per pool with a bad type', () => {
    const errors = parseErrors(bodyWithCluster({
      tpuNodePools: [tpuPool({ tpuType: 'v4-32' }), tpuPool({ name: 'tpu-2', tpuType: 'nope' })],
    }));
    expect(errors.map((e) => e.path)).toEqual(['$.cluster.tpuNodePools[0].tpuType', '$.cluster.tpuNodePools[1].tpuType']);
  });

  it('requires exactly one zone per TPU pool (a slice lives in one zone)', () => {
    for (const zones of [[], ['us-west1-a', 'us-west1-b']]) {
      expect(parseErrors(bodyWithCluster({ tpuNodePools: [tpuPool({ zones })] }))).toEqual([
        { path: '$.cluster.tpuNodePools[0].zones', message: 'a TPU slice lives in exactly one zone' },
      ]);
    }
  });
});
