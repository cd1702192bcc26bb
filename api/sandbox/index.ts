/**
 * The sandbox cloud: Google's REST APIs the provisioning plan calls, simulated in-process with
 * Google's shapes (LROs that take scaled time, 409/404, IAM etags, eventual consistency, one GKE
 * operation per cluster, dependants blocking deletion) plus faults on demand.
 *
 *   const sandbox = createSandbox({ timeScale: 0.001 });
 *   parent.route('/_sandbox', sandbox.app);
 *   // service S lives at <origin>/_sandbox/<S>, followed by Google's own path:
 *   //   https://compute.googleapis.com/compute/v1/projects/p/global/networks
 *   //   http://127.0.0.1:8080/_sandbox/compute/compute/v1/projects/p/global/networks
 *
 * Standalone (tests): `sandbox.app.request('/compute/compute/v1/…')`.
 */
import { Hono } from 'hono';
import { artifactRegistryApp } from './artifactregistry.js';
import { identities, type SandboxIdentities } from './auth.js';
import { bigqueryApp } from './bigquery.js';
import { computeApp, createLoadBalancerRule } from './compute.js';
import { containerApp } from './container.js';
import type { FaultController } from './faults.js';
import { iamApp } from './iam.js';
import { iamCredentialsApp } from './iamcredentials.js';
import { KubernetesFleet } from './kubernetes/index.js';
import { inventory, settings, type InventoryItem, type SandboxSettings } from './inventory.js';
import { pubsubApp } from './pubsub.js';
import { resourceManagerApp } from './resourcemanager.js';
import { serviceUsageApp } from './serviceusage.js';
import { loadWorld, saveWorld, type SandboxStore } from './persistence.js';
import { World, fillBucket, type CallRec, type SandboxOptions } from './state.js';
import { storageApp } from './storage.js';
import { testApi } from './test-api.js';

export type {
  SandboxStore,
  CallRec,
  FaultController,
  InventoryItem,
  SandboxIdentities,
  SandboxOptions,
  SandboxSettings,
};
export type LoadBalancerRuleInput = { project: string; region: string; cluster: string; service: string; internal?: boolean };
export { DURATIONS } from './lro.js';
export { IAM_PROPAGATION_SECONDS } from './state.js';
export { SA_PROPAGATION_SECONDS } from './policies.js';
export { KUBE_DURATIONS, imagePullSeconds, modelLoadSeconds } from './kubernetes/index.js';
export type { KubernetesFleet };
export { sandboxBases } from './bases.js';
export { fileStore } from './persistence.js';

export interface Sandbox {
  /** Mount with `parent.route('/_sandbox', sandbox.app)`, or call `sandbox.app.request(…)` directly. */
  app: Hono;
  /** Live resources (sorted); empty after a full teardown. */
  inventory(): InventoryItem[];
  /** Enabled services and non-empty IAM policies (project settings, not resources). */
  settings(): SandboxSettings;
  faults: FaultController;
  /** Forgets every resource, policy, token, operation and call; faults return to the constructor's. */
  reset(): void;
  identities: SandboxIdentities;
  /** The Google API call log (never the Authorization header). */
  calls(): readonly CallRec[];
  /** The fake Kubernetes API servers of the sandbox's clusters (one HTTPS server each). */
  kubernetes: KubernetesFleet;
  /** Stops the clusters' API servers (they never keep a process alive, but tests tidy up). */
  close(): void;
  /** Test hooks also reachable over HTTP under `/_test`. */
  test: {
    createLoadBalancerRule(input: LoadBalancerRuleInput): { name: string };
    setBucketObjectCount(bucket: string, count: number): void;
  };
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const world = new World(options);
  const fleet = new KubernetesFleet(world);
  world.kubernetes = fleet;
  const { store } = options;
  const persist = () => {
    if (store) saveWorld(world, store);
  };
  // A restored cluster gets its Kubernetes API again (a new endpoint and CA, as a fresh server);
  // what it held is not kept. Requests wait until those servers listen.
  let restoring: Promise<unknown> | undefined;
  if (store && loadWorld(world, store)) {
    const live = [...world.clusters.values()].filter((c) => c.status !== 'STOPPING');
    restoring = Promise.all(live.map((rec) => fleet.created(rec))).then(persist);
  }
  const reset = () => {
    fleet.close();
    world.reset();
    world.faults.clear();
    world.faults.set(options.faults ?? {});
    persist();
  };

  const app = new Hono();
  if (restoring) {
    app.use('*', async (_c, next) => {
      await restoring;
      await next();
    });
  }
  // Saved after every call that may have changed something: any but a GET, and a GET whose settle
  // applied finished operations.
  if (store) {
    app.use('*', async (c, next) => {
      await next();
      if (c.req.method !== 'GET' || world.takeSettled()) persist();
    });
  }
  // Sub-apps are copied when mounted, so each is complete before `route`.
  app.route('/', testApi(world, reset, fleet));
  app.route('/serviceusage', serviceUsageApp(world));
  app.route('/iam', iamApp(world));
  app.route('/iamcredentials', iamCredentialsApp(world));
  app.route('/cloudresourcemanager', resourceManagerApp(world));
  app.route('/storage', storageApp(world));
  app.route('/compute', computeApp(world));
  app.route('/container', containerApp(world));
  app.route('/pubsub', pubsubApp(world));
  app.route('/bigquery', bigqueryApp(world));
  app.route('/artifactregistry', artifactRegistryApp(world));

  return {
    app,
    inventory: () => inventory(world),
    settings: () => settings(world),
    faults: world.faults,
    reset,
    identities: identities(world),
    calls: () => world.calls,
    kubernetes: fleet,
    close: () => fleet.close(),
    test: {
      createLoadBalancerRule: (input) => {
        world.settle();
        const rule = createLoadBalancerRule(world, input);
        persist();
        return rule;
      },
      setBucketObjectCount(bucket, count) {
        const b = world.buckets.get(bucket);
        if (!b) throw new Error(`sandbox: no bucket ${bucket}`);
        fillBucket(world, b, count);
        persist();
      },
    },
  };
}
