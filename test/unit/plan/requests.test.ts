import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOOGLE_APIS } from '../../../api/domain/google-apis.js';
import { buildPlan, MAX_SERVICES_PER_BATCH, PRODUCTION_API_BASES, requiredServices } from '../../../api/domain/plan/index.js';
import type { GoogleApi, IamBindingStep, Plan, PlanStep, ResourceStep } from '../../../api/domain/plan/types.js';
import {
  API_BASE, ENVIRONMENT_ID, MODEL, SCENARIOS, SERVICE_SA, TEST_APIS, WORKFLOW_SA, apiOf, body, createPlan, deletePlan, options, specOf, stepById, urlsOf,
  type Body,
} from './support.js';
import { extractMethods, type GoogleMethods } from './google-methods.js';

// The calls themselves: URLs from the configured bases and matching Google's method definitions,
// the polls, existence checks, IAM policies, the perf resources, outputs, determinism.

const all: { name: string; plan: Plan }[] = Object.entries(SCENARIOS).flatMap(([name, b]) => [
  { name: `${name} / create`, plan: createPlan(b) },
  { name: `${name} / delete`, plan: deletePlan(b, true) },
]);
const resource = (plan: Plan, id: string) => stepById(plan, id) as ResourceStep;
const binding = (plan: Plan, id: string) => stepById(plan, id) as IamBindingStep;

// ── Google's method definitions: from the installed discovery-generated packages, or, for the APIs
// Google publishes no per-API package of, the same extract vendored from `googleapis` ─────────────
const require = createRequire(import.meta.url);
const VENDORED = JSON.parse(readFileSync(new URL('../../../vendor/googleapis/methods.json', import.meta.url), 'utf8')) as {
  apis: Partial<Record<GoogleApi, GoogleMethods>>;
};
/** An API's methods: from its `@googleapis/*` package, or from the vendored extract for the APIs that have none. */
function sourceOf(api: GoogleApi): GoogleMethods {
  const discovery: { package: string; version: string; also?: readonly string[] } = GOOGLE_APIS[api].discovery;
  if (discovery.package === 'vendor/googleapis') return VENDORED.apis[api]!;
  const all = [discovery.version, ...(discovery.also ?? [])].map((version) => {
    const js = join(dirname(require.resolve(discovery.package)), `${version}.js`);
    return extractMethods(readFileSync(js, 'utf8'), readFileSync(js.replace(/\.js$/, '.d.ts'), 'utf8'));
  });
  return { methods: all.flatMap((m) => m.methods), parameters: [...new Set(all.flatMap((m) => m.parameters))].sort() };
}

interface Method { http: string; pattern: RegExp }
const methodCache = new Map<GoogleApi, { methods: Method[]; parameters: Set<string> }>();
function methodsOf(api: GoogleApi) {
  let known = methodCache.get(api);
  if (!known) {
    const { methods, parameters } = sourceOf(api);
    known = {
      methods: methods.map(({ http, template }) => ({
        http,
        // {+name} spans segments, {name} is one segment.
        pattern: new RegExp(`^${template.replace(/[.*?^$()|[\]\\]/g, '\\$&').replace(/\{\+[^}]+\}/g, '[^?]+').replace(/\{[^}]+\}/g, '[^/?]+')}$`),
      })),
      parameters: new Set(parameters),
    };
    methodCache.set(api, known);
  }
  return known;
}

function calls(step: PlanStep): { method: string; url: string }[] {
  switch (step.kind) {
    case 'resource':
      return [step.get, step.create, step.delete].filter((c) => !!c).map((c) => ({ method: c.method, url: c.url }));
    case 'iamBinding':
      return [step.read, step.write];
    case 'api':
      return [step.call, step.status];
  }
}

describe.each(all)('$name: URLs', ({ plan }) => {
  it('every URL starts with its configured API base (or this service’s base for api steps)', () => {
    for (const step of plan.steps) {
      for (const url of urlsOf(step)) {
        if (step.kind === 'api') expect(url.startsWith(`${API_BASE}/internal/environments/${ENVIRONMENT_ID}/saxml/`), url).toBe(true);
        else expect(apiOf(url), `${step.id}: ${url}`).toBeDefined();
      }
      if (step.kind === 'resource') {
        for (const call of [step.create, step.delete]) {
          if (call?.poll.style === 'longrunning') expect(Object.values(TEST_APIS)).toContain(call.poll.pollBase);
        }
      }
    }
    expect(plan.automation.tokenUrl).toBe(
      `${TEST_APIS.iamcredentials}/v1/projects/-/serviceAccounts/saxml-automation@my-project-1.iam.gserviceaccount.com:generateAccessToken`,
    );
  });

  it('every Google call is a method of that API’s discovery document (HTTP method and path template), with known query parameters', () => {
    for (const step of plan.steps.filter((s) => s.kind !== 'api')) {
      for (const call of calls(step)) {
        const api = apiOf(call.url)!;
        const [path, query] = call.url.slice(TEST_APIS[api].length).split('?') as [string, string | undefined];
        const { methods, parameters } = methodsOf(api);
        const match = methods.find((m) => m.http === call.method && m.pattern.test(path));
        expect(match, `${step.id}: ${call.method} ${path} is no ${api} method`).toBeDefined();
        for (const param of new URLSearchParams(query ?? '').keys()) {
          expect(parameters.has(param), `${step.id}: query parameter ${param} is no ${api} parameter`).toBe(true);
        }
      }
    }
  });
});

describe('the discovery-document check itself', () => {
  const known = (api: GoogleApi, method: string, path: string) => methodsOf(api).methods.some((m) => m.http === method && m.pattern.test(path));

  it('knows the methods the plan uses and refuses near misses', () => {
    expect(known('compute', 'POST', '/compute/v1/projects/p/regions/r/subnetworks')).toBe(true);
    expect(known('compute', 'POST', '/compute/v1/projects/p/regions/r/subnetwork')).toBe(false);
    expect(known('storage', 'PUT', '/storage/v1/b/x/iam')).toBe(true);
    expect(known('storage', 'POST', '/storage/v1/b/x/iam')).toBe(false);
    expect(known('bigquery', 'POST', '/bigquery/v2/projects/p/datasets/d/tables')).toBe(true);
    expect(known('serviceusage', 'POST', '/v1/projects/p/services:batchDisable')).toBe(false);
    expect(known('cloudresourcemanager', 'POST', '/v1/projects/p:getIamPolicies')).toBe(false);
    // A `{+name}` template spans segments, so for GET/DELETE v1/{+name} methods only the explicit URL
    // assertions below pin the resource path.
    expect(known('cloudresourcemanager', 'GET', '/v1/projects/p:anything')).toBe(true);
  });

  it('knows the query parameters the plan uses and refuses schema fields and client options', () => {
    expect(methodsOf('storage').parameters.has('project')).toBe(true);
    expect(methodsOf('pubsub').parameters.has('schemaId')).toBe(true);
    expect(methodsOf('artifactregistry').parameters.has('repositoryId')).toBe(true);
    expect(methodsOf('pubsub').parameters.has('messageRetentionDuration')).toBe(false);
    expect(methodsOf('storage').parameters.has('requestBody')).toBe(false);
  });
});

describe('URLs of the default plan', () => {
  const plan = buildPlan(specOf(), options({ apis: PRODUCTION_API_BASES }));

  it('are Google’s production endpoints with the production bases', () => {
    expect(resource(plan, 'base.cluster').create?.url).toBe('https://container.googleapis.com/v1/projects/my-project-1/locations/us-west1/clusters');
    expect(resource(plan, 'base.tpu-pool.tpu-v5e-4').create?.url).toBe(
      'https://container.googleapis.com/v1/projects/my-project-1/locations/us-west1/clusters/demo-saxml-gke-cluster/nodePools');
    expect(resource(plan, 'base.tpu-pool.tpu-v5e-4').get?.url).toBe(
      'https://container.googleapis.com/v1/projects/my-project-1/locations/us-west1/clusters/demo-saxml-gke-cluster/nodePools/tpu-v5e-4');
    expect(resource(plan, 'base.subnet').create?.url).toBe('https://compute.googleapis.com/compute/v1/projects/my-project-1/regions/us-west1/subnetworks');
    expect(resource(plan, 'base.network').get?.url).toBe(
      'https://compute.googleapis.com/compute/v1/projects/my-project-1/global/networks/demo-saxml-gke-cluster-network');
    expect(resource(plan, 'base.node-sa').get?.url).toBe(
      'https://iam.googleapis.com/v1/projects/my-project-1/serviceAccounts/demo-gke-node-pool-sa@my-project-1.iam.gserviceaccount.com');
    expect(resource(plan, 'base.node-sa').create?.url).toBe('https://iam.googleapis.com/v1/projects/my-project-1/serviceAccounts');
    expect(resource(plan, 'base.bucket.admin').create?.url).toBe('https://storage.googleapis.com/storage/v1/b?project=my-project-1');
    expect(resource(plan, 'base.artifact-registry').create?.url).toBe(
      'https://artifactregistry.googleapis.com/v1/projects/my-project-1/locations/us/repositories?repositoryId=demo-serving-images');
    expect(resource(plan, 'perf.schema').create?.url).toBe('https://pubsub.googleapis.com/v1/projects/my-project-1/schemas?schemaId=demo_metrics_schema');
    expect(resource(plan, 'perf.topic').create).toMatchObject({ method: 'PUT', url: 'https://pubsub.googleapis.com/v1/projects/my-project-1/topics/demo_metrics_pubsub_sink' });
    expect(resource(plan, 'perf.table').create?.url).toBe(
      'https://bigquery.googleapis.com/bigquery/v2/projects/my-project-1/datasets/demo_metrics_dataset/tables');
    expect(resource(plan, 'bootstrap.services.1').create?.url).toBe('https://serviceusage.googleapis.com/v1/projects/my-project-1/services:batchEnable');
    expect(resource(plan, 'bootstrap.project').get?.url).toBe('https://cloudresourcemanager.googleapis.com/v1/projects/my-project-1');
  });
});

describe('polls and existence checks', () => {
  const plan = createPlan(body({ network: { nat: true } }));
  const expectedPoll: Record<GoogleApi, string> = {
    compute: 'compute', container: 'container', serviceusage: 'longrunning', artifactregistry: 'longrunning',
    iam: 'none', storage: 'none', pubsub: 'none', bigquery: 'none', cloudresourcemanager: 'none', iamcredentials: 'none',
  };

  it('follows each API’s long-running operations its own way', () => {
    for (const p of [plan, deletePlan(body({ network: { nat: true } }), true)]) {
      for (const step of p.steps.filter((s): s is ResourceStep => s.kind === 'resource')) {
        for (const call of [step.create, step.delete]) {
          if (!call) continue;
          const api = apiOf(call.url)!;
          expect(call.poll.style, `${step.id} (${api})`).toBe(expectedPoll[api]);
          if (call.poll.style === 'longrunning') expect(call.poll.pollBase).toBe(TEST_APIS[api]);
        }
      }
    }
  });

  it('checks existence before every create, except the idempotent service batches and service agent', () => {
    for (const step of plan.steps.filter((s): s is ResourceStep => s.kind === 'resource' && !!s.create)) {
      if (step.id.startsWith('bootstrap.services.') || step.id === 'bootstrap.pubsub-agent') expect(step.get).toBeUndefined();
      else expect(step.get?.method, step.id).toBe('GET');
    }
  });

  it('sends a JSON body, `{}` at least, with every POST, PUT and PATCH', () => {
    for (const p of [plan, deletePlan(body({ network: { nat: true } }), true)]) {
      for (const step of p.steps) {
        const sent = step.kind === 'resource' ? [step.get, step.create, step.delete, step.recreate]
          : step.kind === 'iamBinding' ? [step.read] : [step.call, step.status];
        for (const call of sent) {
          if (call && call.method !== 'GET' && call.method !== 'DELETE') expect(call.body, `${step.id} ${call.method} ${call.url}`).toBeTypeOf('object');
        }
      }
    }
    expect(resource(plan, 'bootstrap.pubsub-agent').create?.body).toEqual({});
  });

  it('waits for the cluster (RUNNING, or DEGRADED: running but asking for attention) and the TPU pools, and recreates either found in ERROR', () => {
    expect(resource(plan, 'base.cluster')).toMatchObject({
      ready: { path: 'status', values: ['RUNNING', 'DEGRADED'] },
      failed: { path: 'status', values: ['ERROR'] },
      capture: { clusterEndpoint: 'endpoint' },
      recreate: { method: 'DELETE', url: resource(plan, 'base.cluster').get!.url, poll: { style: 'container' } },
    });
    const pool = resource(plan, 'base.tpu-pool.tpu-v5e-4');
    expect(pool).toMatchObject({
      ready: { path: 'status', values: ['RUNNING'] },
      failed: { path: 'status', values: ['ERROR', 'RUNNING_WITH_ERROR'] },
      recreate: { method: 'DELETE', url: pool.get!.url, poll: { style: 'container' } },
    });
    expect(pool.transient).toContainEqual({ status: 400, matches: 'incompatible operation|Please wait and try again once it is done', within: 3600 });
    // Only GKE's node pools and clusters are recreated; nothing else.
    expect(plan.steps.filter((s) => s.kind === 'resource' && s.recreate).map((s) => s.id)).toEqual(['base.cluster', 'base.tpu-pool.tpu-v5e-4']);
  });

  it('waits, as the automation account, until every role it needs has propagated (testIamPermissions), for up to 15 minutes', () => {
    const ready = resource(plan, 'bootstrap.automation-ready');
    const permissions = [
      'artifactregistry.repositories.create', 'bigquery.datasets.create', 'compute.networks.create', 'container.clusters.create',
      'iam.serviceAccounts.create', 'pubsub.topics.create', 'resourcemanager.projects.setIamPolicy', 'storage.buckets.create',
    ];
    expect(ready).toMatchObject({
      as: 'automation',
      get: { method: 'POST', url: `${TEST_APIS.cloudresourcemanager}/v1/projects/my-project-1:testIamPermissions`, body: { permissions } },
      ready: { path: 'permissions', values: [JSON.stringify(permissions)], within: 900 },
    });
    expect(ready.create).toBeUndefined();
  });

  it('on create, lets every Google call after the service batches wait out a service enabled moments ago', () => {
    const propagating = { status: 403, matches: 'has not been used in project', within: 600 };
    for (const step of plan.steps) {
      if (step.kind === 'api' || step.id.startsWith('bootstrap.services.')) expect(step.transient ?? [], step.id).not.toContainEqual(propagating);
      else expect(step.transient, step.id).toContainEqual(propagating);
    }
    for (const step of deletePlan(body(), true).steps) expect(step.transient ?? [], step.id).not.toContainEqual(propagating);
  });
});

describe('services', () => {
  it('enables the defaults plus perf and additional services, deduplicated and sorted, in batches of at most 20', () => {
    for (const b of Object.values(SCENARIOS)) {
      const spec = specOf(b);
      const batches = createPlan(b).steps
        .filter((s) => s.id.startsWith('bootstrap.services.'))
        .map((s) => ((s as ResourceStep).create!.body as { serviceIds: string[] }).serviceIds);
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(MAX_SERVICES_PER_BATCH);
      const flat = batches.flat();
      expect(flat).toEqual([...new Set(flat)].sort());
      expect(flat).toEqual(requiredServices(spec));
      expect(flat.includes('pubsub.googleapis.com') && flat.includes('bigquery.googleapis.com')).toBe(spec.perf.enabled);
    }
  });

  it('splits 23 services 20 + 3, and steps calling an API of the second batch wait for it', () => {
    const plan = createPlan(SCENARIOS['two service batches']);
    const second = resource(plan, 'bootstrap.services.2').create!.body as { serviceIds: string[] };
    expect(second.serviceIds).toEqual(['pubsub.googleapis.com', 'serviceusage.googleapis.com', 'storage.googleapis.com']);
    // The bucket also waits for the project's number, which an existing automation bucket must match.
    expect(stepById(plan, 'bootstrap.automation-bucket').after).toEqual(['bootstrap.project', 'bootstrap.services.2']);
    expect(stepById(plan, 'base.bucket.admin').after).toContain('bootstrap.services.2');
  });

  it('does not depend on the order additional services are listed in', () => {
    const a = createPlan(body({ bootstrap: { additionalServices: ['run.googleapis.com', 'aiplatform.googleapis.com', 'dns.googleapis.com'] } }));
    const b = createPlan(body({ bootstrap: { additionalServices: ['dns.googleapis.com', 'aiplatform.googleapis.com', 'run.googleapis.com'] } }));
    expect(a.steps).toEqual(b.steps);
  });

  it('enables what image streaming and Cloud DNS need, Artifact Registry only with a repository, and never sourcerepo', () => {
    const flat = (b: Body) => requiredServices(specOf(b));
    expect(flat(body())).toEqual(expect.arrayContaining(['containerfilesystem.googleapis.com', 'dns.googleapis.com', 'artifactregistry.googleapis.com']));
    expect(flat(body({ artifactRegistry: { enabled: false } }))).not.toContain('artifactregistry.googleapis.com');
    for (const b of Object.values(SCENARIOS)) expect(flat(b)).not.toContain('sourcerepo.googleapis.com');
  });
});

describe('IAM', () => {
  const plan = createPlan(body({ bootstrap: { additionalRoles: ['roles/aiplatform.user', 'roles/storage.admin'] } }));
  const roles = (id: string) => binding(plan, id).bindings.map((b) => b.role);
  const members = (id: string) => [...new Set(binding(plan, id).bindings.map((b) => b.member))];

  it('grants the automation account the default, registry, perf and additional roles once each', () => {
    expect(roles('bootstrap.automation-sa.roles')).toEqual([
      'roles/iam.serviceAccountAdmin', 'roles/resourcemanager.projectIamAdmin', 'roles/compute.networkAdmin', 'roles/container.admin',
      'roles/storage.admin', 'roles/artifactregistry.admin', 'roles/pubsub.editor', 'roles/bigquery.dataOwner', 'roles/aiplatform.user',
    ]);
    expect(members('bootstrap.automation-sa.roles')).toEqual(['serviceAccount:saxml-automation@my-project-1.iam.gserviceaccount.com']);
    const noPerf = createPlan(body({ perf: { enabled: false } }));
    expect(binding(noPerf, 'bootstrap.automation-sa.roles').bindings.map((b) => b.role)).not.toContain('roles/pubsub.editor');
  });

  it('grants the node and workload accounts their roles, and both storage.objectViewer on both buckets', () => {
    expect(roles('base.node-sa.roles')).toEqual(['roles/container.defaultNodeServiceAccount', 'roles/serviceusage.serviceUsageConsumer', 'roles/artifactregistry.reader']);
    expect(roles('base.workload-sa.roles')).toEqual(['roles/storage.admin', 'roles/logging.logWriter', 'roles/pubsub.publisher']);
    for (const id of ['base.bucket.admin.iam', 'base.bucket.models.iam']) {
      expect(binding(plan, id).bindings).toEqual([
        { role: 'roles/storage.objectViewer', member: 'serviceAccount:demo-gke-node-pool-sa@my-project-1.iam.gserviceaccount.com' },
        { role: 'roles/storage.objectViewer', member: 'serviceAccount:demo-saxml-wid-sa@my-project-1.iam.gserviceaccount.com' },
      ]);
    }
    // actAs on the node-pool account only (GKE runs the nodes as it), never project-wide.
    expect(binding(plan, 'base.node-sa.act-as')).toMatchObject({
      bindings: [{ role: 'roles/iam.serviceAccountUser', member: 'serviceAccount:saxml-automation@my-project-1.iam.gserviceaccount.com' }],
      read: { url: `${TEST_APIS.iam}/v1/projects/my-project-1/serviceAccounts/demo-gke-node-pool-sa@my-project-1.iam.gserviceaccount.com:getIamPolicy` },
    });
    expect(binding(plan, 'bootstrap.automation-bucket.iam').bindings).toEqual([
      { role: 'roles/storage.admin', member: 'serviceAccount:saxml-automation@my-project-1.iam.gserviceaccount.com' },
    ]);
  });

  it('reads and writes each kind of policy the way its API does', () => {
    const crm = TEST_APIS.cloudresourcemanager;
    expect(binding(plan, 'base.node-sa.roles')).toMatchObject({
      read: { method: 'POST', url: `${crm}/v1/projects/my-project-1:getIamPolicy`, body: { options: { requestedPolicyVersion: 3 } } },
      write: { method: 'POST', url: `${crm}/v1/projects/my-project-1:setIamPolicy`, wrap: true },
    });
    const sa = `${TEST_APIS.iam}/v1/projects/my-project-1/serviceAccounts/saxml-automation@my-project-1.iam.gserviceaccount.com`;
    expect(binding(plan, 'bootstrap.token-creator')).toMatchObject({
      read: { method: 'POST', url: `${sa}:getIamPolicy` },
      write: { method: 'POST', url: `${sa}:setIamPolicy`, wrap: true },
      // The workflow mints tokens for its Google calls; this service for the Saxml deployer's Kubernetes calls.
      bindings: [
        { role: 'roles/iam.serviceAccountTokenCreator', member: `serviceAccount:${WORKFLOW_SA}` },
        { role: 'roles/iam.serviceAccountTokenCreator', member: `serviceAccount:${SERVICE_SA}` },
      ],
    });
    const bucket = `${TEST_APIS.storage}/storage/v1/b/my-project-1-demo-saxml-admin/iam`;
    expect(binding(plan, 'base.bucket.admin.iam')).toMatchObject({ read: { method: 'GET', url: bucket }, write: { method: 'PUT', url: bucket, wrap: false } });
  });

  it('waits out IAM’s eventual consistency wherever a new account is bound, matching only IAM’s message for it', () => {
    const visible = { status: 400, matches: '^Service account \\S+ does not exist', within: 900 };
    for (const step of plan.steps.filter((s): s is IamBindingStep => s.kind === 'iamBinding')) expect(step.transient, step.id).toContainEqual(visible);
    const pattern = new RegExp(visible.matches);
    expect(pattern.test('Service account a@p.iam.gserviceaccount.com does not exist.')).toBe(true);
    expect(pattern.test('Network "n" does not exist.')).toBe(false);
    expect(binding(plan, 'base.workload-identity').transient).toContainEqual({ status: 400, matches: 'Identity Pool does not exist', within: 900 });
  });

  it('waits out the propagation of the Pub/Sub service agent’s grant: Pub/Sub’s bare 403, for up to 15 minutes', () => {
    expect(resource(plan, 'perf.subscription').transient).toContainEqual({ status: 403, matches: '^The caller does not have permission', within: 900 });
  });

  it('lets the cell’s KSA act as the workload account', () => {
    expect(binding(plan, 'base.workload-identity')).toMatchObject({
      bindings: [{ role: 'roles/iam.workloadIdentityUser', member: 'serviceAccount:my-project-1.svc.id.goog[saxml/saxml-ksa]' }],
      read: { url: `${TEST_APIS.iam}/v1/projects/my-project-1/serviceAccounts/demo-saxml-wid-sa@my-project-1.iam.gserviceaccount.com:getIamPolicy` },
    });
  });

  it('names the Pub/Sub service agent by the captured project number', () => {
    expect(resource(plan, 'bootstrap.project').capture).toEqual({ projectNumber: 'projectNumber' });
    expect(binding(plan, 'perf.pubsub-agent.roles')).toMatchObject({
      uses: ['projectNumber'],
      bindings: [
        { role: 'roles/bigquery.metadataViewer', member: 'serviceAccount:service-{{projectNumber}}@gcp-sa-pubsub.iam.gserviceaccount.com' },
        { role: 'roles/bigquery.dataEditor', member: 'serviceAccount:service-{{projectNumber}}@gcp-sa-pubsub.iam.gserviceaccount.com' },
      ],
    });
    // The agent is made first, named by the project number too.
    expect(resource(plan, 'bootstrap.pubsub-agent')).toMatchObject({
      uses: ['projectNumber'],
      create: { method: 'POST', url: `${TEST_APIS.serviceusage}/v1beta1/projects/{{projectNumber}}/services/pubsub.googleapis.com:generateServiceIdentity` },
    });
    // Only the steps that say so use a capture: the agent and its grant, and the automation bucket,
    // which must be the project's (its projectNumber) to be adopted. No other string carries a placeholder.
    expect(resource(plan, 'bootstrap.automation-bucket')).toMatchObject({ uses: ['projectNumber'], owner: { checks: expect.arrayContaining([{ path: 'projectNumber', equals: '{{projectNumber}}' }]) } });
    for (const step of plan.steps) if (!step.uses) expect(JSON.stringify(step)).not.toContain('{{');
  });
});

describe('network bodies', () => {
  it('creates a custom-mode regional VPC and a subnet with the pods and services ranges', () => {
    const plan = createPlan();
    expect(resource(plan, 'base.network').create?.body).toStrictEqual({
      name: 'demo-saxml-gke-cluster-network', description: `Saxml environment demo [saxml-environment=${ENVIRONMENT_ID}]`, autoCreateSubnetworks: false, routingConfig: { routingMode: 'REGIONAL' },
    });
    expect(resource(plan, 'base.subnet').create?.body).toStrictEqual({
      name: 'demo-saxml-gke-cluster-subnet',
      // Networks and subnets have no labels: the environment's mark is in the description.
      description: `Saxml environment demo [saxml-environment=${ENVIRONMENT_ID}]`,
      network: 'projects/my-project-1/global/networks/demo-saxml-gke-cluster-network',
      // "URL of the region where the Subnetwork resides"
      region: `${TEST_APIS.compute}/compute/v1/projects/my-project-1/regions/us-west1`,
      ipCidrRange: '10.129.0.0/20',
      secondaryIpRanges: [{ rangeName: 'pods', ipCidrRange: '192.168.64.0/20' }, { rangeName: 'services', ipCidrRange: '192.168.80.0/20' }],
      privateIpGoogleAccess: true,
    });
  });

  it('creates Cloud NAT inline in the router, only when asked', () => {
    expect(createPlan().steps.map((s) => s.id)).not.toContain('base.router');
    const plan = createPlan(body({ network: { nat: true } }));
    // No region: output-only on a router (the URL carries it).
    expect(resource(plan, 'base.router').create?.body).toStrictEqual({
      name: 'demo-saxml-nat-router',
      description: `Cloud NAT of Saxml environment demo [saxml-environment=${ENVIRONMENT_ID}]`,
      network: 'projects/my-project-1/global/networks/demo-saxml-gke-cluster-network',
      nats: [{ name: 'demo-saxml-nat', natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES' }],
    });
  });
});

describe('perf bodies (guide §3, era B)', () => {
  const plan = createPlan();

  it('a PROTOCOL_BUFFER schema with the guide’s Metrics message, in proto3', () => {
    const schema = resource(plan, 'perf.schema').create?.body as { type: string; definition: string; name: string };
    expect(schema.type).toBe('PROTOCOL_BUFFER');
    expect(schema.name).toBe('projects/my-project-1/schemas/demo_metrics_schema');
    // The mark is a comment: a schema has neither labels nor a description.
    expect(schema.definition).toMatch(new RegExp(`^// \\[saxml-environment=${ENVIRONMENT_ID}\\]\nsyntax = "proto3";`));
    const fields = [...schema.definition.matchAll(/^\s+(optional )?(\w+) (\w+) = (\d+);$/gm)].map((m) => `${m[1] ?? ''}${m[2]} ${m[3]}=${m[4]}`);
    expect(fields).toEqual([
      'string test_id=1', 'string request_type=2', 'string request_name=3', 'int32 response_length=4', 'float response_time=5',
      'string start_time=6', 'string exception=7', 'optional string request=8', 'optional string response=9',
      'optional string model_name=10', 'optional string model_method=11', 'optional string tokenizer=12',
      'optional int32 num_output_tokens=13', 'optional int32 num_input_tokens=14', 'optional int32 model_response_time=15',
    ]);
  });

  it('a JSON-encoded topic bound to the schema, retaining messages 86600s', () => {
    expect(resource(plan, 'perf.topic').create?.body).toStrictEqual({
      name: 'projects/my-project-1/topics/demo_metrics_pubsub_sink',
      schemaSettings: { schema: 'projects/my-project-1/schemas/demo_metrics_schema', encoding: 'JSON' },
      messageRetentionDuration: '86600s',
      labels: { 'saxml-environment': ENVIRONMENT_ID },
    });
  });

  it('a dataset in the spec’s location and the guide’s table, metadata columns included, all NULLABLE', () => {
    expect(resource(createPlan(body({ perf: { datasetLocation: 'EU' } })), 'perf.dataset').create?.body).toMatchObject({
      datasetReference: { projectId: 'my-project-1', datasetId: 'demo_metrics_dataset' },
      location: 'EU',
    });
    const table = resource(plan, 'perf.table').create?.body as { tableReference: object; schema: { fields: { name: string; type: string; mode: string }[] } };
    expect(table.tableReference).toEqual({ projectId: 'my-project-1', datasetId: 'demo_metrics_dataset', tableId: 'performance_metrics' });
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'subscription_name:STRING', 'message_id:STRING', 'publish_time:TIMESTAMP', 'attributes:JSON',
      'test_id:STRING', 'request_type:STRING', 'request_name:STRING', 'response_length:INT64', 'response_time:FLOAT64',
      'start_time:DATETIME', 'exception:STRING', 'request:JSON', 'response:JSON', 'model_name:STRING', 'model_method:STRING',
      'tokenizer:STRING', 'num_output_tokens:INT64', 'num_input_tokens:INT64', 'model_response_time:INT64',
    ]);
    expect(new Set(table.schema.fields.map((f) => f.mode))).toEqual(new Set(['NULLABLE']));
  });

  it('a BigQuery subscription writing the topic schema and metadata into the table', () => {
    expect(resource(plan, 'perf.subscription').create).toMatchObject({
      method: 'PUT',
      body: {
        topic: 'projects/my-project-1/topics/demo_metrics_pubsub_sink',
        bigqueryConfig: { table: 'my-project-1.demo_metrics_dataset.performance_metrics', useTopicSchema: true, dropUnknownFields: true, writeMetadata: true },
      },
    });
  });
});

describe('outputs and the saxml step', () => {
  it('reports every output on the step that creates it', () => {
    const plan = createPlan();
    const outputs = Object.assign({}, ...plan.steps.map((s) => s.outputs ?? {})) as Record<string, string>;
    expect(outputs).toEqual({
      automationServiceAccount: 'saxml-automation@my-project-1.iam.gserviceaccount.com',
      automationBucket: 'gs://my-project-1-saxml-automation',
      network: 'demo-saxml-gke-cluster-network',
      subnet: 'demo-saxml-gke-cluster-subnet',
      nodePoolServiceAccount: 'demo-gke-node-pool-sa@my-project-1.iam.gserviceaccount.com',
      workloadServiceAccount: 'demo-saxml-wid-sa@my-project-1.iam.gserviceaccount.com',
      adminBucket: 'gs://my-project-1-demo-saxml-admin',
      modelBucket: 'gs://my-project-1-demo-saxml-model-repository',
      artifactRegistry: 'us-docker.pkg.dev/my-project-1/demo-serving-images',
      clusterName: 'demo-saxml-gke-cluster',
      clusterLocation: 'us-west1',
      metricsTopic: 'projects/my-project-1/topics/demo_metrics_pubsub_sink',
      metricsDataset: 'my-project-1.demo_metrics_dataset',
      metricsTable: 'my-project-1.demo_metrics_dataset.performance_metrics',
      metricsSubscription: 'projects/my-project-1/subscriptions/demo_metrics_pubsub_bq_sub',
    });
    const captures = Object.assign({}, ...plan.steps.map((s) => (s.kind === 'resource' ? s.capture ?? {} : {})));
    expect(captures).toEqual({ projectNumber: 'projectNumber', clusterEndpoint: 'endpoint' });
  });

  it('applies the cell through the internal saxml route until its CPU side is READY; polls status for each serving pool until its model server is', () => {
    const route = `${API_BASE}/internal/environments/${ENVIRONMENT_ID}/saxml`;
    const plan = createPlan(body({ saxml: { models: [MODEL] } }));
    expect(stepById(plan, 'saxml.cell')).toMatchObject({
      kind: 'api',
      as: 'automation',
      call: { method: 'POST', url: `${route}/apply` },
      // Apply again on every poll: it starts the pods once the Workload Identity grant is done.
      status: { method: 'POST', url: `${route}/apply` },
      ready: { path: 'cell.state', values: ['READY'] },
      failed: { path: 'cell.state', values: ['FAILED'] },
    });
    expect(stepById(plan, 'saxml.model-server.tpu-v5e-4')).toMatchObject({
      kind: 'api',
      call: { method: 'GET', url: `${route}/status` },
      status: { method: 'GET', url: `${route}/status` },
      ready: { path: 'modelServers.tpu-v5e-4.state', values: ['READY'] },
      failed: { path: 'modelServers.tpu-v5e-4.state', values: ['FAILED'] },
    });
  });

  it('names the automation account and where its token is minted', () => {
    expect(createPlan().automation).toEqual({
      serviceAccount: 'saxml-automation@my-project-1.iam.gserviceaccount.com',
      tokenUrl: `${TEST_APIS.iamcredentials}/v1/projects/-/serviceAccounts/saxml-automation@my-project-1.iam.gserviceaccount.com:generateAccessToken`,
    });
  });
});

describe('determinism', () => {
  it.each(Object.entries(SCENARIOS))('%s: two builds of the same input are deep-equal, and building does not change the spec', (_, b) => {
    for (const kind of ['create', 'delete'] as const) {
      const spec = specOf(b);
      const before = structuredClone(spec);
      const first = buildPlan(spec, options({ kind, includeBootstrap: true }));
      const second = buildPlan(specOf(b), options({ kind, includeBootstrap: true }));
      expect(second).toStrictEqual(first);
      expect(spec).toStrictEqual(before);
    }
  });
});
