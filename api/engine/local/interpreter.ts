/**
 * Executes a loaded workflow: steps, control flow, subworkflow calls, loops, parallel branches,
 * try/retry/except, and the blocking calls (`http.*`, `sys.sleep`, `sys.log`).
 *
 * Control flow is explicit: running a step list returns a `Signal` — completed normally, jump
 * (`next: step`), `return`, `end`, `break`, `continue`. A jump whose target is not in the current
 * list travels outwards until an enclosing list has it (the loader guarantees one does), which is
 * how `next` leaves a `switch`, `try` or `except` block. Errors inside the workflow are
 * `WorkflowError`s and unwind through JavaScript exceptions to the nearest `try`.
 *
 * Accounting (Google bills every executed step, failed ones and each retry included): every step
 * counts once each time it starts — steps inside subworkflows, loop iterations, branches, retry
 * predicates and re-run `try` bodies included. Switch conditions and the single-step form of `try`
 * are part of their step. Cancellation is checked before every step and aborts sleeps, backoff
 * waits and HTTP requests immediately.
 */
import { abortReason, type Clock } from './clock.js';
import { CancelledError, DefinitionError, systemError, WorkflowError } from './errors.js';
import { evaluate, type EvalContext } from './expressions.js';
import { httpCall, type TokenProvider } from './http.js';
import { LIMITS } from './limits.js';
import type { Action, ForSpec, RetryPredicate, RetrySpec, Routine, Step, StepList, Template, Workflow } from './parse.js';
import { MemoryMeter, Scope } from './scope.js';
import { callFunction, callFunctionNamed, retryableByDefault, type StdlibEnv } from './stdlib.js';
import { getKey, isMap, newMap, toPlain, typeName, type Value, type WfMap } from './values.js';

export type Signal =
  | { t: 'normal' }
  | { t: 'next'; target: string }
  | { t: 'return'; value: Value }
  | { t: 'end' }
  | { t: 'break' }
  | { t: 'continue' };

const NORMAL: Signal = { t: 'normal' };
const SEVERITIES = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];

export interface LogEntry {
  severity: string;
  message: string;
  execution: string;
  step?: string;
  /** sys.log payload, or call details (never headers or tokens). */
  data?: unknown;
}

export interface InterpreterOptions {
  workflow: Workflow;
  executionName: string;
  clock: Clock;
  /** Multiplies every `sys.sleep` and retry backoff (the sandbox's time scale). */
  timeScale: number;
  tokens: TokenProvider;
  fetch: typeof fetch;
  env: (name: string) => string | undefined;
  /** Aborted on cancellation. */
  signal: AbortSignal;
  log: (entry: LogEntry) => void;
}

export class Interpreter {
  /** Billable steps so far (readable while the execution runs). */
  steps = 0;
  readonly meter = new MemoryMeter();
  /** Aborted on cancellation or on a fatal (non-catchable) error, so parallel branches stop too. */
  private readonly halt = new AbortController();
  private readonly stdEnv: StdlibEnv;

  constructor(private readonly o: InterpreterOptions) {
    this.stdEnv = { nowMs: () => o.clock.now(), env: o.env };
    if (o.signal.aborted) this.halt.abort(o.signal.reason);
    else o.signal.addEventListener('abort', () => this.halt.abort(o.signal.reason), { once: true });
  }

  /** Runs `main` with the execution argument and returns its result. */
  async run(argument: Value): Promise<Value> {
    const main = this.o.workflow.main;
    const scope = new Scope(undefined, 'routine', this.meter, 0);
    const param = main.params[0];
    if (param) scope.define(param.name, argument);
    try {
      const sig = await this.runList(main.body, scope);
      return sig.t === 'return' ? sig.value : null;
    } catch (e) {
      if (!(e instanceof WorkflowError) && !(e instanceof CancelledError)) this.halt.abort(e);
      throw e;
    } finally {
      scope.dispose();
    }
  }

  // ------------------------------------------------------------ steps

  private async runList(list: StepList, scope: Scope): Promise<Signal> {
    let i = 0;
    while (i < list.steps.length) {
      const sig = await this.runStep(list.steps[i] as Step, scope);
      if (sig.t === 'normal') {
        i++;
        continue;
      }
      if (sig.t === 'next') {
        const j = list.index.get(sig.target);
        if (j !== undefined) {
          i = j;
          continue;
        }
      }
      return sig;
    }
    return NORMAL;
  }

  private async runStep(step: Step, scope: Scope): Promise<Signal> {
    if (this.halt.signal.aborted) throw abortReason(this.halt.signal);
    if (!step.inline) {
      this.steps++;
      if (this.steps > LIMITS.stepsPerExecution) {
        throw systemError('ResourceLimitError', `ResourceLimitError: the execution exceeded ${LIMITS.stepsPerExecution} steps`).at(step.name, step.routine);
      }
    }
    try {
      const sig = await this.exec(step, step.action, scope);
      if (sig.t !== 'normal' || step.next === undefined) return sig;
      if (step.next === 'end') return { t: 'end' };
      if (step.next === 'break') return { t: 'break' };
      if (step.next === 'continue') return { t: 'continue' };
      return { t: 'next', target: step.next };
    } catch (e) {
      if (e instanceof WorkflowError) e.at(step.name, step.routine);
      if (e instanceof DefinitionError && e.stepName === undefined) throw new DefinitionError(e.message, step.name, step.routine);
      throw e;
    }
  }

  private async exec(step: Step, a: Action, scope: Scope): Promise<Signal> {
    switch (a.k) {
      case 'noop':
        return NORMAL;
      case 'assign':
        for (const item of a.items) {
          const value = this.eval(item.value, scope);
          if (item.target.path.length === 0) scope.assign(item.target.root, value);
          else {
            const path = item.target.path.map((p) => (p.k === 'key' ? p.name : this.pathIndex(evaluate(p.e, this.ctx(scope)))));
            scope.assignPath(item.target.root, path, value);
          }
        }
        return NORMAL;
      case 'call': {
        const args = a.args ? this.eval(a.args, scope) : newMap();
        if (!isMap(args)) throw systemError('TypeError', `args must be a map, got ${typeName(args)}`);
        const result = await this.call(step, a, args, scope);
        if (a.result) scope.assign(a.result, result);
        return NORMAL;
      }
      case 'switch':
        for (const c of a.conditions) {
          const v = this.eval(c.cond, scope);
          if (typeof v !== 'boolean') throw systemError('TypeError', `switch condition must be a bool, got ${typeName(v)}`);
          if (v) return this.runStep(c.body, scope);
        }
        return NORMAL;
      case 'for':
        return this.runFor(a.loop, scope);
      case 'parallel':
        await this.runParallel(a, scope);
        return NORMAL;
      case 'try':
        return this.runTry(a, scope);
      case 'raise':
        throw new WorkflowError(this.eval(a.value, scope));
      case 'return':
        return { t: 'return', value: this.eval(a.value, scope) };
      case 'steps':
        return this.runList(a.body, scope);
    }
  }

  private pathIndex(v: Value): string | number {
    if (typeof v === 'string' || typeof v === 'number') return v;
    throw systemError('TypeError', `an assignment index must be a string or an int, got ${typeName(v)}`);
  }

  // ------------------------------------------------------------ calls

  private async call(step: Step, a: Extract<Action, { k: 'call' }>, args: WfMap, scope: Scope): Promise<Value> {
    switch (a.kind) {
      case 'subworkflow':
        return this.callRoutine(this.routine(a.fn), args, scope);
      case 'http':
        return httpCall(a.fn, args, {
          fetch: this.o.fetch,
          clock: this.o.clock,
          signal: this.halt.signal,
          tokens: this.o.tokens,
          log: (message, data) => this.o.log({ severity: 'DEBUG', message, execution: this.o.executionName, step: step.name, data }),
        });
      case 'sys.sleep': {
        const seconds = getKey(args, 'seconds');
        if (typeof seconds !== 'number') throw systemError('TypeError', `sys.sleep: seconds must be a number, got ${typeName(seconds ?? null)}`);
        if (seconds < 0 || seconds > LIMITS.maxSleepSeconds) throw systemError('ValueError', `sys.sleep: seconds must be between 0 and ${LIMITS.maxSleepSeconds}`);
        await this.sleep(seconds * 1000);
        return null;
      }
      case 'sys.sleep_until': {
        const time = getKey(args, 'time');
        const target = typeof time === 'string' ? Date.parse(time) : NaN;
        if (Number.isNaN(target)) throw systemError('ValueError', 'sys.sleep_until: time must be an RFC 3339 timestamp');
        await this.sleep(Math.max(0, target - this.o.clock.now()));
        return null;
      }
      case 'sys.log':
        this.sysLog(step, args);
        return null;
      case 'stdlib':
        return callFunctionNamed(a.fn, args, this.stdEnv);
    }
  }

  private routine(name: string): Routine {
    const r = this.o.workflow.routines.get(name);
    if (!r) throw new DefinitionError(`unknown subworkflow ${name}`);
    return r;
  }

  private async callRoutine(r: Routine, args: WfMap, caller: Scope): Promise<Value> {
    if (caller.depth + 1 > LIMITS.callStackDepth) throw systemError('RecursionError', `RecursionError: maximum call stack depth of ${LIMITS.callStackDepth} exceeded`);
    const scope = new Scope(undefined, 'routine', this.meter, caller.depth + 1, undefined, caller.parallelDepth);
    try {
      for (const p of r.params) {
        const given = getKey(args, p.name);
        if (given !== undefined) scope.define(p.name, given);
        else if (p.default) scope.define(p.name, this.eval(p.default, scope));
        else throw systemError('TypeError', `subworkflow ${r.name}: missing argument ${p.name}`);
      }
      const sig = await this.runList(r.body, scope);
      return sig.t === 'return' ? sig.value : null;
    } finally {
      scope.dispose();
    }
  }

  private sysLog(step: Step, args: WfMap): void {
    const severity = getKey(args, 'severity') ?? 'DEFAULT';
    if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) throw systemError('ValueError', `sys.log: severity must be one of ${SEVERITIES.join(', ')}`);
    const text = getKey(args, 'text');
    const json = getKey(args, 'json');
    const data = getKey(args, 'data');
    if (text !== undefined && typeof text !== 'string') throw systemError('TypeError', 'sys.log: text must be a string');
    if (json !== undefined && !isMap(json)) throw systemError('TypeError', 'sys.log: json must be a map');
    const payload = text ?? json ?? data ?? null;
    this.o.log({
      severity,
      message: typeof payload === 'string' ? payload : JSON.stringify(toPlain(payload)),
      execution: this.o.executionName,
      step: step.name,
      data: toPlain(payload),
    });
  }

  /** Sleeps `ms` of workflow time, scaled by the time factor; cancellation interrupts it. */
  private async sleep(ms: number): Promise<void> {
    await this.o.clock.sleep(ms * this.o.timeScale, this.halt.signal);
  }

  // ------------------------------------------------------------ loops

  private iterationValues(loop: ForSpec, scope: Scope): Value[] {
    if (loop.in) {
      const v = this.eval(loop.in, scope);
      if (Array.isArray(v)) return v;
      if (isMap(v)) return Object.keys(v);
      throw systemError('TypeError', `for: "in" must be a list or a map, got ${typeName(v)}`);
    }
    const r = this.eval(loop.range as Template, scope);
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'number' || typeof r[1] !== 'number') {
      throw systemError('TypeError', 'for: "range" must be a list of two numbers');
    }
    const out: number[] = [];
    for (let x = r[0]; x <= r[1]; x++) out.push(x);
    return out;
  }

  private async runFor(loop: ForSpec, scope: Scope): Promise<Signal> {
    const values = this.iterationValues(loop, scope);
    for (let i = 0; i < values.length; i++) {
      const it = scope.child('loop');
      try {
        it.define(loop.value, values[i] as Value);
        if (loop.index) it.define(loop.index, i);
        const sig = await this.runList(loop.body, it);
        if (sig.t === 'break') break;
        if (sig.t === 'return' || sig.t === 'end') return sig;
        if (sig.t === 'next') throw new DefinitionError(`next: ${sig.target} is not reachable from the loop`);
      } finally {
        it.dispose();
      }
    }
    return NORMAL;
  }

  // ------------------------------------------------------------ parallel

  private async runParallel(a: Extract<Action, { k: 'parallel' }>, scope: Scope): Promise<void> {
    // The loader rejects deeper nesting within one subworkflow; this catches it across calls.
    if (scope.parallelDepth + 1 > LIMITS.parallelNesting) {
      throw systemError('ParallelNestingError', `ParallelNestingError: parallel steps nest at most ${LIMITS.parallelNesting} deep`);
    }
    for (const name of a.shared) {
      if (scope.lookup(name) === undefined) throw new DefinitionError(`shared variable '${name}' must be assigned before the parallel step`);
    }
    let limit: number = LIMITS.parallelConcurrency;
    if (a.concurrency) {
      const v = this.eval(a.concurrency, scope);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw systemError('ValueError', 'concurrency_limit must be a positive integer');
      limit = Math.min(v, LIMITS.parallelConcurrency);
    }
    const shared = new Set(a.shared);
    const tasks: Array<{ id: string; run: (bs: Scope) => Promise<Signal> }> = [];
    if (a.branches) {
      for (const b of a.branches) tasks.push({ id: b.name, run: (bs) => this.runList(b.body, bs) });
    } else {
      const loop = a.loop as ForSpec;
      this.iterationValues(loop, scope).forEach((value, i) => {
        tasks.push({
          id: String(i),
          run: (bs) => {
            bs.define(loop.value, value);
            if (loop.index) bs.define(loop.index, i);
            return this.runList(loop.body, bs);
          },
        });
      });
    }

    const failures: Array<{ id: string; error: Value }> = [];
    let fatal: unknown;
    let nextTask = 0;
    const worker = async (): Promise<void> => {
      while (nextTask < tasks.length && fatal === undefined) {
        const task = tasks[nextTask++] as (typeof tasks)[number];
        const bs = scope.child('branch', shared);
        try {
          await task.run(bs);
        } catch (e) {
          if (e instanceof WorkflowError) {
            if (failures.length < LIMITS.unhandledBranchErrors) failures.push({ id: task.id, error: e.value });
          } else {
            // Cancellation or a definition error: stop every branch at its next step.
            fatal ??= e;
            if (!this.halt.signal.aborted) this.halt.abort(e);
          }
        } finally {
          bs.dispose();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    if (fatal !== undefined) throw fatal;
    if (failures.length > 0) {
      throw systemError('UnhandledBranchError', 'UnhandledBranchError: One or more branches or iterations encountered an unhandled runtime error', {
        branches: failures.map((f) => newMap([
          ['id', f.id],
          ['error', f.error],
        ])),
      });
    }
  }

  // ------------------------------------------------------------ try / retry / except

  private async runTry(a: Extract<Action, { k: 'try' }>, scope: Scope): Promise<Signal> {
    let attempt = 0;
    for (;;) {
      try {
        return await this.runList(a.body, scope);
      } catch (e) {
        if (!(e instanceof WorkflowError)) throw e;
        if (a.retry && (await this.shouldRetry(a.retry, attempt, e, scope))) {
          await this.sleep(this.backoffSeconds(a.retry, attempt, scope) * 1000);
          attempt++;
          continue;
        }
        if (!a.except) throw e;
        if (a.except.as) scope.assign(a.except.as, e.value);
        return this.runList(a.except.body, scope);
      }
    }
  }

  private async shouldRetry(r: RetrySpec, attempt: number, e: WorkflowError, scope: Scope): Promise<boolean> {
    const max = this.eval(r.maxRetries, scope);
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0) throw systemError('ValueError', 'retry.max_retries must be a non-negative int');
    if (attempt >= max) return false;
    return this.predicate(r.predicate, e, scope);
  }

  private async predicate(p: RetryPredicate, e: WorkflowError, scope: Scope): Promise<boolean> {
    if (p.k === 'subworkflow') {
      const r = this.routine(p.name);
      const param = (r.params[0] as { name: string }).name;
      const verdict = await this.callRoutine(r, newMap([[param, e.value]]), scope);
      if (typeof verdict !== 'boolean') throw systemError('TypeError', `retry predicate ${p.name} must return a bool, got ${typeName(verdict)}`);
      return verdict;
    }
    switch (p.name) {
      case 'retry.always':
        return true;
      case 'retry.never':
        return false;
      case 'http.default_retry_predicate':
        return retryableByDefault(e.value, false);
      case 'http.default_retry_predicate_non_idempotent':
        return retryableByDefault(e.value, true);
    }
  }

  /** delay_n = min(initial_delay × multiplier^n, max_delay), n = 0 for the first retry. */
  private backoffSeconds(r: RetrySpec, attempt: number, scope: Scope): number {
    const num = (t: Template, what: string): number => {
      const v = this.eval(t, scope);
      if (typeof v !== 'number' || v < 0) throw systemError('ValueError', `retry.backoff.${what} must be a non-negative number`);
      return v;
    };
    const initial = num(r.backoff.initialDelay, 'initial_delay');
    const max = num(r.backoff.maxDelay, 'max_delay');
    const multiplier = num(r.backoff.multiplier, 'multiplier');
    return Math.min(initial * multiplier ** attempt, max);
  }

  // ------------------------------------------------------------ expressions

  private ctx(scope: Scope): EvalContext {
    return {
      lookup: (name) => {
        const v = scope.lookup(name);
        if (v === undefined) throw systemError('KeyError', `variable ${name} is not defined`);
        return v;
      },
      call: (fn, args) => callFunction(fn, args, this.stdEnv),
    };
  }

  private eval(t: Template, scope: Scope): Value {
    switch (t.k) {
      case 'lit':
        return t.v;
      case 'expr':
        return evaluate(t.e, this.ctx(scope));
      case 'list':
        return t.items.map((x) => this.eval(x, scope));
      case 'map': {
        const m = newMap();
        for (const { key, value } of t.entries) {
          const k = this.eval(key, scope);
          if (typeof k !== 'string') throw systemError('TypeError', `map keys must be strings, got ${typeName(k)}`);
          Object.defineProperty(m, k, { value: this.eval(value, scope), writable: true, enumerable: true, configurable: true });
        }
        return m;
      }
    }
  }
}
