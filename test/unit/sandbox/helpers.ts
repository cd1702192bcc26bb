/** Test harness for the sandbox cloud: a fake clock advanced in simulated seconds, JSON calls. */
import { createSandbox, type Sandbox, type SandboxOptions } from '../../../api/sandbox/index.js';

export const OWNER = 'owner@example.com';
export const PROJECT = 'proj-1';
export const REGION = 'us-west1';

export interface CallResult {
  status: number;
  /** Parsed JSON; tests read arbitrary fields. */
  body: any;
}

export interface Harness {
  sandbox: Sandbox;
  now(): number;
  /** Moves the fake clock by `seconds` of simulated time (i.e. scaled by timeScale). */
  advance(seconds: number): void;
  call(method: string, path: string, body?: unknown, opts?: { as?: string; token?: string | null; raw?: string }): Promise<CallResult>;
  enable(project: string, ...services: string[]): Promise<void>;
}

/**
 * A sandbox whose projects OWNER owns (an organisation-level grant, in force at once and not in any
 * project policy) and whose project policies start empty, so tests can compare them whole. Two
 * harnesses given the same `time` share a clock (a sandbox restarted on the same store).
 */
export function harness(options: Partial<SandboxOptions> = {}, time: { now: number } = { now: Date.UTC(2025, 0, 1) }): Harness {
  const timeScale = options.timeScale ?? 1;
  const sandbox = createSandbox({
    timeScale,
    clock: { now: () => time.now },
    inherited: [{ member: `user:${OWNER}`, roles: ['roles/owner'] }],
    seedBindings: 0,
    ...options,
  });
  const h: Harness = {
    sandbox,
    now: () => time.now,
    advance(seconds) {
      time.now += seconds * 1000 * timeScale;
    },
    async call(method, path, body, opts = {}) {
      const headers: Record<string, string> = {};
      const token = opts.token === undefined ? sandbox.identities.bearer(opts.as ?? OWNER) : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const res = await sandbox.app.request(path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async enable(project, ...services) {
      const res = await h.call('POST', `/serviceusage/v1/projects/${project}/services:batchEnable`, { serviceIds: services });
      if (res.status !== 200) throw new Error(`enable failed: ${JSON.stringify(res.body)}`);
      h.advance(40);
    },
  };
  return h;
}

export const compute = (rest: string) => `/compute/compute/v1/projects/${PROJECT}/${rest}`;
export const gke = (rest: string) => `/container/v1/projects/${PROJECT}/locations/${REGION}/${rest}`;

/** Network `net` with subnet `subnet` (ranges `pods`, `services`) in REGION, both DONE. */
export async function networkStack(h: Harness): Promise<void> {
  await h.enable(PROJECT, 'compute.googleapis.com', 'container.googleapis.com');
  const n = await h.call('POST', compute('global/networks'), { name: 'net', autoCreateSubnetworks: false, routingConfig: { routingMode: 'REGIONAL' } });
  if (n.status !== 200) throw new Error(JSON.stringify(n.body));
  h.advance(25);
  const s = await h.call('POST', compute(`regions/${REGION}/subnetworks`), {
    name: 'subnet',
    network: `projects/${PROJECT}/global/networks/net`,
    ipCidrRange: '10.129.0.0/20',
    secondaryIpRanges: [
      { rangeName: 'pods', ipCidrRange: '192.168.64.0/20' },
      { rangeName: 'services', ipCidrRange: '192.168.80.0/20' },
    ],
  });
  if (s.status !== 200) throw new Error(JSON.stringify(s.body));
  h.advance(20);
}

export const clusterBody = (over: Record<string, unknown> = {}) => ({
  cluster: {
    name: 'saxml',
    network: 'net',
    subnetwork: 'subnet',
    ipAllocationPolicy: { useIpAliases: true, clusterSecondaryRangeName: 'pods', servicesSecondaryRangeName: 'services' },
    workloadIdentityConfig: { workloadPool: `${PROJECT}.svc.id.goog` },
    releaseChannel: { channel: 'REGULAR' },
    nodePools: [{ name: 'default-node-pool', initialNodeCount: 1, config: { machineType: 'n1-standard-8' }, locations: [`${REGION}-a`] }],
    ...over,
  },
});

/** networkStack + a RUNNING cluster `saxml`. */
export async function runningCluster(h: Harness): Promise<void> {
  await networkStack(h);
  const r = await h.call('POST', gke('clusters'), clusterBody());
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  h.advance(420);
}
