/**
 * Errors of the local engine.
 *
 * `WorkflowError` is an error *inside* the workflow: what `raise` throws and what `except` catches.
 * Its `value` is exactly what the workflow sees in `except: as: e` — the raised string or map, or a
 * system error map `{message, tags, code?, ...}` built by `systemError`, carrying Google's tags
 * (`KeyError`, `HttpError`, …) so `${"KeyError" in e.tags}` behaves as in production.
 *
 * The other classes are *not* catchable by `try/except`, mirroring Google: a definition problem is a
 * deployment error there (`WorkflowLoadError` at load time, `DefinitionError` when it can only be
 * seen at run time), and cancellation ends the execution without running handlers.
 */
import { getKey, isMap, newMap, type Value, type WfMap } from './values.js';

/** Google's error tags used by this interpreter. */
export type ErrorTag =
  | 'AuthError'
  | 'ConnectionError'
  | 'ConnectionFailedError'
  | 'HttpError'
  | 'IndexError'
  | 'KeyError'
  | 'OSError'
  | 'ParallelNestingError'
  | 'RecursionError'
  | 'ResourceLimitError'
  | 'SystemError'
  | 'TimeoutError'
  | 'TypeError'
  | 'UnhandledBranchError'
  | 'ValueError'
  | 'ZeroDivisionError';

export class WorkflowError extends Error {
  /** The step where the error surfaced first (kept while it propagates, like Google's context). */
  stepName: string | undefined;
  /** The subworkflow ("routine") that step belongs to. */
  routine: string | undefined;

  constructor(readonly value: Value) {
    super(describe(value));
    this.name = 'WorkflowError';
  }

  get tags(): string[] {
    if (!isMap(this.value)) return [];
    const tags = getKey(this.value, 'tags');
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
  }

  hasTag(tag: string): boolean {
    return this.tags.includes(tag);
  }

  /** Records where the error happened unless an inner step already did. */
  at(stepName: string, routine: string): this {
    if (this.stepName === undefined) {
      this.stepName = stepName;
      this.routine = routine;
    }
    return this;
  }
}

function describe(v: Value): string {
  if (typeof v === 'string') return v;
  if (isMap(v) && typeof getKey(v, 'message') === 'string') return getKey(v, 'message') as string;
  return JSON.stringify(v);
}

/** Builds a system error map `{message, tags, ...extra}` and wraps it. */
export function systemError(tag: ErrorTag | ErrorTag[], message: string, extra?: Record<string, Value>): WorkflowError {
  const tags = Array.isArray(tag) ? tag : [tag];
  const m: WfMap = newMap([
    ['message', message],
    ['tags', tags],
  ]);
  if (extra) for (const [k, v] of Object.entries(extra)) m[k] = v;
  return new WorkflowError(m);
}

/** A definition problem found while loading the YAML (Google: a deployment error). */
export class WorkflowLoadError extends Error {
  constructor(
    message: string,
    readonly stepName?: string,
  ) {
    super(stepName ? `${message} (step "${stepName}")` : message);
    this.name = 'WorkflowLoadError';
  }
}

/** A definition problem only visible at run time (Google rejects it at deployment). Not catchable. */
export class DefinitionError extends Error {
  constructor(
    message: string,
    readonly stepName?: string,
    readonly routine?: string,
  ) {
    super(message);
    this.name = 'DefinitionError';
  }
}

/** Thrown through the interpreter when the execution is cancelled. Not catchable by `except`. */
export class CancelledError extends Error {
  constructor() {
    super('execution cancelled');
    this.name = 'CancelledError';
  }
}
