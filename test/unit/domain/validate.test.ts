import { describe, expect, it } from 'vitest';
import { EnvironmentSpecSchema } from '../../../api/domain/spec.js';
import { jsonPath, zodFieldErrors } from '../../../api/domain/field-errors.js';
import { checkSpec, cidrsOverlap, parseSpec } from '../../../api/domain/validate.js';
import { body, bodyWithCluster, cpuPool, errorsOf, parseErrors, parseOk, specOf, tpuPool, type Body } from './support.js';

const model = (overrides: Body = {}): Body => ({
  id: 'llama7b',
  modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e',
  checkpoint: 'gs://models/llama7b/checkpoint_00000000',
  tpuPool: 'tpu-v5e-4',
  ...overrides,
});
const EXISTING = { network: 'shared-vpc', subnet: 'shared-subnet', podsRangeName: 'gke-pods', servicesRangeName: 'gke-services' };

describe('jsonPath', () => {
  it.each([
    [[], '$'],
    [['name'], '$.name'],
    [['cluster', 'tpuNodePools', 0, 'tpuType'], '$.cluster.tpuNodePools[0].tpuType'],
    [['saxml', 'models', 12, 'id'], '$.saxml.models[12].id'],
    [['labels', 'team-name'], '$.labels["team-name"]'],
    [['labels', 'a.b'], '$.labels["a.b"]'],
    [['labels', 'say "hi"'], '$.labels["say \\"hi\\""]'],
    [['labels', '0abc'], '$.labels["0abc"]'],
    [['labels', '_x1'], '$.labels._x1'],
    [['labels', ''], '$.labels[""]'],
  ] as [PropertyKey[], string][])('%j → %s', (path, expected) => {
    expect(jsonPath(path)).toBe(expected);
  });
});

describe('unknown fields', () => {
  it.each([
    ['$.bogus', body({ bogus: 1 })],
    ['$.cluster.nodePools', bodyWithCluster({ nodePools: [] })],
    ['$.cluster.tpuNodePools[0].acceleratorType', bodyWithCluster({ tpuNodePools: [tpuPool({ acceleratorType: 'x' })] })],
    ['$.cluster.cpuNodePools[0].taints[0].operator', bodyWithCluster({ cpuNodePools: [cpuPool({ taints: [{ key: 'k', value: 'v', effect: 'NO_SCHEDULE', operator: 'Equal' }] })] })],
    ['$.network.existing.project', body({ network: { existing: { ...EXISTING, project: 'p' } } })],
    ['$.saxml.models[0].tpu', body({ saxml: { models: [model({ tpu: 'x' })] } })],
    ['$.saxml.images.proxy', body({ saxml: { images: { proxy: 'x' } } })],
    ['$.perf.topic', body({ perf: { topic: 't' } })],
    ['$["bad key"]', body({ 'bad key': 1 })],
  ])('is refused at its own path %s', (path, b) => {
    expect(parseErrors(b)).toEqual([{ path, message: 'unknown field' }]);
  });

  it('gives one entry per unknown key, even in the same object', () => {
    expect(parseErrors(body({ color: 'red', size: 2 }))).toEqual([
      { path: '$.color', message: 'unknown field' },
      { path: '$.size', message: 'unknown field' },
    ]);
  });

  it('zodFieldErrors maps a record-key failure to the key path with the schema message', () => {
    const parsed = EnvironmentSpecSchema.safeParse(body({ labels: { Owner: 'x' } }));
    expect(parsed.success).toBe(false);
    expect(zodFieldErrors(parsed.error!)).toEqual([{ path: '$.labels.Owner', message: expect.stringContaining('label keys:') }]);
  });
});

describe('schema errors', () => {
  it('lists every schema violation at once, each at its path', () => {
    const errors = parseErrors(body({
      region: 'US-West1',
      deletionProtection: 'yes',
      cluster: { tpuNodePools: [tpuPool({ zones: ['west'] })], releaseChannel: 'FAST' },
    }));
    expect(errors.map((e) => e.path).sort()).toEqual([
      '$.cluster.releaseChannel',
      '$.cluster.tpuNodePools[0].zones[0]',
      '$.deletionProtection',
      '$.region',
    ]);
  });

  it.each([
    ['10.0.0.0', 'no prefix length', 'must be an IPv4 CIDR like 10.0.0.0/20'],
    ['10.0.0/20', 'three octets', 'must be an IPv4 CIDR like 10.0.0.0/20'],
    ['10.0.0.0/20 ', 'trailing space', 'must be an IPv4 CIDR like 10.0.0.0/20'],
    ['10.0.0.256/20', 'octet over 255', 'must be a valid IPv4 CIDR'],
    ['10.0.0.0/33', 'prefix over 32', 'must be a valid IPv4 CIDR'],
  ])('refuses the CIDR %j (%s) with one entry at its path', (podsCidr, _label, message) => {
    // A malformed CIDR used to crash the refine (TypeError → 500) instead of giving a 422 entry.
    expect(parseErrors(body({ network: { podsCidr } }))).toEqual([{ path: '$.network.podsCidr', message }]);
  });

  it('refuses a non-body', () => {
    for (const b of [null, 'demo', 42, []]) expect(parseErrors(b)).toEqual([{ path: '$', message: expect.any(String) }]);
  });
});

describe('zones must be in the region', () => {
  it.each([
    ['$.zones[1]', body({ zones: ['us-west1-a', 'us-east1-b'] })],
    ['$.cluster.cpuNodePools[0].zones[0]', bodyWithCluster({ cpuNodePools: [cpuPool({ zones: ['europe-west4-a'] })] })],
    ['$.cluster.tpuNodePools[0].zones[0]', bodyWithCluster({ tpuNodePools: [tpuPool({ zones: ['us-central1-a'] })] })],
    // A prefix trap: us-west10 is not us-west1.
    ['$.zones[0]', body({ zones: ['us-west10-a'] })],
  ])('refuses a zone outside us-west1 at %s', (path, b) => {
    const errors = parseErrors(b);
    expect(errors).toEqual([{ path, message: expect.stringMatching(/^zone [a-z0-9-]+ is not in region us-west1$/) }]);
  });

  it('gives one entry per zone outside the region', () => {
    const errors = parseErrors(body({ zones: ['us-east1-a', 'us-west1-a', 'us-east1-b'] }));
    expect(errors.map((e) => e.path)).toEqual(['$.zones[0]', '$.zones[2]']);
  });

  it('accepts every zone of the region', () => {
    parseOk(bodyWithCluster({ cpuNodePools: [cpuPool({ zones: ['us-west1-a', 'us-west1-b'] })] }, { zones: ['us-west1-c'] }));
  });
});

describe('regions and zones are Google\'s (Compute Engine regions and zones)', () => {
  it('refuses a region Google does not have, once, at $.region', () => {
    const errors = parseErrors(body({ region: 'us-west9', zones: ['us-west9-z'], cluster: { tpuNodePools: [tpuPool({ zones: ['us-west9-z'] })] } }));
    expect(errors).toEqual([{ path: '$.region', message: 'us-west9 is not a Google Cloud region' }]);
  });

  it('refuses a zone the region does not have, naming its zones', () => {
    expect(parseErrors(body({ zones: ['us-west1-z'] }))).toEqual([
      { path: '$.zones[0]', message: 'us-west1 has no zone us-west1-z; its zones are us-west1-a, us-west1-b, us-west1-c' },
    ]);
    expect(parseErrors(bodyWithCluster({ cpuNodePools: [cpuPool({ zones: ['us-west1-d'] })] })).map((e) => e.path)).toEqual(['$.cluster.cpuNodePools[0].zones[0]']);
  });

  it('accepts regions whose zone letters are not a, b, c', () => {
    parseOk(body({ region: 'us-central1', zones: ['us-central1-f'], cluster: { tpuNodePools: [tpuPool({ zones: ['us-central1-a'] })] } }));
  });
});

describe('CPU pool boot disks: the machine series must support the disk type', () => {
  it('defaults to pd-balanced, which the common series accept', () => {
    expect(parseOk(bodyWithCluster({ cpuNodePools: [cpuPool({ machineType: 'c3-standard-8' })] })).cluster.cpuNodePools[0]!.diskType).toBe('pd-balanced');
  });

  it('refuses pd-standard on a series that does not support it, naming what it supports', () => {
    expect(parseErrors(bodyWithCluster({ cpuNodePools: [cpuPool({ machineType: 'c3-standard-8', diskType: 'pd-standard' })] }))).toEqual([
      { path: '$.cluster.cpuNodePools[0].diskType', message: 'c3 machines do not support pd-standard; use pd-balanced or pd-ssd' },
    ]);
    parseOk(bodyWithCluster({ cpuNodePools: [cpuPool({ machineType: 'n2-standard-8', diskType: 'pd-standard' })] }));
  });

  it('refuses a Hyperdisk-only series at its machine type', () => {
    expect(parseErrors(bodyWithCluster({ cpuNodePools: [cpuPool({ machineType: 'n4-standard-8' })] }))).toEqual([
      { path: '$.cluster.cpuNodePools[0].machineType', message: expect.stringMatching(/^n4 machines boot only from Hyperdisk/) },
    ]);
  });
});

describe('models must name an existing TPU pool', () => {
  it('accepts a model on a pool of the spec', () => {
    expect(parseOk(body({ saxml: { models: [model()] } })).saxml.models[0]!.tpuPool).toBe('tpu-v5e-4');
  });

  it('refuses a model on an unknown pool, at its tpuPool, listing the pools', () => {
    expect(parseErrors(body({ saxml: { models: [model(), model({ id: 'gemma', tpuPool: 'tpu-v4-8' })] } }))).toEqual([
      { path: '$.saxml.models[1].tpuPool', message: 'no TPU node pool named "tpu-v4-8"; pools: tpu-v5e-4' },
    ]);
  });

  it('refuses a model on a CPU pool (only TPU pools serve models)', () => {
    expect(parseErrors(body({ saxml: { models: [model({ tpuPool: 'default-node-pool' })] } })).map((e) => e.path)).toEqual(['$.saxml.models[0].tpuPool']);
  });

  it('refuses a model id used twice, at the second one', () => {
    expect(parseErrors(body({ saxml: { models: [model(), model()] } }))).toEqual([
      { path: '$.saxml.models[1].id', message: 'model id "llama7b" is used twice' },
    ]);
  });
});

describe('node pool names are unique across CPU and TPU pools', () => {
  it.each([
    ['two CPU pools', { cpuNodePools: [cpuPool({ name: 'p1' }), cpuPool({ name: 'p1' })] }, '$.cluster.cpuNodePools[1].name', '$.cluster.cpuNodePools[0].name'],
    ['two TPU pools', { tpuNodePools: [tpuPool({ name: 't1' }), tpuPool({ name: 't1' })] }, '$.cluster.tpuNodePools[1].name', '$.cluster.tpuNodePools[0].name'],
    ['a CPU and a TPU pool', { tpuNodePools: [tpuPool({ name: 'default-node-pool' })] }, '$.cluster.tpuNodePools[0].name', '$.cluster.cpuNodePools[1].name'],
  ])('refuses %s with the same name, naming where it is already used', (_label, cluster, path, firstUse) => {
    expect(parseErrors(bodyWithCluster(cluster))).toEqual([{ path, message: expect.stringContaining(`is already used at ${firstUse}`) }]);
  });

  it('gives one entry per repeated use', () => {
    const errors = parseErrors(bodyWithCluster({ cpuNodePools: [cpuPool({ name: 'p' }), cpuPool({ name: 'p' }), cpuPool({ name: 'p' })] }));
    expect(errors.map((e) => e.path)).toEqual(['$.cluster.cpuNodePools[1].name', '$.cluster.cpuNodePools[2].name']);
  });
});

describe('node counts', () => {
  it('refuses minNodeCount > maxNodeCount at minNodeCount', () => {
    expect(parseErrors(bodyWithCluster({ cpuNodePools: [cpuPool({ minNodeCount: 4, maxNodeCount: 3 })] }))).toEqual([
      { path: '$.cluster.cpuNodePools[0].minNodeCount', message: 'minNodeCount 4 exceeds maxNodeCount 3' },
    ]);
  });

  it('refuses a default max below a given min (defaults count too)', () => {
    expect(parseErrors(bodyWithCluster({ cpuNodePools: [cpuPool({ minNodeCount: 2 })] })).map((e) => e.path)).toEqual([
      '$.cluster.cpuNodePools[0].minNodeCount',
    ]);
  });

  it.each([[0, 0], [3, 3], [0, 1000]])('accepts min %i, max %i', (minNodeCount, maxNodeCount) => {
    parseOk(bodyWithCluster({ cpuNodePools: [cpuPool({ minNodeCount, maxNodeCount })] }));
  });
});

describe('CIDRs', () => {
  it.each([
    ['10.0.0.0/20', '10.0.0.0/20', true],
    ['10.0.0.0/8', '10.129.0.0/20', true],
    ['10.129.0.0/20', '10.0.0.0/8', true],
    ['10.0.0.0/20', '10.0.16.0/20', false],
    ['10.0.15.255/32', '10.0.0.0/20', true],
    ['10.0.16.0/32', '10.0.0.0/20', false],
    ['192.168.64.0/20', '192.168.80.0/20', false],
    ['192.168.64.0/19', '192.168.80.0/20', true],
    ['10.129.0.0/20', '192.168.64.0/20', false],
    // Host bits are masked: 10.129.5.0/20 is 10.129.0.0/20.
    ['10.129.5.0/20', '10.129.0.0/24', true],
    ['0.0.0.0/0', '255.255.255.255/32', true],
    ['255.255.255.255/32', '255.255.255.254/32', false],
  ])('cidrsOverlap(%s, %s) is %s', (a, b, expected) => {
    expect(cidrsOverlap(a, b)).toBe(expected);
    expect(cidrsOverlap(b, a)).toBe(expected);
  });

  it('the guide defaults do not overlap', () => {
    parseOk(body());
  });

  it.each([
    ['pods inside the subnet', { podsCidr: '10.129.8.0/24' }, [['$.network.podsCidr', '10.129.8.0/24 overlaps network.subnetCidr 10.129.0.0/20']]],
    ['services inside the subnet', { servicesCidr: '10.129.0.0/24' }, [['$.network.servicesCidr', '10.129.0.0/24 overlaps network.subnetCidr 10.129.0.0/20']]],
    ['services inside pods', { podsCidr: '192.168.0.0/16' }, [['$.network.servicesCidr', '192.168.80.0/20 overlaps network.podsCidr 192.168.0.0/16']]],
    ['all three the same', { subnetCidr: '10.0.0.0/16', podsCidr: '10.0.0.0/16', servicesCidr: '10.0.0.0/16' }, [
      ['$.network.podsCidr', '10.0.0.0/16 overlaps network.subnetCidr 10.0.0.0/16'],
      ['$.network.servicesCidr', '10.0.0.0/16 overlaps network.subnetCidr 10.0.0.0/16'],
      ['$.network.servicesCidr', '10.0.0.0/16 overlaps network.podsCidr 10.0.0.0/16'],
    ]],
  ])('refuses %s, one entry per overlapping pair', (_label, network, expected) => {
    expect(parseErrors(body({ network })).map((e) => [e.path, e.message])).toEqual(expected);
  });
});

describe('an existing network excludes the creation fields', () => {
  it('accepts an existing network on its own', () => {
    expect(parseOk(body({ network: { existing: EXISTING } })).network.existing).toEqual(EXISTING);
  });

  it.each([
    ['$.network.name', { name: 'new-vpc' }],
    ['$.network.subnetName', { subnetName: 'new-subnet' }],
    ['$.network.nat', { nat: true }],
    ['$.network.subnetCidr', { subnetCidr: '10.10.0.0/20' }],
    ['$.network.podsCidr', { podsCidr: '10.20.0.0/14' }],
    ['$.network.servicesCidr', { servicesCidr: '10.30.0.0/20' }],
  ])('refuses %s together with network.existing', (path, network) => {
    expect(parseErrors(body({ network: { existing: EXISTING, ...network } }))).toEqual([{ path, message: expect.stringContaining('existing') }]);
  });

  it('gives one entry per creation field, and no overlap errors for ranges it will not create', () => {
    const errors = parseErrors(body({
      network: { existing: EXISTING, name: 'n', subnetName: 's', nat: true, subnetCidr: '10.0.0.0/16', podsCidr: '10.0.0.0/16', servicesCidr: '10.0.0.0/16' },
    }));
    expect(errors.map((e) => e.path)).toEqual([
      '$.network.name', '$.network.subnetName', '$.network.nat', '$.network.subnetCidr', '$.network.podsCidr', '$.network.servicesCidr',
    ]);
    expect(errors.some((e) => e.message.includes('overlaps'))).toBe(false);
  });
});

describe('TPU reservations', () => {
  const withReservation = (reservation: Body) => bodyWithCluster({ tpuNodePools: [tpuPool({ reservation })] });

  it.each([
    ['no key', { consumeReservationType: 'SPECIFIC_RESERVATION', values: ['r1'] }],
    ['no values', { consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name' }],
    ['empty values', { consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: [] }],
    ['empty key', { consumeReservationType: 'SPECIFIC_RESERVATION', key: '', values: ['r1'] }],
  ])('refuses SPECIFIC_RESERVATION with %s, at the reservation', (_label, reservation) => {
    expect(parseErrors(withReservation(reservation))).toEqual([
      { path: '$.cluster.tpuNodePools[0].reservation', message: 'SPECIFIC_RESERVATION needs key and values' },
    ]);
  });

  it.each([
    { consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['r1'] },
    { consumeReservationType: 'ANY_RESERVATION' },
    { consumeReservationType: 'NO_RESERVATION' },
  ])('accepts %j', (reservation) => {
    expect(parseOk(withReservation(reservation)).cluster.tpuNodePools[0]!.reservation).toEqual(reservation);
  });

  it('refuses an unknown reservation type at its path', () => {
    expect(parseErrors(withReservation({ consumeReservationType: 'SOME' })).map((e) => e.path)).toEqual([
      '$.cluster.tpuNodePools[0].reservation.consumeReservationType',
    ]);
  });
});

describe('service accounts', () => {
  it('refuses the same id for the node-pool and workload accounts', () => {
    expect(parseErrors(body({ serviceAccounts: { nodePool: { accountId: 'shared-sa' }, workload: { accountId: 'shared-sa' } } }))).toEqual([
      { path: '$.serviceAccounts.workload.accountId', message: 'must differ from serviceAccounts.nodePool.accountId' },
    ]);
  });
});

describe('one entry per violation', () => {
  it('reports every cross-field violation of one spec together', () => {
    const errors = parseErrors(body({
      zones: ['us-east1-b'],
      network: { podsCidr: '10.129.0.0/24' },
      cluster: {
        cpuNodePools: [cpuPool({ name: 'dup', minNodeCount: 5, maxNodeCount: 2 })],
        tpuNodePools: [
          tpuPool({ name: 'dup', zones: ['us-east1-c'] }),
          tpuPool({ name: 'big', tpuType: 'v5litepod-16', reservation: { consumeReservationType: 'SPECIFIC_RESERVATION' } }),
        ],
      },
      saxml: { models: [model({ tpuPool: 'missing' })] },
    }));
    expect(errors.map((e) => e.path)).toEqual([
      '$.zones[0]',
      '$.cluster.cpuNodePools[0].minNodeCount',
      '$.cluster.tpuNodePools[0].zones[0]',
      '$.cluster.tpuNodePools[0].name',
      '$.cluster.tpuNodePools[1].tpuType',
      '$.cluster.tpuNodePools[1].reservation',
      '$.saxml.models[0].tpuPool',
      '$.network.podsCidr',
    ]);
  });
});

describe('checkSpec', () => {
  it('applies the same cross-field rules to a spec the schema already accepted', () => {
    const spec = EnvironmentSpecSchema.parse(body({ zones: ['us-east1-b'] }));
    expect(errorsOf(checkSpec(spec))).toEqual([{ path: '$.zones[0]', message: 'zone us-east1-b is not in region us-west1' }]);
  });

  it('does not change the spec it was given', () => {
    const spec = EnvironmentSpecSchema.parse(body());
    const checked = specOf(checkSpec(spec));
    expect(checked.zones).toEqual(['us-west1-c']);
    expect(spec.zones).toBeUndefined();
  });

  it('parseSpec = schema + checkSpec', () => {
    expect(parseSpec(body())).toEqual(checkSpec(EnvironmentSpecSchema.parse(body())));
  });
});
