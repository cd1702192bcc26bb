/**
 * Loads a Workflows YAML definition into a typed AST and validates it once, up front.
 *
 * Google rejects many mistakes at deployment (unknown step keys, undefined variables, `next` to a
 * missing step, calls to unknown functions, blocking calls inside expressions). We reject the same
 * things at load time — and anything outside the subset this interpreter implements — with a
 * `WorkflowLoadError` naming the step, so a definition never fails halfway through a run for a
 * reason that was visible in its text.
 */
import { parse as parseYaml } from 'yaml';
import { WorkflowLoadError } from './errors.js';
import { ExprSyntaxError, expressionBody, isExpressionString, parseExpression, walkExpr, type Expr } from './expressions.js';
import { LIMITS } from './limits.js';
import { BLOCKING_FUNCTIONS, BLOCKING_PARAMS, functionParams, isFunction } from './stdlib.js';
import { fromJson, isMap, newMap, type Value } from './values.js';

// ---------------------------------------------------------------- AST

/** A YAML value with `${}` expressions inside; evaluated each time the step runs. */
export type Template =
  | { k: 'lit'; v: Value }
  | { k: 'expr'; e: Expr; src: string }
  | { k: 'list'; items: Template[] }
  | { k: 'map'; entries: Array<{ key: Template; value: Template }> };

export interface Workflow {
  routines: Map<string, Routine>;
  main: Routine;
}

export interface Routine {
  name: string;
  params: Array<{ name: string; default?: Template }>;
  body: StepList;
}

export interface StepList {
  steps: Step[];
  index: Map<string, number>;
}

export interface Step {
  name: string;
  routine: string;
  action: Action;
  next?: string;
  /** Inline bodies (switch conditions, single-step `try`) run as part of their parent step. */
  inline?: boolean;
}

export type AssignTarget = { root: string; path: Array<{ k: 'key'; name: string } | { k: 'index'; e: Expr }> };

export interface ForSpec {
  value: string;
  index?: string;
  in?: Template;
  range?: Template;
  body: StepList;
}

export type RetryPredicate =
  | { k: 'builtin'; name: 'http.default_retry_predicate' | 'http.default_retry_predicate_non_idempotent' | 'retry.always' | 'retry.never' }
  | { k: 'subworkflow'; name: string };

export interface RetrySpec {
  predicate: RetryPredicate;
  maxRetries: Template;
  backoff: { initialDelay: Template; maxDelay: Template; multiplier: Template };
}

export type CallKind = 'subworkflow' | 'http' | 'sys.sleep' | 'sys.sleep_until' | 'sys.log' | 'stdlib';

export type Action =
  | { k: 'assign'; items: Array<{ target: AssignTarget; value: Template }> }
  | { k: 'call'; fn: string; kind: CallKind; args?: Template; result?: string }
  | { k: 'switch'; conditions: Array<{ cond: Template; body: Step }> }
  | { k: 'for'; loop: ForSpec }
  | {
      k: 'parallel';
      shared: string[];
      concurrency?: Template;
      branches?: Array<{ name: string; body: StepList }>;
      loop?: ForSpec;
    }
  | { k: 'try'; body: StepList; retry?: RetrySpec; except?: { as?: string; body: StepList } }
  | { k: 'raise'; value: Template }
  | { k: 'return'; value: Template }
  | { k: 'steps'; body: StepList }
  | { k: 'noop' };

// ---------------------------------------------------------------- loading

const STEP_KEYS = new Set(['assign', 'call', 'args', 'result', 'next', 'switch', 'for', 'parallel', 'raise', 'try', 'retry', 'except', 'return', 'steps']);
const PRIMARY_KEYS = ['assign', 'call', 'switch', 'for', 'parallel', 'raise', 'try', 'return', 'steps'] as const;
const UNSUPPORTED_CALL_PREFIXES = ['googleapis.', 'events.', 'experimental.', 'gke.', 'workflows.'];
const DEFAULT_BACKOFF = { initialDelay: 1, maxDelay: 60, multiplier: 1.25 };

/** What the compiler knows about the surroundings of the step being compiled. */
interface Ctx {
  routine: string;
  /** Names visible to `next`, innermost list first; loops and branches start a new chain. */
  nextScopes: Array<Set<string>>;
  inLoop: boolean;
  /** Inside a parallel for (`continue` allowed, `break` not). */
  inParallelFor: boolean;
  inBranch: boolean;
  parallelDepth: number;
}

/** Per-routine bookkeeping for name checks done after the routine is compiled. */
interface RoutineInfo {
  name: string;
  variables: Set<string>;
  stepNames: Set<string>;
  expressions: Array<{ e: Expr; step: string }>;
}

export function loadWorkflow(source: string): Workflow {
  if (Buffer.byteLength(source, 'utf8') > LIMITS.sourceBytes) {
    throw new WorkflowLoadError(`workflow source exceeds ${LIMITS.sourceBytes} bytes`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(source);
  } catch (e) {
    throw new WorkflowLoadError(`YAML parse error: ${(e as Error).message}`);
  }
  return new Compiler(doc).compile();
}

class Compiler {
  private readonly routineDefs = new Map<string, unknown>();
  private readonly infos = new Map<string, RoutineInfo>();
  private current!: RoutineInfo;

  constructor(private readonly doc: unknown) {}

  compile(): Workflow {
    const doc = this.doc;
    if (Array.isArray(doc)) {
      this.routineDefs.set('main', { steps: doc });
    } else if (isMap(doc)) {
      if (!('main' in doc)) throw new WorkflowLoadError('a workflow with subworkflows needs a "main" block');
      for (const [name, def] of Object.entries(doc)) this.routineDefs.set(name, def);
    } else {
      throw new WorkflowLoadError('expected a map of workflows or a sequence of steps');
    }
    const routines = new Map<string, Routine>();
    for (const [name, def] of this.routineDefs) routines.set(name, this.routine(name, def));
    for (const info of this.infos.values()) this.checkNames(info);
    const main = routines.get('main') as Routine;
    if (main.params.length > 1) throw new WorkflowLoadError('main takes at most one parameter (the execution argument)');
    return { routines, main };
  }

  private routine(name: string, def: unknown): Routine {
    if (!isMap(def)) throw new WorkflowLoadError(`subworkflow "${name}" must be a map with "steps"`);
    for (const k of Object.keys(def)) {
      if (k !== 'params' && k !== 'steps') throw new WorkflowLoadError(`subworkflow "${name}": unknown key "${k}"`);
    }
    const params: Routine['params'] = [];
    const rawParams = def['params'] ?? [];
    if (!Array.isArray(rawParams)) throw new WorkflowLoadError(`subworkflow "${name}": params must be a list`);
    for (const p of rawParams) {
      if (typeof p === 'string') params.push({ name: p });
      else if (isMap(p) && Object.keys(p).length === 1) {
        const [pname, pdef] = Object.entries(p)[0] as [string, Value];
        params.push({ name: pname, default: { k: 'lit', v: pdef } });
      } else throw new WorkflowLoadError(`subworkflow "${name}": a param is a name or {name: default}`);
    }
    this.current = { name, variables: new Set(params.map((p) => p.name)), stepNames: new Set(), expressions: [] };
    this.infos.set(name, this.current);
    const ctx: Ctx = { routine: name, nextScopes: [], inLoop: false, inParallelFor: false, inBranch: false, parallelDepth: 0 };
    if (def['steps'] === undefined) throw new WorkflowLoadError(`subworkflow "${name}" has no steps`);
    const body = this.stepList(def['steps'], ctx, `subworkflow "${name}"`, true);
    return { name, params, body };
  }

  /** Compiles a list of `- name: {...}` items. `newChain` starts a fresh `next` scope chain. */
  private stepList(raw: unknown, ctx: Ctx, where: string, newChain: boolean): StepList {
    if (!Array.isArray(raw) || raw.length === 0) throw new WorkflowLoadError(`${where}: steps must be a non-empty list`);
    const entries: Array<[string, unknown]> = raw.map((item) => {
      if (!isMap(item) || Object.keys(item).length !== 1) throw new WorkflowLoadError(`${where}: each step is a map with exactly one step name`);
      return Object.entries(item)[0] as [string, unknown];
    });
    const names = new Set<string>();
    for (const [name] of entries) {
      if (this.current.stepNames.has(name)) throw new WorkflowLoadError(`duplicate step name in subworkflow "${this.current.name}"`, name);
      this.current.stepNames.add(name);
      names.add(name);
    }
    const inner: Ctx = { ...ctx, nextScopes: newChain ? [names] : [names, ...ctx.nextScopes] };
    const steps = entries.map(([name, body]) => this.step(name, body, inner));
    return { steps, index: new Map(steps.map((s, i) => [s.name, i])) };
  }

  private step(name: string, raw: unknown, ctx: Ctx, inline = false): Step {
    if (!isMap(raw)) throw new WorkflowLoadError('a step must be a map', name);
    for (const k of Object.keys(raw)) {
      if (!STEP_KEYS.has(k)) throw new WorkflowLoadError(`unknown step key "${k}"`, name);
    }
    const primaries = PRIMARY_KEYS.filter((k) => k in raw);
    if (primaries.length > 1) throw new WorkflowLoadError(`a step has one of ${PRIMARY_KEYS.join('/')}, found ${primaries.join(' and ')}`, name);
    if (('args' in raw || 'result' in raw) && !('call' in raw)) throw new WorkflowLoadError('"args" and "result" need "call"', name);
    if (('retry' in raw || 'except' in raw) && !('try' in raw)) throw new WorkflowLoadError('"retry" and "except" need "try"', name);
    const step: Step = { name, routine: ctx.routine, action: this.action(name, raw, ctx, primaries[0]) };
    if (inline) step.inline = true;
    if ('next' in raw) {
      if (primaries[0] === 'return' || primaries[0] === 'raise') throw new WorkflowLoadError(`"next" cannot follow "${primaries[0]}"`, name);
      step.next = this.nextTarget(raw['next'], name, ctx);
    }
    return step;
  }

  private nextTarget(raw: unknown, name: string, ctx: Ctx): string {
    if (typeof raw !== 'string') throw new WorkflowLoadError('"next" must be a step name', name);
    if (raw === 'end') {
      if (ctx.inBranch) throw new WorkflowLoadError('"next: end" inside a parallel branch is not supported by the local engine', name);
      return raw;
    }
    if (raw === 'break' || raw === 'continue') {
      if (!ctx.inLoop) throw new WorkflowLoadError(`"next: ${raw}" is only allowed inside a for loop`, name);
      if (raw === 'break' && ctx.inParallelFor) throw new WorkflowLoadError('"next: break" inside a parallel for is not supported by the local engine', name);
      return raw;
    }
    if (!ctx.nextScopes.some((s) => s.has(raw))) {
      throw new WorkflowLoadError(`"next: ${raw}" does not name a step reachable from here (same list or an enclosing one, not across loops, branches or subworkflows)`, name);
    }
    return raw;
  }

  private action(name: string, raw: Record<string, unknown>, ctx: Ctx, primary: (typeof PRIMARY_KEYS)[number] | undefined): Action {
    switch (primary) {
      case undefined:
        return { k: 'noop' };
      case 'assign':
        return this.assign(name, raw['assign']);
      case 'call':
        return this.call(name, raw);
      case 'switch':
        return this.switch(name, raw['switch'], ctx);
      case 'for':
        return { k: 'for', loop: this.forSpec(name, raw['for'], { ...ctx, inLoop: true, inParallelFor: false }) };
      case 'parallel':
        return this.parallel(name, raw['parallel'], ctx);
      case 'try':
        return this.try(name, raw, ctx);
      case 'raise':
        return { k: 'raise', value: this.template(raw['raise'], name) };
      case 'return':
        if (ctx.inBranch) throw new WorkflowLoadError('"return" inside a parallel branch is not supported by the local engine', name);
        return { k: 'return', value: this.template(raw['return'], name) };
      case 'steps':
        return { k: 'steps', body: this.stepList(raw['steps'], ctx, `step "${name}"`, false) };
    }
  }

  private assign(name: string, raw: unknown): Action {
    if (!Array.isArray(raw) || raw.length === 0) throw new WorkflowLoadError('"assign" must be a non-empty list', name);
    if (raw.length > LIMITS.assignmentsPerStep) throw new WorkflowLoadError(`"assign" has more than ${LIMITS.assignmentsPerStep} assignments`, name);
    return {
      k: 'assign',
      items: raw.map((item) => {
        if (!isMap(item) || Object.keys(item).length !== 1) throw new WorkflowLoadError('each assignment is a map with one variable', name);
        const [target, value] = Object.entries(item)[0] as [string, unknown];
        return { target: this.assignTarget(target, name), value: this.template(value, name) };
      }),
    };
  }

  private assignTarget(src: string, name: string): AssignTarget {
    let e: Expr;
    try {
      e = parseExpression(src);
    } catch (err) {
      throw new WorkflowLoadError(`invalid assignment target "${src}": ${(err as Error).message}`, name);
    }
    const path: AssignTarget['path'] = [];
    while (e.k === 'member' || e.k === 'index') {
      if (e.k === 'member') path.unshift({ k: 'key', name: e.name });
      else {
        path.unshift({ k: 'index', e: e.index });
        this.current.expressions.push({ e: e.index, step: name });
      }
      e = e.obj;
    }
    if (e.k !== 'var') throw new WorkflowLoadError(`invalid assignment target "${src}"`, name);
    if (path.length === 0) this.current.variables.add(e.name);
    else this.current.expressions.push({ e: { k: 'var', name: e.name }, step: name });
    return { root: e.name, path };
  }

  private call(name: string, raw: Record<string, unknown>): Action {
    const fn = raw['call'];
    if (typeof fn !== 'string') throw new WorkflowLoadError('"call" must be a function or subworkflow name', name);
    if (UNSUPPORTED_CALL_PREFIXES.some((p) => fn.startsWith(p))) throw new WorkflowLoadError(`"${fn}" is not supported by the local engine`, name);
    let kind: CallKind;
    let allowed: string[];
    let required: string[];
    const sub = this.routineDefs.get(fn);
    if (sub !== undefined) {
      kind = 'subworkflow';
      const params = isMap(sub) && Array.isArray(sub['params']) ? (sub['params'] as unknown[]) : [];
      allowed = params.map((p) => (typeof p === 'string' ? p : Object.keys(p as object)[0] as string));
      required = params.filter((p): p is string => typeof p === 'string');
    } else if (BLOCKING_FUNCTIONS.has(fn)) {
      kind = fn.startsWith('http.') ? 'http' : (fn as CallKind);
      const spec = BLOCKING_PARAMS[fn] as { params: string[]; required: string[] };
      allowed = spec.params;
      required = spec.required;
    } else if (isFunction(fn)) {
      kind = 'stdlib';
      const spec = functionParams(fn) as { params: string[]; required: number };
      allowed = spec.params;
      required = spec.params.slice(0, spec.required);
    } else {
      throw new WorkflowLoadError(`call to unknown function or subworkflow "${fn}"`, name);
    }
    const argsRaw = raw['args'];
    if (argsRaw !== undefined && !isMap(argsRaw)) throw new WorkflowLoadError('"args" must be a map', name);
    const argNames = argsRaw ? Object.keys(argsRaw) : [];
    for (const a of argNames) if (!allowed.includes(a)) throw new WorkflowLoadError(`"${fn}" has no argument "${a}"`, name);
    for (const r of required) if (!argNames.includes(r)) throw new WorkflowLoadError(`"${fn}" needs argument "${r}"`, name);
    if (fn === 'sys.log' && argNames.filter((a) => ['data', 'text', 'json'].includes(a)).length > 1) {
      throw new WorkflowLoadError('sys.log takes one of data, text or json', name);
    }
    const action: Action = { k: 'call', fn, kind };
    if (argsRaw) action.args = this.template(argsRaw, name);
    if (raw['result'] !== undefined) {
      if (typeof raw['result'] !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw['result'])) throw new WorkflowLoadError('"result" must be a variable name', name);
      action.result = raw['result'];
      this.current.variables.add(raw['result']);
    }
    return action;
  }

  private switch(name: string, raw: unknown, ctx: Ctx): Action {
    if (!Array.isArray(raw) || raw.length === 0) throw new WorkflowLoadError('"switch" must be a non-empty list of conditions', name);
    if (raw.length > LIMITS.conditionsPerSwitch) throw new WorkflowLoadError(`"switch" has more than ${LIMITS.conditionsPerSwitch} conditions`, name);
    return {
      k: 'switch',
      conditions: raw.map((c) => {
        if (!isMap(c) || !('condition' in c)) throw new WorkflowLoadError('each switch entry needs a "condition"', name);
        const { condition, ...rest } = c;
        return { cond: this.template(condition, name), body: this.step(name, rest, ctx, true) };
      }),
    };
  }

  private forSpec(name: string, raw: unknown, ctx: Ctx): ForSpec {
    if (!isMap(raw)) throw new WorkflowLoadError('"for" must be a map', name);
    for (const k of Object.keys(raw)) {
      if (!['value', 'index', 'in', 'range', 'steps'].includes(k)) throw new WorkflowLoadError(`unknown "for" key "${k}"`, name);
    }
    const value = raw['value'];
    if (typeof value !== 'string') throw new WorkflowLoadError('"for" needs "value" (a variable name)', name);
    const index = raw['index'];
    if (index !== undefined && typeof index !== 'string') throw new WorkflowLoadError('"for.index" must be a variable name', name);
    if (('in' in raw) === ('range' in raw)) throw new WorkflowLoadError('"for" needs exactly one of "in" and "range"', name);
    this.current.variables.add(value);
    if (index) this.current.variables.add(index);
    const spec: ForSpec = { value, body: this.stepList(raw['steps'], ctx, `for loop of step "${name}"`, true) };
    if (index) spec.index = index;
    if ('in' in raw) spec.in = this.template(raw['in'], name);
    else {
      const r = raw['range'];
      if (Array.isArray(r) && r.length !== 2) throw new WorkflowLoadError('"range" is a list of two values', name);
      spec.range = this.template(r, name);
    }
    return spec;
  }

  private parallel(name: string, raw: unknown, ctx: Ctx): Action {
    if (!isMap(raw)) throw new WorkflowLoadError('"parallel" must be a map', name);
    for (const k of Object.keys(raw)) {
      if (!['exception_policy', 'shared', 'concurrency_limit', 'branches', 'for'].includes(k)) throw new WorkflowLoadError(`unknown "parallel" key "${k}"`, name);
    }
    if (raw['exception_policy'] !== undefined && raw['exception_policy'] !== 'continueAll') {
      throw new WorkflowLoadError('"exception_policy" supports only continueAll', name);
    }
    if (ctx.parallelDepth + 1 > LIMITS.parallelNesting) throw new WorkflowLoadError(`ParallelNestingError: parallel steps nest at most ${LIMITS.parallelNesting} deep`, name);
    const shared = raw['shared'] ?? [];
    if (!Array.isArray(shared) || !shared.every((s): s is string => typeof s === 'string')) throw new WorkflowLoadError('"shared" must be a list of variable names', name);
    if (('branches' in raw) === ('for' in raw)) throw new WorkflowLoadError('"parallel" needs exactly one of "branches" and "for"', name);
    const inner: Ctx = { ...ctx, parallelDepth: ctx.parallelDepth + 1, inBranch: true, inLoop: false, inParallelFor: false };
    const action: Extract<Action, { k: 'parallel' }> = { k: 'parallel', shared };
    if (raw['concurrency_limit'] !== undefined) action.concurrency = this.template(raw['concurrency_limit'], name);
    if ('for' in raw) {
      action.loop = this.forSpec(name, raw['for'], { ...inner, inLoop: true, inParallelFor: true });
    } else {
      const branches = raw['branches'];
      if (!Array.isArray(branches) || branches.length < 2 || branches.length > LIMITS.parallelBranches) {
        throw new WorkflowLoadError(`"branches" must list 2 to ${LIMITS.parallelBranches} branches`, name);
      }
      action.branches = branches.map((b) => {
        if (!isMap(b) || Object.keys(b).length !== 1) throw new WorkflowLoadError('each branch is a map with one branch name', name);
        const [bname, bdef] = Object.entries(b)[0] as [string, unknown];
        if (!isMap(bdef) || Object.keys(bdef).some((k) => k !== 'steps')) throw new WorkflowLoadError('a branch has only "steps"', bname);
        if (this.current.stepNames.has(bname)) throw new WorkflowLoadError(`duplicate step name in subworkflow "${this.current.name}"`, bname);
        this.current.stepNames.add(bname);
        return { name: bname, body: this.stepList(bdef['steps'], inner, `branch "${bname}"`, true) };
      });
    }
    return action;
  }

  private try(name: string, raw: Record<string, unknown>, ctx: Ctx): Action {
    const t = raw['try'];
    let body: StepList;
    if (Array.isArray(t)) body = this.stepList(t, ctx, `try of step "${name}"`, false);
    else if (isMap(t) && Object.keys(t).length === 1 && 'steps' in t) body = this.stepList(t['steps'], ctx, `try of step "${name}"`, false);
    else if (isMap(t)) {
      // The single-step form: its body is a step of its own (counted, retried) named like the try step.
      const single = this.step(name, t, ctx);
      body = { steps: [single], index: new Map() };
    } else throw new WorkflowLoadError('"try" must be a step or a list of steps', name);
    const action: Extract<Action, { k: 'try' }> = { k: 'try', body };
    if (raw['retry'] !== undefined) action.retry = this.retry(name, raw['retry']);
    if (raw['except'] !== undefined) {
      const ex = raw['except'];
      if (!isMap(ex) || Object.keys(ex).some((k) => k !== 'as' && k !== 'steps')) throw new WorkflowLoadError('"except" has "as" and "steps"', name);
      const as = ex['as'];
      if (as !== undefined && typeof as !== 'string') throw new WorkflowLoadError('"except.as" must be a variable name', name);
      if (as) this.current.variables.add(as);
      action.except = { body: this.stepList(ex['steps'], ctx, `except of step "${name}"`, false) };
      if (as) action.except.as = as;
    }
    return action;
  }

  private retry(name: string, raw: unknown): RetrySpec {
    const policyOf = (s: string): RetrySpec | undefined => {
      const lit = (v: number): Template => ({ k: 'lit', v });
      const backoff = { initialDelay: lit(DEFAULT_BACKOFF.initialDelay), maxDelay: lit(DEFAULT_BACKOFF.maxDelay), multiplier: lit(DEFAULT_BACKOFF.multiplier) };
      if (s === 'http.default_retry') return { predicate: { k: 'builtin', name: 'http.default_retry_predicate' }, maxRetries: lit(5), backoff };
      if (s === 'http.default_retry_non_idempotent') return { predicate: { k: 'builtin', name: 'http.default_retry_predicate_non_idempotent' }, maxRetries: lit(5), backoff };
      return undefined;
    };
    if (typeof raw === 'string') {
      const policy = isExpressionString(raw) ? policyOf(expressionBody(raw).trim()) : undefined;
      if (!policy) throw new WorkflowLoadError(`unknown retry policy "${raw}" (use \${http.default_retry} or \${http.default_retry_non_idempotent}, or a map)`, name);
      return policy;
    }
    if (!isMap(raw)) throw new WorkflowLoadError('"retry" must be a policy expression or a map', name);
    for (const k of Object.keys(raw)) {
      if (!['predicate', 'max_retries', 'backoff'].includes(k)) throw new WorkflowLoadError(`unknown "retry" key "${k}"`, name);
    }
    const p = raw['predicate'];
    if (typeof p !== 'string' || !isExpressionString(p)) throw new WorkflowLoadError('"retry.predicate" must be ${http.default_retry_predicate}, ${http.default_retry_predicate_non_idempotent} or ${a_subworkflow}', name);
    const pname = expressionBody(p).trim();
    let predicate: RetryPredicate;
    if (pname === 'http.default_retry_predicate' || pname === 'http.default_retry') predicate = { k: 'builtin', name: 'http.default_retry_predicate' };
    else if (pname === 'http.default_retry_predicate_non_idempotent' || pname === 'http.default_retry_non_idempotent') predicate = { k: 'builtin', name: 'http.default_retry_predicate_non_idempotent' };
    else if (pname === 'retry.always' || pname === 'retry.never') predicate = { k: 'builtin', name: pname };
    else if (this.routineDefs.has(pname)) {
      const def = this.routineDefs.get(pname);
      const params = isMap(def) && Array.isArray(def['params']) ? def['params'] : [];
      if (params.length !== 1) throw new WorkflowLoadError(`retry predicate "${pname}" must take exactly one parameter (the error)`, name);
      predicate = { k: 'subworkflow', name: pname };
    } else throw new WorkflowLoadError(`retry predicate "${pname}" is neither a default predicate nor a subworkflow`, name);
    if (raw['max_retries'] === undefined) throw new WorkflowLoadError('"retry" needs "max_retries"', name);
    const b = raw['backoff'] ?? {};
    if (!isMap(b) || Object.keys(b).some((k) => !['initial_delay', 'max_delay', 'multiplier'].includes(k))) {
      throw new WorkflowLoadError('"retry.backoff" has initial_delay, max_delay and multiplier', name);
    }
    return {
      predicate,
      maxRetries: this.template(raw['max_retries'], name),
      backoff: {
        initialDelay: this.template(b['initial_delay'] ?? DEFAULT_BACKOFF.initialDelay, name),
        maxDelay: this.template(b['max_delay'] ?? DEFAULT_BACKOFF.maxDelay, name),
        multiplier: this.template(b['multiplier'] ?? DEFAULT_BACKOFF.multiplier, name),
      },
    };
  }

  /** Compiles a YAML value, parsing every `${...}` string (values and map keys). */
  private template(raw: unknown, step: string): Template {
    if (typeof raw === 'string') {
      if (isExpressionString(raw)) {
        let e: Expr;
        try {
          e = parseExpression(expressionBody(raw));
        } catch (err) {
          const msg = err instanceof ExprSyntaxError ? err.message : String(err);
          throw new WorkflowLoadError(msg, step);
        }
        this.current.expressions.push({ e, step });
        return { k: 'expr', e, src: raw.trim() };
      }
      if (raw.includes('${')) throw new WorkflowLoadError(`"${raw}": an expression must be the whole value ("\${...}"); build strings with "+" inside it`, step);
      return { k: 'lit', v: raw };
    }
    if (Array.isArray(raw)) {
      const items = raw.map((x) => this.template(x, step));
      return items.every((i) => i.k === 'lit') ? { k: 'lit', v: items.map((i) => (i as { v: Value }).v) } : { k: 'list', items };
    }
    if (isMap(raw)) {
      const entries = Object.entries(raw).map(([key, value]) => ({ key: this.template(key, step), value: this.template(value, step) }));
      if (entries.every((x) => x.key.k === 'lit' && x.value.k === 'lit')) {
        return { k: 'lit', v: newMap(entries.map((x) => [(x.key as { v: string }).v, (x.value as { v: Value }).v])) };
      }
      return { k: 'map', entries };
    }
    return { k: 'lit', v: fromJson(raw) };
  }

  /** Google's deploy-time name checks: every symbol is a variable of the routine or a function. */
  private checkNames(info: RoutineInfo): void {
    for (const { e, step } of info.expressions) {
      walkExpr(e, (node) => {
        if (node.k === 'var' && !info.variables.has(node.name)) {
          throw new WorkflowLoadError(`symbol '${node.name}' is neither a variable nor a sub-workflow name`, step);
        }
        if (node.k === 'call' && !isFunction(node.fn)) {
          if (BLOCKING_FUNCTIONS.has(node.fn)) throw new WorkflowLoadError(`blocking call ${node.fn} cannot be used inside an expression; use a call step`, step);
          if (this.routineDefs.has(node.fn)) throw new WorkflowLoadError(`calling subworkflow ${node.fn} inside an expression is not supported by the local engine; use a call step`, step);
          throw new WorkflowLoadError(`unknown function ${node.fn}`, step);
        }
      });
    }
  }
}
