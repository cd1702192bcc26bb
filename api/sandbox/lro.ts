/**
 * Long-running operations without timers. An operation is `{startedAt, doneAt}` on the simulated clock;
 * its effect (a resource becoming RUNNING, being removed…) is applied by `settle()`, which every
 * request runs first. So state is computed lazily when read, in completion order. Effects are plain
 * data naming what to do (`{kind: 'compute', op}`), applied by the handler the service module
 * registered for the kind: the pending ones survive a restart (persistence.ts) like the rest.
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

/** What happens when an operation is done: `kind` selects the handler (`onEffect`), the rest is its data. */
export interface Effect {
  kind: string;
  [key: string]: unknown;
}

/**
 * A data effect survives a restart; a function runs in this process only (the fake Kubernetes
 * API's timers, whose state is not kept either).
 */
export type AnyEffect = Effect | ((timed: Timed) => void);

export interface Pending {
  timed: Timed;
  effect: AnyEffect;
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

  /** Starts work taking `seconds` (simulated); `effect` is applied at the first settle after it is done. */
  start(seconds: number, effect?: AnyEffect): Timed {
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

  /** Applies the effects of every operation that has finished, oldest completion first; how many. */
  settle(apply: (effect: Effect) => void): number {
    const now = this.now();
    const due = this.#pending.filter((p) => p.timed.doneAt <= now);
    if (due.length === 0) return 0;
    this.#pending = this.#pending.filter((p) => p.timed.doneAt > now);
    due.sort((a, b) => a.timed.doneAt - b.timed.doneAt || a.timed.seq - b.timed.seq);
    for (const p of due) {
      if (typeof p.effect === 'function') p.effect(p.timed);
      else apply(p.effect);
    }
    return due.length;
  }

  reset(): void {
    this.#pending = [];
    this.#seq = 0;
  }

  /** The pending effects and the sequence, as data (persistence.ts). */
  snapshot(): { seq: number; pending: Pending[] } {
    return { seq: this.#seq, pending: this.#pending.filter((p) => typeof p.effect !== 'function') };
  }

  restore(saved: { seq: number; pending: Pending[] }): void {
    this.#seq = saved.seq;
    this.#pending = saved.pending;
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
  /** A cluster creation that ends DEGRADED rather than RUNNING: GKE's statusMessage. */
  degraded?: string;
  /** An in-place change: the fields it sets on its target's body when it ends. */
  change?: Record<string, unknown>;
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
  /** The project whose permissions govern reading it. */
  project?: string;
  metadata?: Record<string, unknown>;
  /** Shown once the operation is done (written as it will read then). */
  response?: Record<string, unknown>;
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
    ...(done && !op.error && op.response ? { response: op.response } : {}),
  };
}
