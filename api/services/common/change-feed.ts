import { DomainError } from '../../domain/errors.js';

/** Why a watch woke up. */
export type Wake = 'changed' | 'heartbeat' | 'closed';

/** One open watch of one environment (an event stream). */
export interface Watch {
  /**
   * Resolves when the environment has changed since the previous call (at once if it already
   * has), after the heartbeat interval, or when the watch is closed.
   */
  next(): Promise<Wake>;
  close(): void;
}

interface Watcher {
  environmentId: string;
  /** A change arrived that `next()` has not reported yet. */
  pending: boolean;
  wake?: (wake: Wake) => void;
}

/**
 * "Environment X changed", in process: `commit()` signals after each transaction, and event
 * streams wait on it instead of polling the store. A signal carries no data — a woken stream reads
 * the store — so a signal is never lost between a stream's read and its next wait (`pending`
 * remembers it), and a spurious one costs a read. Only this process's commits are seen: with
 * several instances (Cloud Run), a stream also reads the store on each heartbeat, so a change
 * committed elsewhere arrives within one heartbeat interval.
 *
 * Watches are bounded per instance (each holds a connection, and Cloud Run caps concurrent
 * requests per instance), and `close()` ends them all so that a draining server does not wait on
 * streams that would never end by themselves.
 */
export class ChangeFeed {
  private readonly watchers = new Set<Watcher>();
  private closed = false;

  constructor(readonly limits: { maxWatches: number; heartbeatMs: number }) {}

  notify(environmentId: string): void {
    for (const watcher of this.watchers) {
      if (watcher.environmentId !== environmentId) continue;
      watcher.pending = true;
      watcher.wake?.('changed');
    }
  }

  /** Opens a watch, or refuses with UNAVAILABLE when the instance has as many as it allows. */
  watch(environmentId: string): Watch {
    if (this.closed) throw new DomainError('UNAVAILABLE', 'the service is shutting down; reconnect in a moment');
    if (this.watchers.size >= this.limits.maxWatches) {
      throw new DomainError('UNAVAILABLE',
        `this instance already serves ${this.limits.maxWatches} event streams; retry in a moment, or poll GET /environments/{id}/events`);
    }
    const watcher: Watcher = { environmentId, pending: false };
    this.watchers.add(watcher);
    return {
      next: () => {
        if (this.closed || !this.watchers.has(watcher)) return Promise.resolve('closed');
        if (watcher.pending) {
          watcher.pending = false;
          return Promise.resolve('changed');
        }
        return new Promise<Wake>((resolve) => {
          const timer = setTimeout(() => settle('heartbeat'), this.limits.heartbeatMs);
          const settle = (wake: Wake) => {
            clearTimeout(timer);
            watcher.wake = undefined;
            if (wake === 'changed') watcher.pending = false;
            resolve(wake);
          };
          watcher.wake = settle;
        });
      },
      close: () => {
        this.watchers.delete(watcher);
        watcher.wake?.('closed');
      },
    };
  }

  /** The server is stopping: every watch wakes with 'closed', and no new one opens. */
  close(): void {
    this.closed = true;
    for (const watcher of this.watchers) watcher.wake?.('closed');
    this.watchers.clear();
  }
}
