import { describe, expect, it } from 'vitest';
import { limitViolations, resourceNames } from '../../../api/domain/naming.js';
import { parseSpec } from '../../../api/domain/validate.js';
import { body, cpuPool, nameOfLength, parseErrors, parseOk, tpuPool, type Body } from './support.js';

// Every derived Google/Kubernetes name against its real limit. Boundaries are exact: the longest
// value that passes, and one character more that fails, naming the field to change and the limit.

const chars = (n: number, first = 'a') => (first + 'b'.repeat(n)).slice(0, n);

// Overrides that take one derived name after another out of the way, so each later limit can be reached.
const NODE_SA = { serviceAccounts: { nodePool: { accountId: 'node-sa' } } };
const BOTH_SA = { serviceAccounts: { nodePool: { accountId: 'node-sa' }, workload: { accountId: 'wid-sa' } } };
const withCluster = (extra: Body = {}, top: Body = {}) => ({ cluster: { tpuNodePools: [tpuPool()], name: 'ml-cluster', ...extra }, ...BOTH_SA, ...top });
// The bucket names carry the project id (`my-project-1-`, 13 characters): they come early.
const UP_TO_CLUSTER = withCluster();
const UP_TO_MODEL_BUCKET = withCluster({}, { buckets: { modelRepository: 'model-bucket-1' } });
const UP_TO_NETWORK = withCluster({}, { network: { name: 'vpc' }, buckets: { modelRepository: 'model-bucket-1', admin: 'admin-bucket-1' } });
const UP_TO_SUBNET = withCluster({}, { network: { name: 'vpc', subnetName: 'subnet' }, buckets: { modelRepository: 'model-bucket-1', admin: 'admin-bucket-1' } });

describe('project id (6–30 characters, lowercase letter first, no trailing hyphen)', () => {
  it.each([
    ['abcdef', 6],
    [chars(30, 'p'), 30],
    ['my-project-1', 12],
  ])('accepts %s (%i characters)', (project) => {
    expect(parseOk(body({ project })).project).toBe(project);
  });

  it.each([
    ['abcde', 'one character short'],
    [chars(31, 'p'), 'one character long'],
    ['my-project-', 'ends with a hyphen'],
    ['1project', 'starts with a digit'],
    ['My-project', 'has an uppercase letter'],
    ['my_project', 'has an underscore'],
  ])('refuses %s (%s) at $.project, stating the limit', (project) => {
    expect(parseErrors(body({ project }))).toEqual([{ path: '$.project', message: expect.stringContaining('6–30 characters') }]);
  });
});

describe('names derived from `name`', () => {
  // [what, overrides that clear the earlier limits, longest name that passes, derived value, range, field that would override it]
  const CHAIN = [
    ['node-pool service account id', {}, 13, (p: string) => `${p}-gke-node-pool-sa`, '6–30', 'serviceAccounts.nodePool.accountId'],
    ['workload-identity service account id', NODE_SA, 17, (p: string) => `${p}-saxml-wid-sa`, '6–30', 'serviceAccounts.workload.accountId'],
    ['GKE cluster name', BOTH_SA, 22, (p: string) => `${p}-saxml-gke-cluster`, 'at most 40', 'cluster.name'],
    ['model repository bucket name', UP_TO_CLUSTER, 27, (p: string) => `my-project-1-${p}-saxml-model-repository`, '3–63', 'buckets.modelRepository'],
    ['VPC network name', UP_TO_MODEL_BUCKET, 37, (p: string) => `${p}-saxml-gke-cluster-network`, 'at most 63', 'network.name'],
    ['subnet name', UP_TO_NETWORK, 38, (p: string) => `${p}-saxml-gke-cluster-subnet`, 'at most 63', 'network.subnetName'],
    ['Cloud Router name', UP_TO_SUBNET, 46, (p: string) => `${p}-saxml-nat-router`, 'at most 63', undefined],
  ] as const;

  it.each(CHAIN)('%s: the longest name that passes', (_what, overrides, longest) => {
    const name = nameOfLength(longest);
    expect(parseOk(body({ name, ...overrides })).name).toBe(name);
  });

  it.each(CHAIN)('%s: one character more fails at $.name, naming the limit and the fix', (what, overrides, longest, derive, range, overrideField) => {
    const name = nameOfLength(longest + 1);
    const derived = derive(name);
    const errors = parseErrors(body({ name, ...overrides }));
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error!.path).toBe('$.name');
    expect(error!.message).toContain(`${what} "${derived}" is ${derived.length} characters`);
    expect(error!.message).toContain(`Google allows ${range}`);
    expect(error!.message).toContain(`use a name of at most ${longest} characters`);
    if (overrideField) expect(error!.message).toContain(`or set ${overrideField}`);
    else expect(error!.message).not.toContain(' or set ');
  });

  it('the override that a message suggests indeed clears that limit', () => {
    const name = nameOfLength(14);
    expect(parseErrors(body({ name }))[0]!.message).toContain('serviceAccounts.nodePool.accountId');
    expect(parseOk(body({ name, serviceAccounts: { nodePool: { accountId: 'node-sa' } } })).name).toBe(name);
  });

  it('the Artifact Registry id (${name}-serving-images) allows 48 characters of name; its override clears it', () => {
    const at = (n: number, extra: Body = {}) => {
      const overrides = { ...UP_TO_SUBNET, ...extra };
      return parseErrors(body({ name: nameOfLength(n), ...overrides })).map((e) => e.message.split(' "')[0]);
    };
    expect(at(48)).toEqual(['Cloud Router name']);
    expect(at(49)).toEqual(['Cloud Router name', 'Artifact Registry repository id']);
    expect(at(49, { artifactRegistry: { name: 'images' } })).toEqual(['Cloud Router name']);
  });

  it('the admin bucket (<project>-${name}-saxml-admin) allows 38 characters of name with project my-project-1; its override clears it', () => {
    const overrides = { ...UP_TO_MODEL_BUCKET, network: { name: 'vpc', subnetName: 'subnet' } };
    const at = (n: number, buckets: Body = { modelRepository: 'model-bucket-1' }) => {
      const result = parseSpec(body({ name: nameOfLength(n), ...overrides, buckets }));
      return result.ok ? [] : result.errors.map((e) => [e.path, e.message.split(' "')[0]]);
    };
    expect(at(38)).toEqual([]);
    expect(at(39)).toEqual([['$.name', 'Saxml admin bucket name']]);
    expect(at(39, { modelRepository: 'model-bucket-1', admin: 'admin-bucket-1' })).toEqual([]);
  });

  it('gives one entry per name that is too long', () => {
    const errors = parseErrors(body({ name: nameOfLength(23) }));
    expect(errors.map((e) => e.path)).toEqual(['$.name', '$.name', '$.name']);
    expect(errors.map((e) => e.message.split(' "')[0])).toEqual([
      'node-pool service account id', 'workload-identity service account id', 'GKE cluster name',
    ]);
  });

  it('refuses a name over 63 characters in the schema (RFC 1035 label), naming the limit', () => {
    const errors = parseErrors(body({ name: nameOfLength(64) }));
    expect(errors).toEqual([{ path: '$.name', message: expect.stringContaining('63') }]);
  });

  it.each([
    ['Demo', 'uppercase'],
    ['1demo', 'leading digit'],
    ['demo-', 'trailing hyphen'],
    ['de_mo', 'underscore'],
    ['', 'empty'],
  ])('refuses the name %j (%s)', (name) => {
    expect(parseErrors(body({ name })).map((e) => e.path)).toEqual(['$.name']);
  });
});

describe('overrides: the error moves to the override field', () => {
  type Row = readonly [path: string, set: (v: string) => Body, shortest: number, longest: number, limitText: string];
  const saId = (n: number) => chars(n, 's');
  const ROWS: Row[] = [
    ['$.serviceAccounts.nodePool.accountId', (v) => ({ serviceAccounts: { nodePool: { accountId: v } } }), 6, 30, '6–30'],
    ['$.serviceAccounts.workload.accountId', (v) => ({ serviceAccounts: { workload: { accountId: v } } }), 6, 30, '6–30'],
    ['$.bootstrap.automationServiceAccount', (v) => ({ bootstrap: { automationServiceAccount: v } }), 6, 30, '6–30'],
    ['$.cluster.name', (v) => ({ cluster: { tpuNodePools: [tpuPool()], name: v } }), 1, 40, '40'],
    ['$.network.name', (v) => ({ network: { name: v } }), 1, 63, '63'],
    ['$.network.subnetName', (v) => ({ network: { subnetName: v } }), 1, 63, '63'],
    ['$.buckets.admin', (v) => ({ buckets: { admin: v } }), 3, 63, '3–63'],
    ['$.buckets.modelRepository', (v) => ({ buckets: { modelRepository: v } }), 3, 63, '3–63'],
    ['$.bootstrap.automationBucket', (v) => ({ bootstrap: { automationBucket: v } }), 3, 63, '3–63'],
    ['$.artifactRegistry.name', (v) => ({ artifactRegistry: { name: v } }), 1, 63, '63'],
    ['$.saxml.namespace', (v) => ({ saxml: { namespace: v } }), 1, 63, '63'],
    ['$.saxml.serviceAccountName', (v) => ({ saxml: { serviceAccountName: v } }), 1, 63, '63'],
    ['$.cluster.cpuNodePools[0].name', (v) => ({ cluster: { tpuNodePools: [tpuPool()], cpuNodePools: [cpuPool({ name: v })] } }), 1, 40, '40'],
    ['$.cluster.tpuNodePools[0].name', (v) => ({ cluster: { tpuNodePools: [tpuPool({ name: v })] } }), 1, 40, '40'],
    ['$.network.existing.network', (v) => ({ network: { existing: { network: v, subnet: 's', podsRangeName: 'p', servicesRangeName: 'v' } } }), 1, 63, '63'],
  ];

  it.each(ROWS)('%s: the longest and the shortest value pass', (_path, set, shortest, longest) => {
    parseOk(body(set(saId(longest))));
    parseOk(body(set(saId(shortest))));
  });

  it.each(ROWS)('%s: one character more fails there, naming the limit', (path, set, _shortest, longest, limitText) => {
    expect(parseErrors(body(set(saId(longest + 1))))).toEqual([{ path, message: expect.stringContaining(limitText) }]);
  });

  it.each(ROWS.filter(([, , shortest]) => shortest > 1))('%s: one character less than the minimum fails there', (path, set, shortest, _longest, limitText) => {
    expect(parseErrors(body(set(saId(shortest - 1))))).toEqual([{ path, message: expect.stringContaining(limitText) }]);
  });

  it('a too-long name stops failing for a resource once that resource is overridden', () => {
    const name = nameOfLength(20);
    expect(parseErrors(body({ name })).map((e) => e.message.split(' "')[0])).toEqual([
      'node-pool service account id', 'workload-identity service account id',
    ]);
    expect(parseErrors(body({ name, ...NODE_SA })).map((e) => e.message.split(' "')[0])).toEqual(['workload-identity service account id']);
  });

  it('limitViolations points at an override that is itself too long, without suggesting a shorter name', () => {
    const spec = parseOk(body());
    const tooLong = {
      ...spec,
      cluster: { ...spec.cluster, name: chars(41, 'c') },
      serviceAccounts: { nodePool: { accountId: chars(31, 's') }, workload: {} },
    };
    expect(limitViolations(tooLong)).toEqual([
      { path: '$.serviceAccounts.nodePool.accountId', message: `node-pool service account id "${chars(31, 's')}" is 31 characters; Google allows 6–30` },
      { path: '$.cluster.name', message: `GKE cluster name "${chars(41, 'c')}" is 41 characters; Google allows at most 40` },
    ]);
  });

  it('limitViolations finds nothing for the smallest spec', () => {
    expect(limitViolations(parseOk(body()))).toEqual([]);
  });
});

describe('bucket names may not start with "goog" or contain "google"', () => {
  it('derives bucket names that start with the project id, so a name starting with "goog" is fine for them', () => {
    const names = resourceNames(parseOk(body({ name: 'googly', perf: { enabled: false } })));
    expect([names.adminBucket, names.modelBucket]).toEqual(['my-project-1-googly-saxml-admin', 'my-project-1-googly-saxml-model-repository']);
  });

  it('refuses a name that makes the derived buckets contain "google", at $.name', () => {
    const errors = parseErrors(body({ name: 'my-google' }));
    expect(errors.map((e) => e.path)).toEqual(['$.name', '$.name']);
    expect(errors[0]!.message).toContain('google');
  });

  it.each([
    ['$.buckets.admin', { buckets: { admin: 'my-google-admin' } }],
    ['$.buckets.modelRepository', { buckets: { modelRepository: 'goog-models' } }],
    ['$.bootstrap.automationBucket', { bootstrap: { automationBucket: 'google-automation' } }],
  ])('names the override field %s when the override is at fault', (path, overrides) => {
    expect(parseErrors(body(overrides))).toEqual([{ path, message: expect.stringMatching(/goog/) }]);
  });

  it('points the derived buckets of a project id starting with "goog" at the fields that fix them', () => {
    expect(parseErrors(body({ project: 'googly-project' }))).toEqual([
      { path: '$.buckets.admin', message: expect.stringContaining('"googly-project-demo-saxml-admin"') },
      { path: '$.buckets.modelRepository', message: expect.stringContaining('"googly-project-demo-saxml-model-repository"') },
      { path: '$.bootstrap.automationBucket', message: expect.stringContaining('"googly-project-saxml-automation"') },
    ]);
  });

  it('accepts names that merely resemble it', () => {
    parseOk(body({ name: 'go-og', buckets: { admin: 'my-goo-gle' } }));
  });
});

describe('Pub/Sub ids may not start with "goog"', () => {
  const buckets = { admin: 'admin-bucket-1', modelRepository: 'model-bucket-1' };

  it('refuses a name that makes the perf topic, subscription and schema start with "goog", at $.name', () => {
    expect(parseErrors(body({ name: 'googx', buckets }))).toEqual([
      { path: '$.name', message: expect.stringMatching(/Pub\/Sub.*"goog"/) },
    ]);
  });

  it('does not apply when the perf stage is disabled (no Pub/Sub resources)', () => {
    parseOk(body({ name: 'googx', buckets, perf: { enabled: false } }));
  });
});

describe('every derived name of an accepted spec meets Google grammar and length', () => {
  const SA_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
  const rfc1035 = (max: number) => new RegExp(`^[a-z](?:[-a-z0-9]{0,${max - 2}}[a-z0-9])?$`);
  const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
  const PUBSUB = /^(?!goog)[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/;
  const BIGQUERY = /^[A-Za-z0-9_]{1,1024}$/;

  const bodies: [string, Body][] = [
    ['a one-letter name', body({ name: 'a' })],
    ['the longest default name, full of hyphens', body({ name: 'a-b-c-d-e-f-g' })],
    ['a 46-character name with every override', body({ name: nameOfLength(46), ...UP_TO_SUBNET, artifactRegistry: { name: 'images' }, buckets: { admin: 'a-b', modelRepository: 'm-b' } })],
  ];

  it.each(bodies)('%s', (_label, b) => {
    const names = resourceNames(parseOk(b));
    for (const id of [names.automationServiceAccountId, names.nodePoolServiceAccountId, names.workloadServiceAccountId]) expect(id).toMatch(SA_ID);
    expect(names.cluster).toMatch(rfc1035(40));
    for (const n of [names.network, names.subnet, names.router, names.nat, names.artifactRegistry, names.podsRange, names.servicesRange]) expect(n).toMatch(rfc1035(63));
    for (const n of [names.adminBucket, names.modelBucket, names.automationBucket]) expect(n).toMatch(BUCKET);
    for (const n of [names.perfTopic, names.perfSubscription, names.perfSchema]) expect(n).toMatch(PUBSUB);
    for (const n of [names.perfDataset, names.perfTable]) expect(n).toMatch(BIGQUERY);
  });

  it('BigQuery dataset ids never contain "-" (it is replaced by "_")', () => {
    expect(resourceNames(parseOk(body({ name: 'a-b-c' }))).perfDataset).toBe('a_b_c_metrics_dataset');
  });
});

describe('Kubernetes and label names', () => {
  it.each([
    ['$.saxml.namespace', { saxml: { namespace: 'Saxml' } }],
    ['$.saxml.serviceAccountName', { saxml: { serviceAccountName: 'ksa_1' } }],
    ['$.cluster.tpuNodePools[0].name', { cluster: { tpuNodePools: [tpuPool({ name: 'tpu-' })] } }],
  ])('refuses a name that is not an RFC 1035 label at %s', (path, overrides) => {
    expect(parseErrors(body(overrides)).map((e) => e.path)).toEqual([path]);
  });

  it('uses the namespace and KSA in the workload-identity member', () => {
    const names = resourceNames(parseOk(body({ saxml: { namespace: 'serving', serviceAccountName: 'sax' } })));
    expect(names.workloadIdentityMember).toBe('serviceAccount:my-project-1.svc.id.goog[serving/sax]');
  });

  it('accepts a 63-character label key and value', () => {
    const key = chars(63, 'k');
    expect(parseOk(body({ labels: { [key]: chars(63, 'v') } })).labels[key]).toBe(chars(63, 'v'));
  });

  it('refuses a 64-character label key at its path, saying the limit', () => {
    const key = chars(64, 'k');
    expect(parseErrors(body({ labels: { [key]: 'v' } }))).toEqual([{ path: `$.labels.${key}`, message: expect.stringContaining('at most 63') }]);
  });

  it('refuses an uppercase label key, saying what is allowed', () => {
    expect(parseErrors(body({ labels: { Team: 'a' } }))).toEqual([{ path: '$.labels.Team', message: expect.stringContaining('lowercase letter first') }]);
  });

  it('refuses a 64-character label value at its path, saying the limit', () => {
    expect(parseErrors(body({ labels: { 'team-name': chars(64, 'v') } }))).toEqual([
      { path: '$.labels["team-name"]', message: expect.stringContaining('at most 63') },
    ]);
  });

  it('refuses more than 63 labels (Google allows 64; the environment’s mark takes one)', () => {
    const labels = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
    expect(parseErrors(body({ labels }))).toEqual([{ path: '$.labels', message: "at most 63 labels (Google allows 64; the environment's mark takes one)" }]);
    parseOk(body({ labels: Object.fromEntries(Array.from({ length: 63 }, (_, i) => [`k${i}`, 'v'])) }));
  });
});

