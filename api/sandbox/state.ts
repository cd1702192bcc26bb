/**
 * The in-memory world: every simulated resource, IAM policy, enabled service, minted token and
 * operation. Service modules read and write it; `settle()` (run first on every request) applies the
 * effects of operations whose simulated time has passed.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';
import { GoogleApiError } from './errors.js';
import { Faults, type FaultConfig } from './faults.js';
import { Scheduler, type ComputeOp, type ContainerOp, type Effect, type LongrunningOp } from './lro.js';
import { hash32 } from './hash.js';
import type { SandboxStore } from './persistence.js';
import { seedBindings } from './seed.js';

export { hash32 };

/**
 * Simulated seconds before a role grant takes effect (policies.ts applies it). IAM: "Changes to
 * allow or deny policies typically propagate in 2 minutes, but could potentially take 7 minutes or
 * longer."
 */
export const IAM_PROPAGATION_SECONDS = 120;

export interface SandboxOptions {
  /** Multiplies every simulated duration: 1 = real time, 0.001 makes a 7-minute cluster ≈ 0.42 s. */
  timeScale: number;
  clock?: Clock;
  /** Source of every random draw (fault injection), so tests are deterministic. */
  random?: () => number;
  faults?: Partial<FaultConfig>;
  /** Known projects. When omitted any project id is accepted with a stable derived number. */
  projects?: Record<string, { projectNumber: string }>;
  /**
   * Roles granted above the projects (organisation or folder policies), in force from the start and
   * not shown in any project's policy: the project owners of tests, the workflow identity's roles.
   * Nobody else may call anything until granted a role.
   */
  inherited?: InheritedGrant[];
  /** Simulated seconds before a role grant takes effect; default IAM_PROPAGATION_SECONDS (120). */
  iamPropagationSeconds?: number;
  /** Told about every Google API call as it is logged (tests wait for a call instead of polling). */
  onCall?: (call: CallRec) => void;
  /** Where the state survives a restart (persistence.ts); none: it lives in memory only. */
  store?: SandboxStore;
  /**
   * Bindings every new project's policy starts with (teams, groups, Google's service agents), so a
   * project policy has a realistic size (tens of KB); default 240. 0 keeps policies empty.
   */
  seedBindings?: number;
  /** How many Google API calls the call log keeps (the newest); default 10 000. */
  callLogCapacity?: number;
}

export interface InheritedGrant {
  /** IAM member form: `user:a@x.com`, `serviceAccount:b@p.iam.gserviceaccount.com`. */
  member: string;
  roles: string[];
}

const DEFAULT_CALL_LOG_CAPACITY = 10_000;

export type Phase = 'creating' | 'ready' | 'deleting';

export interface Binding {
  role: string;
  members: string[];
  condition?: unknown;
}

export interface PolicyRec {
  bindings: Binding[];
  version: number;
  etagSeq: number;
  /**
   * When each unconditional grant (`role\nmember`) was written, on the sandbox clock: it takes
   * effect once propagated. A grant without a time has been in force from the start.
   */
  grantedAt: Record<string, number>;
}

export interface ServiceAccountRec {
  project: string;
  accountId: string;
  email: string;
  displayName?: string;
  description?: string;
  uniqueId: string;
  createdAt: number;
}

export interface BucketRec {
  name: string;
  project: string;
  id: string;
  body: Record<string, unknown>;
  createdAt: number;
  /** Object names → size and creation time (contents are not kept; a non-empty bucket cannot be deleted). */
  objects: Map<string, { size: number; createdAt: number }>;
}

/** Puts `count` placeholder objects (`object-0`, …) in a bucket, replacing what it held. */
export function fillBucket(world: World, bucket: BucketRec, count: number): void {
  bucket.objects = new Map(Array.from({ length: count }, (_, i) => [`object-${i}`, { size: 1024, createdAt: world.now() }]));
}

export type ComputeType = 'network' | 'subnetwork' | 'router' | 'forwardingRule';

export interface ComputeRec {
  type: ComputeType;
  project: string;
  /** null for global resources (networks). */
  region: string | null;
  name: string;
  id: string;
  createdAt: number;
  phase: Phase;
  body: Record<string, unknown>;
  /** Relative paths of what this resource uses; deletion of those is refused while it exists. */
  uses: string[];
}

/** GKE's statuses (container v1 Cluster.Status / NodePool.Status) the sandbox reaches. */
export type GkeStatus = 'PROVISIONING' | 'RUNNING' | 'STOPPING' | 'ERROR' | 'DEGRADED';

export interface NodePoolRec {
  name: string;
  body: Record<string, unknown>;
  status: Exclude<GkeStatus, 'DEGRADED'>;
  /** Why it is in ERROR (GKE's `statusMessage`). */
  statusMessage?: string;
  createdAt: number;
  /** The operation running on this pool: GKE runs one per node pool at a time. */
  currentOp?: string;
  /** When its nodes came up (the create operation's end): the fake Kubernetes API schedules from then. */
  readyAt?: number;
}

export interface ClusterRec {
  project: string;
  location: string;
  name: string;
  id: string;
  body: Record<string, unknown>;
  status: GkeStatus;
  statusMessage?: string;
  createdAt: number;
  nodePools: Map<string, NodePoolRec>;
  /**
   * The cluster-level operation running (create, delete): it excludes every other operation.
   * Node pool operations run beside one another (NodePoolRec.currentOp).
   */
  currentOp?: string;
  network: string;
  subnetwork: string;
  endpoint: string;
  /** The control plane's CA (base64 PEM), set by the fake Kubernetes API server of the cluster. */
  caBase64?: string;
  workloadPool?: string;
}

/**
 * What happens beside a cluster's life: the fake Kubernetes API (api/sandbox/kubernetes/) starts a
 * control plane (endpoint and CA) when a cluster is created, stops it when the cluster is gone, and
 * lists the clusters' objects in the inventory.
 */
export interface KubernetesHooks {
  created(cluster: ClusterRec): Promise<void>;
  deleted(cluster: ClusterRec): void;
  inventory(): { type: string; name: string; project: string; location: string }[];
}

export interface SimpleRec {
  project: string;
  id: string;
  body: Record<string, unknown>;
  createdAt: number;
}

export interface DatasetRec extends SimpleRec {
  tables: Map<string, SimpleRec>;
}

export interface RepositoryRec extends SimpleRec {
  location: string;
  phase: Phase;
}

/** A Compute Engine reservation (made through the test API: the plan never creates one). */
export interface ReservationRec {
  project: string;
  zone: string;
  name: string;
  id: string;
  machineType: string;
  count: number;
  createdAt: number;
}

export interface CallRec {
  seq: number;
  time: string;
  method: string;
  path: string;
  status: number;
  principal?: string;
}

/** `{enabled}` holds from `at` on; before `at` the opposite state held (the enable/disable LRO). */
interface ServiceState {
  enabled: boolean;
  at: number;
}

/**
 * Google enables some services on every new project; the sandbox treats these as enabled by default
 * so bootstrap can call them before it enables anything else.
 */
export const DEFAULT_ENABLED_SERVICES = [
  'serviceusage.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'cloudresourcemanager.googleapis.com',
  'storage.googleapis.com',
] as const;

const EFFECTS = new Map<string, (world: World, effect: Effect) => void>();

/**
 * Registers what an effect of `kind` does when its operation is done. Service modules register at
 * load, so every handler exists before a world settles (or a saved one is restored).
 */
export function onEffect<E extends Effect>(kind: E['kind'], apply: (world: World, effect: E) => void): void {
  EFFECTS.set(kind, apply as (world: World, effect: Effect) => void);
}

/** What survives a restart (persistence.ts): every resource, policy, token and operation; not the call log. */
const PERSISTED = [
  'projects', 'services', 'policies', 'serviceAccounts', 'serviceAgents', 'tokens', 'buckets', 'compute', 'computeOps',
  'computeRequestIds', 'clusters', 'containerOps', 'lroOps', 'schemas', 'topics', 'subscriptions', 'datasets', 'repositories',
  'reservations',
] as const;

export class World {
  readonly sched: Scheduler;
  readonly faults: Faults;
  kubernetes: KubernetesHooks = { created: async () => {}, deleted: () => {}, inventory: () => [] };
  readonly #knownProjects?: Record<string, { projectNumber: string }>;
  readonly inherited: readonly InheritedGrant[];
  readonly iamPropagationSeconds: number;
  readonly #seedBindings: number;
  readonly #onCall?: (call: CallRec) => void;

  projects!: Map<string, { projectId: string; projectNumber: string; createdAt: number }>;
  services!: Map<string, Map<string, ServiceState>>;
  policies!: Map<string, PolicyRec>;
  serviceAccounts!: Map<string, ServiceAccountRec>;
  /** Google-managed service agents created by generateServiceIdentity, by email. */
  serviceAgents!: Map<string, { project: string; service: string; uniqueId: string; createdAt: number }>;
  tokens!: Map<string, { principal: string; expiresAt: number }>;
  buckets!: Map<string, BucketRec>;
  compute!: Map<string, ComputeRec>;
  computeOps!: Map<string, ComputeOp>;
  computeRequestIds!: Map<string, string>;
  clusters!: Map<string, ClusterRec>;
  containerOps!: Map<string, ContainerOp>;
  lroOps!: Map<string, LongrunningOp>;
  schemas!: Map<string, SimpleRec>;
  topics!: Map<string, SimpleRec>;
  subscriptions!: Map<string, SimpleRec>;
  datasets!: Map<string, DatasetRec>;
  repositories!: Map<string, RepositoryRec>;
  /** `projects/p/zones/z/reservations/r` → reservation. */
  reservations!: Map<string, ReservationRec>;
  /** The last `callLogCapacity` Google API calls (a ring: the oldest go first). */
  calls!: CallRec[];
  #callSeq = 0;
  readonly #callLogCapacity: number;
  /** Signs the identity bearers this sandbox issues (auth.ts); kept across reset, like the tokens' holders. */
  readonly identitySecret = randomBytes(32);
  #counter = 0;
  #settledSinceSave = false;

  constructor(options: SandboxOptions) {
    if (!(options.timeScale >= 0)) throw new Error('timeScale must be a number >= 0');
    this.sched = new Scheduler(options.clock ?? systemClock, options.timeScale);
    this.faults = new Faults(options.random ?? Math.random, options.faults);
    this.#knownProjects = options.projects;
    this.inherited = options.inherited ?? [];
    this.iamPropagationSeconds = options.iamPropagationSeconds ?? IAM_PROPAGATION_SECONDS;
    this.#seedBindings = options.seedBindings ?? 240;
    this.#onCall = options.onCall;
    this.#callLogCapacity = options.callLogCapacity ?? DEFAULT_CALL_LOG_CAPACITY;
    this.reset();
  }

  reset(): void {
    this.sched.reset();
    this.projects = new Map();
    this.services = new Map();
    this.policies = new Map();
    this.serviceAccounts = new Map();
    this.serviceAgents = new Map();
    this.tokens = new Map();
    this.buckets = new Map();
    this.compute = new Map();
    this.computeOps = new Map();
    this.computeRequestIds = new Map();
    this.clusters = new Map();
    this.containerOps = new Map();
    this.lroOps = new Map();
    this.schemas = new Map();
    this.topics = new Map();
    this.subscriptions = new Map();
    this.datasets = new Map();
    this.repositories = new Map();
    this.reservations = new Map();
    this.calls = [];
    this.#callSeq = 0;
    this.#counter = 0;
  }

  now(): number {
    return this.sched.now();
  }

  /** The persisted state as plain values (Maps and records; persistence.ts makes it text). */
  toData(): Record<string, unknown> {
    return { ...Object.fromEntries(PERSISTED.map((k) => [k, this[k]])), counter: this.#counter, scheduler: this.sched.snapshot() };
  }

  /** Replaces the state with one `toData` made (by this version of the sandbox). */
  fromData(data: Record<string, unknown>): void {
    this.reset();
    for (const k of PERSISTED) if (data[k] instanceof Map) (this as Record<string, unknown>)[k] = data[k];
    this.#counter = Number(data.counter) || 0;
    this.sched.restore(data.scheduler as ReturnType<Scheduler['snapshot']>);
  }

  /** Applies the effects of finished operations. */
  settle(): void {
    const applied = this.sched.settle((effect) => {
      const apply = EFFECTS.get(effect.kind);
      if (!apply) throw new Error(`sandbox: no handler for effect ${effect.kind}`);
      apply(this, effect);
    });
    if (applied) this.#settledSinceSave = true;
  }

  /** Whether a settle changed something since the last call (a read that must be saved). */
  takeSettled(): boolean {
    const settled = this.#settledSinceSave;
    this.#settledSinceSave = false;
    return settled;
  }

  /** A unique decimal id (compute `id`, IAM `uniqueId`…), deterministic per world. */
  numericId(): string {
    this.#counter += 1;
    return (1_000_000_000_000_000_000n + BigInt(hash32(`id${this.#counter}`)) * 1_000_000n + BigInt(this.#counter))
      .toString();
  }

  /** `operation-<ms>-<hex>` as compute and GKE name their operations. */
  operationName(): string {
    this.#counter += 1;
    return `operation-${this.now()}-${hash32(`op${this.#counter}`).toString(16).padStart(8, '0')}`;
  }

  /** Short hex token used in generated names (forwarding rules, LRO ids). */
  hex(len = 32): string {
    let out = '';
    while (out.length < len) {
      this.#counter += 1;
      out += hash32(`hex${this.#counter}`).toString(16).padStart(8, '0');
    }
    return out.slice(0, len);
  }

  /** The project, or 403 as Google answers for a project that does not exist or is not visible. */
  project(projectId: string) {
    let p = this.projects.get(projectId);
    if (p) return p;
    const known = this.#knownProjects;
    if (known && !known[projectId]) {
      throw new GoogleApiError(403, 'PERMISSION_DENIED', `Project '${projectId}' not found or permission denied.`, {
        reason: 'forbidden',
      });
    }
    // Lenient on purpose (Google requires 6–30 characters): short ids like `p` keep tests readable.
    if (!/^[a-z][-a-z0-9]{0,62}$/.test(projectId)) {
      throw new GoogleApiError(400, 'INVALID_ARGUMENT', `Invalid project id '${projectId}'.`, { reason: 'invalid' });
    }
    const projectNumber = known?.[projectId]?.projectNumber ?? deriveProjectNumber(projectId);
    p = { projectId, projectNumber, createdAt: this.now() };
    this.projects.set(projectId, p);
    const bindings = seedBindings(projectId, projectNumber, this.#seedBindings);
    if (bindings.length) this.policies.set(`projects/${projectId}`, { bindings, version: 3, etagSeq: 1, grantedAt: {} });
    return p;
  }

  /** A project named by id or by number (`projects/123456789012/…`), as its id. */
  projectIdOf(ref: string): string {
    if (!/^\d+$/.test(ref)) return ref;
    const p = [...this.projects.values()].find((x) => x.projectNumber === ref);
    if (!p) {
      throw new GoogleApiError(403, 'PERMISSION_DENIED', `Project '${ref}' not found or permission denied.`, { reason: 'forbidden' });
    }
    return p.projectId;
  }

  /** The service's agent in the project (`service-<number>@gcp-sa-<name>…`), created on first call. */
  generateServiceIdentity(projectId: string, service: string): { email: string; uniqueId: string } {
    const number = this.project(projectId).projectNumber;
    const email = `service-${number}@gcp-sa-${service.split('.')[0]}.iam.gserviceaccount.com`;
    let agent = this.serviceAgents.get(email);
    if (!agent) {
      agent = { project: projectId, service, uniqueId: this.numericId().slice(0, 21), createdAt: this.now() };
      this.serviceAgents.set(email, agent);
    }
    return { email, uniqueId: agent.uniqueId };
  }

  isServiceEnabled(projectId: string, service: string): boolean {
    const s = this.services.get(projectId)?.get(service);
    if (!s) return (DEFAULT_ENABLED_SERVICES as readonly string[]).includes(service);
    return this.now() >= s.at ? s.enabled : !s.enabled;
  }

  /** Records that `service` becomes enabled (or disabled) at `at`. */
  setServiceState(projectId: string, service: string, enabled: boolean, at: number): void {
    let m = this.services.get(projectId);
    if (!m) this.services.set(projectId, (m = new Map()));
    m.set(service, { enabled, at });
  }

  /** Services whose state was ever set (for the settings inventory). */
  serviceStates(): { project: string; service: string; state: 'ENABLED' | 'DISABLED' }[] {
    const out: { project: string; service: string; state: 'ENABLED' | 'DISABLED' }[] = [];
    for (const [project, m] of this.services) {
      for (const service of m.keys()) {
        out.push({ project, service, state: this.isServiceEnabled(project, service) ? 'ENABLED' : 'DISABLED' });
      }
    }
    return out;
  }

  logCall(call: Omit<CallRec, 'seq' | 'time'>): void {
    this.#callSeq += 1;
    const rec = { seq: this.#callSeq, time: new Date(this.now()).toISOString(), ...call };
    this.calls.push(rec);
    if (this.calls.length > this.#callLogCapacity) this.calls.splice(0, this.calls.length - this.#callLogCapacity);
    this.#onCall?.(rec);
  }
}

/** A stable 12-digit project number for a project id (Google's numbers look like 123456789012). */
export function deriveProjectNumber(projectId: string): string {
  return String(100_000_000_000 + ((hash32(projectId) * 211) % 899_999_999_999));
}
