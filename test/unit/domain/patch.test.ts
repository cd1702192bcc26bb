import { describe, expect, it } from 'vitest';
import { patchSpec, recordOnly, specHash } from '../../../api/domain/update/patch.js';
import type { NormalisedSpec } from '../../../api/domain/spec.js';
import { body, tpuPool } from '../../support/fixtures.js';
import { MODEL, specOf } from '../plan/support.js';

const current = (): NormalisedSpec => specOf(body({ labels: { team: 'ml' }, saxml: { models: [MODEL] } }));

function patched(patch: unknown, from = current()) {
  const result = patchSpec(from, patch);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result;
}
function refused(patch: unknown, from = current()) {
  const result = patchSpec(from, patch);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.changed)}`);
  return result.errors;
}

describe('PATCH: a JSON merge patch (RFC 7396) of the stored spec', () => {
  it('merges objects, removes a member given as null, replaces arrays whole, and fills defaults of what it adds', () => {
    const { spec, changed } = patched({
      labels: { team: null, cost: 'research' },
      cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-b' })] },
    });
    expect(spec.labels).toEqual({ cost: 'research' });
    expect(spec.cluster.tpuNodePools.map((p) => p.name)).toEqual(['tpu-v5e-4', 'tpu-b']);
    // The new pool is normalised as a create would: its defaults are filled in.
    expect(spec.cluster.tpuNodePools[1]).toMatchObject({ spot: false, autoscaling: false, diskSizeGb: 200 });
    // Untouched parts stay as they were (the default CPU pools, the zones the create derived).
    expect(spec.cluster.cpuNodePools).toEqual(current().cluster.cpuNodePools);
    expect(spec.zones).toEqual(['us-west1-c']);
    expect(changed).toEqual(['labels.team', 'labels.cost', 'cluster.tpuNodePools[1]']);
  });

  it('says which paths changed, arrays by index, as the spec.updated event lists them', () => {
    const two = current();
    const { changed } = patched({ saxml: { models: [MODEL, { ...MODEL, id: 'gemma', checkpoint: 'gs://ckpt/gemma' }] } }, two);
    expect(changed).toEqual(['saxml.models[1]']);
    const { changed: replicas } = patched({ saxml: { models: [{ ...MODEL, checkpoint: 'gs://ckpt/llama-7b/checkpoint_00000001' }] } });
    expect(replicas).toEqual(['saxml.models[0].checkpoint']);
  });

  it('a patch that changes nothing changes nothing', () => {
    expect(patched({}).changed).toEqual([]);
    expect(patched({ labels: { team: 'ml' }, region: 'us-west1' }).changed).toEqual([]);
  });

  it('refuses what is not a JSON object', () => {
    expect(refused([{ op: 'replace' }])).toEqual([{ path: '$', message: 'a JSON merge patch of the spec must be a JSON object' }]);
    expect(refused('x')[0]!.path).toBe('$');
  });

  it('refuses every immutable field changed, one entry each, naming it and what it is', () => {
    const errors = refused({
      name: 'other', cluster: { name: 'my-cluster', tpuNodePools: [tpuPool()] },
      network: { subnetCidr: '10.200.0.0/20' }, perf: { datasetLocation: 'EU' }, saxml: { namespace: 'sax2' },
    });
    expect(errors.map((e) => e.path)).toEqual(['$.name', '$.network.subnetCidr', '$.cluster.name', '$.perf.datasetLocation', '$.saxml.namespace']);
    expect(errors[0]!.message).toBe('cannot be changed once the environment exists (it is "demo")');
    expect(errors[1]!.message).toContain('"10.129.0.0/20"');
  });

  it('names the immutable field first when the change also breaks other rules (a region its zones are not in)', () => {
    const errors = refused({ region: 'us-east1' });
    expect(errors[0]).toEqual({ path: '$.region', message: 'cannot be changed once the environment exists (it is "us-west1")' });
    expect(errors.slice(1).map((e) => e.path)).toContain('$.zones[0]');
  });

  it('CPU pools: node counts change; other fields, new pools and removed pools are refused', () => {
    const from = current();
    const pools = from.cluster.cpuNodePools;
    const ok = patched({ cluster: { tpuNodePools: [tpuPool()], cpuNodePools: pools.map((p, i) => (i === 1 ? { ...p, minNodeCount: 2, maxNodeCount: 6 } : p)) } }, from);
    expect(ok.changed).toEqual(['cluster.cpuNodePools[1].minNodeCount', 'cluster.cpuNodePools[1].maxNodeCount']);

    const errors = refused({
      cluster: {
        tpuNodePools: [tpuPool()],
        cpuNodePools: [{ ...pools[0], machineType: 'n2-standard-8' }, pools[1], pools[2], { name: 'extra', machineType: 'e2-standard-4' }],
      },
    }, from);
    expect(errors).toEqual([
      { path: '$.cluster.cpuNodePools[0].machineType', message: 'only a CPU node pool\'s minNodeCount and maxNodeCount can change (it is "n1-standard-8")' },
      { path: '$.cluster.cpuNodePools[3].name', message: 'CPU node pools cannot be added (only their node counts change); "extra" is new' },
      { path: '$.cluster.cpuNodePools[3]', message: 'CPU node pools cannot be removed (only their node counts change); "saxml-proxy-node-pool" is missing' },
    ]);
  });

  it('a TPU pool a model uses cannot be removed (422 naming the model’s pool)', () => {
    const errors = refused({ cluster: { tpuNodePools: [tpuPool({ name: 'tpu-b' })] } });
    expect(errors).toEqual([{ path: '$.saxml.models[0].tpuPool', message: 'no TPU node pool named "tpu-v5e-4"; pools: tpu-b' }]);
  });

  it('keeps the GKE node pool name the service chose; refuses one the client picks', () => {
    const from = patchedSpec({ cluster: { tpuNodePools: [tpuPool({ spot: true, nodePoolName: 'tpu-v5e-4-r' })] } });
    const { spec, changed } = patched({ cluster: { tpuNodePools: [tpuPool({ spot: true, diskSizeGb: 100 })] } }, from);
    expect(spec.cluster.tpuNodePools[0]!.nodePoolName).toBe('tpu-v5e-4-r');
    expect(changed).toEqual(['cluster.tpuNodePools[0].diskSizeGb']);
    expect(refused({ cluster: { tpuNodePools: [tpuPool({ spot: true, nodePoolName: 'mine' })] } }, from)).toEqual([
      { path: '$.cluster.tpuNodePools[0].nodePoolName', message: 'is chosen by the service when it replaces the pool (it is "tpu-v5e-4-r")' },
    ]);
  });

  it('notification targets: kept as stored when the patch leaves them out, validated anew when it replaces them', () => {
    const stored: NormalisedSpec = { ...current(), notifications: [{ type: 'slack', url: 'https://hooks.slack.com/…', events: ['environment.*'] }] };
    const kept = patched({ deletionProtection: true }, stored);
    expect(kept.spec.notifications).toEqual(stored.notifications);
    expect(kept.changed).toEqual(['deletionProtection']);
    const replaced = patched({ notifications: [{ type: 'webhook', url: 'https://example.com/hook' }] }, stored);
    expect(replaced.spec.notifications).toEqual([{ type: 'webhook', url: 'https://example.com/hook', events: expect.any(Array) }]);
    expect(replaced.changed).toEqual(['notifications']);
    expect(refused({ notifications: [{ type: 'pager', url: 'x' }] }, stored)[0]!.path).toMatch(/^\$\.notifications\[0\]/);
  });

  it('deletion protection and notification targets need no Google call; anything else does', () => {
    expect(recordOnly(['deletionProtection', 'notifications'])).toBe(true);
    expect(recordOnly(['deletionProtection', 'labels.team'])).toBe(false);
  });

  it('the spec hash names a spec: stable under key order, different for another spec', () => {
    const a = current();
    const reverse = (v: unknown): unknown => (Array.isArray(v) ? v.map(reverse)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v);
    const reordered = reverse(a) as NormalisedSpec;
    expect(Object.keys(reordered)[0]).not.toBe(Object.keys(a)[0]);
    expect(specHash(reordered)).toBe(specHash(a));
    expect(specHash(a)).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(specHash(patched({ labels: { team: 'other' } }).spec)).not.toBe(specHash(a));
  });
});

/** A stored spec with a pool the service gave another GKE name (as a replacing PATCH does). */
function patchedSpec(patch: unknown): NormalisedSpec {
  const spec = current();
  const pools = (patch as { cluster: { tpuNodePools: Record<string, unknown>[] } }).cluster.tpuNodePools;
  const defaults = { spot: false, autoscaling: false, diskSizeGb: 200 };
  return { ...spec, cluster: { ...spec.cluster, tpuNodePools: pools.map((p) => ({ ...defaults, ...p }) as NormalisedSpec['cluster']['tpuNodePools'][number]) } };
}
