/**
 * Long-running operations without timers. An operation is `{startedAt, doneAt}` on the simulated clock;
 * its effect (a resource becoming RUNNING, being removed, a service becoming ENABLED…) is applied by
 * `settle()`, which every request runs first. So state is computed lazily when read, in completion order.
 */
import { rfc3339, type Clock } from './clock.js';
import type { GoogleApiError } from './errors.js';

/** Simulated seconds per kind of work (before `timeScale`); deletes take as long as creates. */
export const DURATIONS = {
  cluster: 420,
  tpuNodePool: 300,
  cpuNodePool: 180,
  network: 25,
  subnetwork: 20,
  services: 40,
  other: 1,
  /** GKE's in-place changes (labels, a pool's size or autoscaling): about a minute. */
  inPlace: 60,
} as const;

export interface Timed {
  readonly seq: number;
  readonly startedAt: number;
  readonly doneAt: number;
}

interface Pending {
  timed: Timed;
  /** Runs at the first settle after `timed.doneAt`; it gets `timed` to date what it does then. */
  effect: (timed: Timed) => void;
}

export class Scheduler {
  #seq = 0;
  #pending: Pending[] = [];

  constructor(
    readonly clock: Clock,
    readonly timeScale: number,
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** Real milliseconds that `seconds` of simulated time take. */
  scaled(seconds: number): number {
    return seconds * 1000 * this.timeScale;
  }

  /** Starts work taking `seconds` (simulated); `effect` runs at the first settle after it is done. */
  start(seconds: number, effect?: (timed: Timed) => void): Timed {
    const startedAt = this.now();
    const timed = { seq: ++this.#seq, startedAt, doneAt: startedAt + this.scaled(seconds) };
    if (effect) this.#pending.push({ timed, effect });
    return timed;
  }

  done(t: Timed): boolean {
    return this.now() >= t.doneAt;
  }

  /** 0–100, as compute's `progress` field. */
  progress(t: Timed): number {
    if (this.done(t)) return 100;
    const span = t.doneAt - t.startedAt;
    return span <= 0 ? 100 : Math.floor(((this.now() - t.startedAt) / span) * 100);
  }

  /** Applies the effects of every operation that has finished, oldest completion first. */
  settle(): void {
    const now = this.now();
    const due = this.#pending.filter((p) => p.timed.doneAt <= now);
    if (due.length === 0) return;
    this.#pending = this.#pending.filter((p) => p.timed.doneAt > now);
    due.sort((a, b) => a.timed.doneAt - b.timed.doneAt || a.timed.seq - b.timed.seq);
    for (const p of due) p.effect(p.timed);
  }

  reset(): void {
    this.#pending = [];
  }
}

/** A compute operation as stored; rendered as `compute#operation` on read. */
export interface ComputeOp {
  timed: Timed;
  id: string;
  name: string;
  project: string;
  /** null for global operations. */
  region: string | null;
  operationType: 'insert' | 'delete';
  /** Relative path of the target, e.g. `projects/p/global/networks/n`. */
  target: string;
  targetId: string;
  user: string;
}

export function renderComputeOp(op: ComputeOp, sched: Scheduler, computeBase: string) {
  const done = sched.done(op.timed);
  const scope = op.region ? `regions/${op.region}` : 'global';
  return {
    kind: 'compute#operation',
    id: op.id,
    name: op.name,
    operationType: op.operationType,
    targetLink: `${computeBase}/${op.target}`,
    targetId: op.targetId,
    status: done ? 'DONE' : 'RUNNING',
    user: op.user,
    progress: sched.progress(op.timed),
    insertTime: rfc3339(op.timed.startedAt),
    startTime: rfc3339(op.timed.startedAt),
    ...(done ? { endTime: rfc3339(op.timed.doneAt) } : {}),
    selfLink: `${computeBase}/projects/${op.project}/${scope}/operations/${op.name}`,
    ...(op.region ? { region: `${computeBase}/projects/${op.project}/regions/${op.region}` } : {}),
  };
}

/** A GKE operation (container v1 `Operation`). */
export interface ContainerOp {
  timed: Timed;
  name: string;
  project: string;
  location: string;
  operationType: 'CREATE_CLUSTER' | 'DELETE_CLUSTER' | 'CREATE_NODE_POOL' | 'DELETE_NODE_POOL' | 'SET_LABELS' | 'SET_NODE_POOL_SIZE' | 'UPDATE_CLUSTER';
  /** Relative path of the target, e.g. `projects/p/locations/l/clusters/c`. */
  target: string;
  /** Set when the operation ends DONE with an error (e.g. TPU stockout). */
  error?: GoogleApiError;
}

export function renderContainerOp(op: ContainerOp, sched: Scheduler, containerBase: string) {
  const done = sched.done(op.timed);
  const failed = done && op.error;
  return {
    name: op.name,
    zone: op.location,
    operationType: op.operationType,
    status: done ? 'DONE' : 'RUNNING',
    selfLink: `${containerBase}/v1/projects/${op.project}/locations/${op.location}/operations/${op.name}`,
    targetLink: `${containerBase}/v1/${op.target}`,
    location: op.location,
    startTime: rfc3339(op.timed.startedAt),
    ...(done ? { endTime: rfc3339(op.timed.doneAt) } : {}),
    ...(failed ? { statusMessage: op.error!.message, error: op.error!.toRpcStatus() } : {}),
  };
}

/** A google.longrunning.Operation (serviceusage, artifactregistry). */
export interface LongrunningOp {
  timed: Timed;
  name: string;
  metadata?: Record<string, unknown>;
  /** Computed when the operation is read after it is done. */
  response?: () => Record<string, unknown>;
  error?: GoogleApiError;
}

export function renderLongrunningOp(op: LongrunningOp, sched: Scheduler) {
  const done = sched.done(op.timed);
  return {
    name: op.name,
    ...(op.metadata ? { metadata: op.metadata } : {}),
    // proto3 JSON omits false booleans: a running operation has no `done` key at all.
    ...(done ? { done: true } : {}),
    ...(done && op.error ? { error: op.error.toRpcStatus() } : {}),
    ...(done && !op.error && op.response ? { response: op.response() } : {}),
  };
}
