import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AUTOMATION_ROLES, DEFAULT_SERVICES, NODE_POOL_SA_ROLES, PERF_AUTOMATION_ROLES, PERF_NAMES, PERF_SERVICES,
  RUNTIME_TARGET_ROLES, SAXML_CELL, SAXML_IMAGES, WORKFLOW_TARGET_ROLES, WORKLOAD_SA_ROLES,
} from '../../../api/domain/defaults.js';
import { resourceNames } from '../../../api/domain/naming.js';
import { EnvironmentSpecSchema } from '../../../api/domain/spec.js';
import { checkSpec, parseSpec } from '../../../api/domain/validate.js';
import { body, bodyWithCluster, cpuPool, parseErrors, parseOk, SMALLEST_BODY_JSON, specOf, tpuPool } from './support.js';

// Expected values are written out from the reference guide (shared/reference/saxml-on-gke.md), not
// read from defaults.ts, so a drift in either direction fails here.

describe('the smallest valid body', () => {
  it('parses as sent by a client, byte for byte', () => {
    const result = parseSpec(JSON.parse(SMALLEST_BODY_JSON));
    expect(result.ok).toBe(true);
    const spec = specOf(result);
    expect(spec.name).toBe('demo');
    expect(spec.project).toBe('my-project-1');
    expect(spec.region).toBe('us-west1');
    expect(spec.cluster.tpuNodePools.map((p) => p.name)).toEqual(['tpu-v5e-4']);
  });

  it('is normalised: re-parsing the normalised spec gives the same spec (defaults are stable)', () => {
    const spec = parseOk(body());
    expect(parseOk(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it.each([
    ['name', '$.name'],
    ['project', '$.project'],
    ['region', '$.region'],
    ['cluster', '$.cluster'],
  ])('refuses a body without %s, naming %s', (field, path) => {
    const b = body();
    delete b[field];
    expect(parseErrors(b).map((e) => e.path)).toEqual([path]);
  });

  it('refuses a body without TPU node pools', () => {
    expect(parseErrors(bodyWithCluster({ tpuNodePools: [] }))).toEqual([
      { path: '$.cluster.tpuNodePools', message: expect.stringContaining('at least one TPU node pool') },
    ]);
  });
});

describe('zones', () => {
  it('default to the TPU pool zones', () => {
    expect(parseOk(body()).zones).toEqual(['us-west1-c']);
  });

  it('default to the distinct TPU zones of all pools', () => {
    const spec = parseOk(bodyWithCluster({
      tpuNodePools: [tpuPool({ name: 'tpu-b' }), tpuPool({ name: 'tpu-a' }), tpuPool({ name: 'tpu-b2' })],
    }));
    expect(spec.zones).toEqual(['us-west1-c']);
  });

  it('are kept when given', () => {
    expect(parseOk(body({ zones: ['us-west1-a', 'us-west1-b'] })).zones).toEqual(['us-west1-a', 'us-west1-b']);
  });

  it('are filled by checkSpec too (the path the create service takes after the route parsed the schema)', () => {
    const schemaOnly = EnvironmentSpecSchema.parse(body());
    expect(schemaOnly.zones).toBeUndefined();
    expect(specOf(checkSpec(schemaOnly)).zones).toEqual(['us-west1-c']);
  });
});

describe('bootstrap defaults', () => {
  it('enables only what the plan calls and its cluster settings need', () => {
    expect([...DEFAULT_SERVICES].sort()).toEqual([
      'cloudresourcemanager', 'compute', 'container', 'containerfilesystem', 'dns', 'iam', 'iamcredentials',
      'logging', 'monitoring', 'serviceusage', 'storage',
    ].map((s) => `${s}.googleapis.com`));
  });

  it.each(['sourcerepo', 'accesscontextmanager', 'aiplatform', 'cloudbuild', 'cloudkms', 'sts', 'storage-component', 'stackdriver'])(
    'leaves the guide\'s %s out (sourcerepo cannot be enabled by new organisations; the others are unused)',
    (service) => expect(DEFAULT_SERVICES).not.toContain(`${service}.googleapis.com`),
  );

  it('makes bigquery and pubsub available for the perf stage (defect 11: era A forgot them)', () => {
    expect([...PERF_SERVICES].sort()).toEqual(['bigquery.googleapis.com', 'pubsub.googleapis.com']);
  });

  it('lists every service once, well formed (defect 10: the B template broke the list with a missing comma)', () => {
    const all = [...DEFAULT_SERVICES, ...PERF_SERVICES];
    expect(new Set(all).size).toBe(all.length);
    for (const service of all) expect(service).toMatch(/^[a-z-]+\.googleapis\.com$/);
  });

  it('grants the automation account least-privilege roles: no securityAdmin, no project-wide serviceAccountUser', () => {
    expect(AUTOMATION_ROLES.map((r) => r.role).sort()).toEqual([
      'roles/compute.networkAdmin',
      'roles/container.admin',
      'roles/iam.serviceAccountAdmin',
      'roles/resourcemanager.projectIamAdmin',
      'roles/storage.admin',
    ]);
    for (const r of [...AUTOMATION_ROLES, ...PERF_AUTOMATION_ROLES]) {
      expect(r.why.length).toBeGreaterThan(20);
      expect(r.probe).toMatch(/^[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+$/);
    }
  });

  it('grants the workflow and runtime identities in target projects exactly the roles infra/iam.tf grants them (the local sandbox uses the lists)', () => {
    const tf = readFileSync('infra/iam.tf', 'utf8');
    const block = /workflow_target_roles = \[([^\]]*)\]/.exec(tf)![1]!;
    expect([...block.matchAll(/"(roles\/[^"]+)"/g)].map((m) => m[1]).sort()).toEqual([...WORKFLOW_TARGET_ROLES].sort());
    const runtime = /runtime_target_roles = \[([^\]]*)\]/.exec(tf)![1]!;
    expect([...runtime.matchAll(/"(roles\/[^"]+)"/g)].map((m) => m[1]).sort()).toEqual([...RUNTIME_TARGET_ROLES].sort());
  });

  it('grants the perf roles pubsub.editor and bigquery.dataOwner for the perf stage', () => {
    expect(PERF_AUTOMATION_ROLES.map((r) => r.role).sort()).toEqual(['roles/bigquery.dataOwner', 'roles/pubsub.editor']);
  });

  it('gives the node-pool account GKE\'s minimum node role, image streaming\'s and the registry reader (no project-wide storage)', () => {
    expect([...NODE_POOL_SA_ROLES].sort()).toEqual([
      'roles/artifactregistry.reader', 'roles/container.defaultNodeServiceAccount', 'roles/serviceusage.serviceUsageConsumer',
    ]);
  });

  it('lets workloads publish metrics (defect 5: the era-B WID account lacked pubsub.publisher)', () => {
    expect(WORKLOAD_SA_ROLES).toContain('roles/pubsub.publisher');
    expect(WORKLOAD_SA_ROLES).toContain('roles/storage.admin');
    expect(WORKLOAD_SA_ROLES).toContain('roles/logging.logWriter');
  });

  it('defaults the automation account, bucket and extras', () => {
    const spec = parseOk(body());
    expect(spec.bootstrap.automationServiceAccount).toBe('saxml-automation');
    expect(spec.bootstrap.additionalServices).toEqual([]);
    expect(spec.bootstrap.additionalRoles).toEqual([]);
    const names = resourceNames(spec);
    expect(names.automationServiceAccountEmail).toBe('saxml-automation@my-project-1.iam.gserviceaccount.com');
    expect(names.automationBucket).toBe('my-project-1-saxml-automation');
    expect(names.automationBucketLocation).toBe('us-west1');
  });

  it('accepts extra services and roles, and refuses malformed ones by path', () => {
    const spec = parseOk(body({ bootstrap: { additionalServices: ['redis.googleapis.com'], additionalRoles: ['roles/aiplatform.user'] } }));
    expect(spec.bootstrap.additionalServices).toEqual(['redis.googleapis.com']);
    expect(spec.bootstrap.additionalRoles).toEqual(['roles/aiplatform.user']);
    expect(parseErrors(body({ bootstrap: { additionalServices: ['redis'], additionalRoles: ['aiplatform.user'] } })).map((e) => e.path)).toEqual([
      '$.bootstrap.additionalServices[0]',
      '$.bootstrap.additionalRoles[0]',
    ]);
  });
});

describe('network defaults (guide §2.1–§2.2)', () => {
  it('uses the guide CIDRs and range names, without Cloud NAT', () => {
    const spec = parseOk(body());
    expect(spec.network.subnetCidr).toBe('10.129.0.0/20');
    expect(spec.network.podsCidr).toBe('192.168.64.0/20');
    expect(spec.network.servicesCidr).toBe('192.168.80.0/20');
    expect(spec.network.nat).toBe(false);
    expect(spec.network.existing).toBeUndefined();
    const names = resourceNames(spec);
    expect(names.podsRange).toBe('pods');
    expect(names.servicesRange).toBe('services');
  });

  it('derives network, subnet and cluster names with the guide prefixes', () => {
    const names = resourceNames(parseOk(body()));
    expect(names.network).toBe('demo-saxml-gke-cluster-network');
    expect(names.subnet).toBe('demo-saxml-gke-cluster-subnet');
    expect(names.cluster).toBe('demo-saxml-gke-cluster');
    expect(names.router).toBe('demo-saxml-nat-router');
  });

  it('takes the names of an existing network instead', () => {
    const existing = { network: 'shared-vpc', subnet: 'shared-subnet', podsRangeName: 'gke-pods', servicesRangeName: 'gke-services' };
    const names = resourceNames(parseOk(body({ network: { existing } })));
    expect([names.network, names.subnet, names.podsRange, names.servicesRange]).toEqual(['shared-vpc', 'shared-subnet', 'gke-pods', 'gke-services']);
  });
});

describe('cluster defaults (guide §2.1, §2.3, §2.4)', () => {
  it('uses the REGULAR release channel', () => {
    expect(parseOk(body()).cluster.releaseChannel).toBe('REGULAR');
  });

  // Guide §2.3, row by row.
  const GUIDE_CPU_POOLS = [
    {
      name: 'saxml-admin-node-pool', machineType: 'n1-standard-8', diskSizeGb: 100, minNodeCount: 1, maxNodeCount: 1,
      taints: [{ key: 'saxml-admin-node-pool', value: 'true', effect: 'NO_SCHEDULE' }], labels: { 'saxml-admin-node-pool': 'true' },
    },
    { name: 'default-node-pool', machineType: 'n1-standard-8', diskSizeGb: 200, minNodeCount: 1, maxNodeCount: 3, taints: [], labels: {} },
    { name: 'large-workloads-node-pool', machineType: 'n2-highmem-32', diskSizeGb: 500, minNodeCount: 0, maxNodeCount: 3, taints: [], labels: {} },
    {
      name: 'saxml-proxy-node-pool', machineType: 'n1-standard-8', diskSizeGb: 100, minNodeCount: 1, maxNodeCount: 3,
      taints: [{ key: 'saxml-proxy-node-pool', value: 'true', effect: 'NO_SCHEDULE' }], labels: { 'saxml-proxy-node-pool': 'true' },
    },
  ];

  it('has the guide four CPU pools, in order', () => {
    expect(parseOk(body()).cluster.cpuNodePools.map((p) => p.name)).toEqual(GUIDE_CPU_POOLS.map((p) => p.name));
  });

  it.each(GUIDE_CPU_POOLS.map((p, i) => [p.name, i, p] as const))('CPU pool %s matches the guide', (_name, index, expected) => {
    const pool = parseOk(body()).cluster.cpuNodePools[index]!;
    expect(pool.name).toBe(expected.name);
    expect(pool.machineType).toBe(expected.machineType);
    expect(pool.diskSizeGb).toBe(expected.diskSizeGb);
    expect(pool.minNodeCount).toBe(expected.minNodeCount);
    expect(pool.maxNodeCount).toBe(expected.maxNodeCount);
    // Defect 7 avoided: the taint's key is the key, its value the value.
    expect(pool.taints).toEqual(expected.taints);
    expect(pool.labels).toEqual(expected.labels);
    // pd-balanced, not the guide's pd-standard: newer machine series refuse pd-standard.
    expect(pool.diskType).toBe('pd-balanced');
    expect(pool.spot).toBe(false);
    // No zones of its own: CPU pools follow the environment's zones (next to the TPU slices).
    expect(pool.zones).toBeUndefined();
  });

  it('each default pool is its own copy (changing one parse does not change the next)', () => {
    const first = parseOk(body());
    first.cluster.cpuNodePools[0]!.labels['mutated'] = 'yes';
    first.cluster.cpuNodePools[0]!.taints.push({ key: 'k', value: 'v', effect: 'NO_EXECUTE' });
    const second = parseOk(body());
    expect(second.cluster.cpuNodePools[0]!.labels).toEqual({ 'saxml-admin-node-pool': 'true' });
    expect(second.cluster.cpuNodePools[0]!.taints).toHaveLength(1);
  });

  it('replaces the default pools when CPU pools are given, filling per-pool defaults', () => {
    const spec = parseOk(bodyWithCluster({ cpuNodePools: [cpuPool()] }));
    expect(spec.cluster.cpuNodePools).toHaveLength(1);
    const pool = spec.cluster.cpuNodePools[0]!;
    expect([pool.name, pool.diskSizeGb, pool.diskType, pool.minNodeCount, pool.maxNodeCount]).toEqual(['cpu-pool', 100, 'pd-balanced', 1, 1]);
    expect(pool.taints).toEqual([]);
    expect(pool.labels).toEqual({});
  });

  it('defaults a TPU pool like the era-B root: one on-demand slice, 200 GB, no forced disk type (PR #26: ct5lp rejects pd-standard)', () => {
    const pool = parseOk(body()).cluster.tpuNodePools[0]!;
    expect(pool.spot).toBe(false);
    expect(pool.autoscaling).toBe(false);
    expect(pool.diskSizeGb).toBe(200);
    expect(pool.reservation).toBeUndefined();
    expect(Object.keys(pool)).not.toContain('diskType');
    expect(parseErrors(bodyWithCluster({ tpuNodePools: [tpuPool({ diskType: 'pd-standard' })] }))).toEqual([
      { path: '$.cluster.tpuNodePools[0].diskType', message: 'unknown field' },
    ]);
  });

  it('derives the service accounts with the era-B names', () => {
    const names = resourceNames(parseOk(body()));
    expect(names.nodePoolServiceAccountId).toBe('demo-gke-node-pool-sa');
    expect(names.nodePoolServiceAccountEmail).toBe('demo-gke-node-pool-sa@my-project-1.iam.gserviceaccount.com');
    expect(names.workloadServiceAccountId).toBe('demo-saxml-wid-sa');
    expect(names.workloadServiceAccountEmail).toBe('demo-saxml-wid-sa@my-project-1.iam.gserviceaccount.com');
    expect(names.workloadIdentityMember).toBe('serviceAccount:my-project-1.svc.id.goog[saxml/saxml-ksa]');
  });
});

describe('buckets and registry (guide §2.1 rows 9–10)', () => {
  it('names the buckets <project>-${name}-saxml-admin and …-saxml-model-repository (bucket names are global)', () => {
    const names = resourceNames(parseOk(body({ name: 'team-a' })));
    expect(names.adminBucket).toBe('my-project-1-team-a-saxml-admin');
    expect(names.modelBucket).toBe('my-project-1-team-a-saxml-model-repository');
  });

  it('uses bucket overrides as given', () => {
    const names = resourceNames(parseOk(body({ buckets: { admin: 'my.admin.bucket', modelRepository: 'models-123' } })));
    expect(names.adminBucket).toBe('my.admin.bucket');
    expect(names.modelBucket).toBe('models-123');
  });

  it('creates the ${name}-serving-images registry in "us"', () => {
    const spec = parseOk(body());
    expect(spec.artifactRegistry.enabled).toBe(true);
    expect(spec.artifactRegistry.location).toBe('us');
    expect(resourceNames(spec).artifactRegistry).toBe('demo-serving-images');
  });
});

describe('perf defaults (guide §3, era B)', () => {
  it('is enabled with the dataset in US', () => {
    const spec = parseOk(body());
    expect(spec.perf.enabled).toBe(true);
    expect(spec.perf.datasetLocation).toBe('US');
  });

  it('uses the era-B base names', () => {
    expect(PERF_NAMES).toEqual({
      schema: 'metrics_schema',
      topic: 'metrics_pubsub_sink',
      subscription: 'metrics_pubsub_bq_sub',
      dataset: 'metrics_dataset',
      table: 'performance_metrics',
    });
  });

  it('joins the environment name with "_" (hyphens become underscores) and leaves the table unprefixed', () => {
    const names = resourceNames(parseOk(body({ name: 'my-env-2' })));
    expect(names.perfSchema).toBe('my_env_2_metrics_schema');
    expect(names.perfTopic).toBe('my_env_2_metrics_pubsub_sink');
    expect(names.perfSubscription).toBe('my_env_2_metrics_pubsub_bq_sub');
    expect(names.perfDataset).toBe('my_env_2_metrics_dataset');
    // Defect 3 avoided: the Locust tooling expects exactly this table name.
    expect(names.perfTable).toBe('performance_metrics');
  });
});

describe('saxml defaults (guide §4)', () => {
  it('uses the google/saxml v1.1.0 images', () => {
    const spec = parseOk(body());
    expect(spec.saxml.images).toEqual({
      adminServer: 'us-docker.pkg.dev/cloud-tpu-images/inference/sax-admin-server:v1.1.0',
      modelServer: 'us-docker.pkg.dev/cloud-tpu-images/inference/sax-model-server:v1.1.0',
      util: 'us-docker.pkg.dev/cloud-tpu-images/inference/sax-util:v1.1.0',
    });
    expect(SAXML_IMAGES.modelServer.endsWith(':v1.1.0')).toBe(true);
  });

  it('uses the cell /sax/test, namespace saxml and KSA saxml-ksa, with no models and no proxy image', () => {
    const spec = parseOk(body());
    expect(spec.saxml.enabled).toBe(true);
    expect(spec.saxml.cell).toBe('/sax/test');
    expect(SAXML_CELL).toBe('/sax/test');
    expect(spec.saxml.namespace).toBe('saxml');
    expect(spec.saxml.serviceAccountName).toBe('saxml-ksa');
    expect(spec.saxml.models).toEqual([]);
    // No public proxy image exists (DESIGN §5): none is invented.
    expect(spec.saxml.proxy.image).toBeUndefined();
  });

  it('overrides one image without losing the other defaults', () => {
    const spec = parseOk(body({ saxml: { images: { util: 'example.com/util:1' } } }));
    expect(spec.saxml.images.util).toBe('example.com/util:1');
    expect(spec.saxml.images.adminServer).toBe('us-docker.pkg.dev/cloud-tpu-images/inference/sax-admin-server:v1.1.0');
  });

  it('refuses a cell that does not look like /sax/<name>', () => {
    expect(parseErrors(body({ saxml: { cell: 'sax/test' } })).map((e) => e.path)).toEqual(['$.saxml.cell']);
  });

  it('defaults a model to one replica', () => {
    const spec = parseOk(body({
      saxml: { models: [{ id: 'llama7b', modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e', checkpoint: 'gs://b/ckpt', tpuPool: 'tpu-v5e-4' }] },
    }));
    expect(spec.saxml.models[0]!.replicas).toBe(1);
  });
});

describe('other defaults', () => {
  it('has no labels and no deletion protection', () => {
    const spec = parseOk(body());
    expect(spec.labels).toEqual({});
    expect(spec.deletionProtection).toBe(false);
  });
});
