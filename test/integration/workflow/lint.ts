/**
 * Our own lint of a Workflows definition, beyond what the JSON schema can say (Google rejects most
 * of these at deploy time, some only at run time):
 *   - step names are unique within each subworkflow (branch names count as step names);
 *   - every `next` names a step of the same subworkflow, or `end` / `continue` / `break`;
 *   - every `call` and custom retry predicate names a standard-library function or a subworkflow
 *     (a predicate takes exactly one parameter);
 *   - no blocking call (`http.*`, `sys.sleep*`, `sys.log`, `events.*`, a subworkflow) inside `${}`;
 *   - expressions stay under Google's (second-hand) 400-character limit;
 *   - parallel steps nest at most two deep, following subworkflow calls.
 * It works on the parsed YAML (plain objects), so it needs nothing from the engine.
 */

export interface WalkedString {
  /** The subworkflow the string belongs to. */
  routine: string;
  /** The innermost step name. */
  step: string;
  /** Keys from the step down to the string, e.g. ["args", "headers", "Authorization"]. */
  path: string[];
  value: string;
}

type Doc = Record<string, { params?: unknown[]; steps: unknown[] }>;

const STDLIB_PREFIXES = ['http.', 'sys.', 'text.', 'json.', 'map.', 'list.', 'time.', 'base64.', 'math.', 'events.', 'googleapis.', 'uuid.', 'hash.', 'retry.', 'experimental.', 'gke.'];
const BUILTIN_PREDICATES = ['http.default_retry_predicate', 'http.default_retry_predicate_non_idempotent', 'http.default_retry', 'http.default_retry_non_idempotent', 'retry.always', 'retry.never'];
const BLOCKING = /\b(http\.(get|post|put|patch|delete|request)|sys\.(sleep|sleep_until|log)|events\.[a-z_]+)\s*\(/;
const MAX_EXPRESSION = 400;
const MAX_PARALLEL_NESTING = 2;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every `${...}` expression in a string (the whole value, or embedded ones, which the lint also flags). */
export function expressionsIn(value: string): string[] {
  const out: string[] = [];
  let i = value.indexOf('${');
  while (i !== -1) {
    let depth = 0;
    let j = i + 1;
    let quote: string | null = null;
    for (; j < value.length; j++) {
      const c = value[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    out.push(value.slice(i + 2, j));
    i = value.indexOf('${', j);
  }
  return out;
}

interface StepVisit {
  routine: string;
  name: string;
  body: Record<string, unknown>;
  /** Parallel steps enclosing this one within its subworkflow. */
  parallelDepth: number;
}

/** Visits every step of every subworkflow, nested ones included (switch conditions are part of their step). */
export function walkSteps(doc: Doc, visit: (s: StepVisit) => void): void {
  for (const [routine, def] of Object.entries(doc)) {
    const list = (steps: unknown, depth: number): void => {
      if (!Array.isArray(steps)) return;
      for (const item of steps) {
        if (!isMap(item)) continue;
        for (const [name, body] of Object.entries(item)) if (isMap(body)) step(name, body, depth);
      }
    };
    const step = (name: string, body: Record<string, unknown>, depth: number): void => {
      visit({ routine, name, body, parallelDepth: depth });
      list(body['steps'], depth);
      const t = body['try'];
      if (Array.isArray(t)) list(t, depth);
      else if (isMap(t)) {
        if (Object.keys(t).length === 1 && 'steps' in t) list(t['steps'], depth);
        else inline(name, t, depth);
      }
      if (isMap(body['except'])) list(body['except']['steps'], depth);
      if (isMap(body['for'])) list(body['for']['steps'], depth);
      if (Array.isArray(body['switch'])) for (const c of body['switch']) if (isMap(c)) inline(name, c, depth);
      const p = body['parallel'];
      if (isMap(p)) {
        if (isMap(p['for'])) list(p['for']['steps'], depth + 1);
        if (Array.isArray(p['branches'])) {
          for (const b of p['branches']) {
            if (!isMap(b)) continue;
            for (const [bname, bdef] of Object.entries(b)) {
              visit({ routine, name: bname, body: { branch: true }, parallelDepth: depth + 1 });
              if (isMap(bdef)) list(bdef['steps'], depth + 1);
            }
          }
        }
      }
    };
    // A switch condition or the single-step form of try: part of the enclosing step, same name.
    const inline = (name: string, body: Record<string, unknown>, depth: number): void => {
      visit({ routine, name, body: { ...body, inline: true }, parallelDepth: depth });
      list(body['steps'], depth);
    };
    list(def.steps, 0);
  }
}

/** Every string of every step (keys included: `{"${k}": v}` maps have expressions as keys). */
export function walkStrings(doc: Doc, visit: (s: WalkedString) => void): void {
  const NESTED = new Set(['steps', 'try', 'except', 'for', 'switch', 'parallel']);
  walkSteps(doc, ({ routine, name, body }) => {
    const rec = (v: unknown, path: string[]): void => {
      if (typeof v === 'string') visit({ routine, step: name, path, value: v });
      else if (Array.isArray(v)) v.forEach((x, i) => rec(x, [...path, String(i)]));
      else if (isMap(v)) {
        for (const [k, x] of Object.entries(v)) {
          if (path.length === 0 && NESTED.has(k)) continue;
          visit({ routine, step: name, path: [...path, '(key)'], value: k });
          rec(x, [...path, k]);
        }
      }
    };
    rec(body, []);
    // Values of nested constructs that are not steps themselves: for.in, parallel settings, conditions.
    const f = isMap(body['for']) ? body['for'] : isMap(body['parallel']) && isMap(body['parallel']['for']) ? body['parallel']['for'] : undefined;
    if (f) for (const k of ['in', 'range', 'value', 'index']) rec(f[k], ['for', k]);
    if (isMap(body['parallel'])) rec(body['parallel']['shared'], ['parallel', 'shared']);
  });
}

export function lintWorkflow(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isMap(doc) || !isMap(doc['main'])) return ['the definition must be a map of subworkflows with a "main" block'];
  const wf = doc as Doc;
  const routines = new Set(Object.keys(wf));
  const params = (r: string): unknown[] => (Array.isArray(wf[r]?.params) ? (wf[r]!.params as unknown[]) : []);

  const names = new Map<string, Set<string>>();
  const nexts: Array<{ routine: string; step: string; target: string }> = [];
  const calls = new Map<string, Set<string>>();
  const parallelDepth = new Map<string, number>();

  walkSteps(wf, ({ routine, name, body, parallelDepth: depth }) => {
    const own = names.get(routine) ?? new Set<string>();
    names.set(routine, own);
    if (!body['inline']) {
      if (own.has(name)) problems.push(`${routine}: duplicate step name "${name}"`);
      own.add(name);
    }
    if (typeof body['next'] === 'string') nexts.push({ routine, step: name, target: body['next'] });
    if (isMap(body['parallel'])) parallelDepth.set(routine, Math.max(parallelDepth.get(routine) ?? 0, depth + 1));
    const call = body['call'];
    if (typeof call === 'string') {
      if (routines.has(call)) {
        const set = calls.get(routine) ?? new Set<string>();
        set.add(call);
        calls.set(routine, set);
        // A call made inside parallel steps inherits their depth.
        parallelDepth.set(`${routine}->${call}`, Math.max(parallelDepth.get(`${routine}->${call}`) ?? 0, depth));
      } else if (!STDLIB_PREFIXES.some((p) => call.startsWith(p))) {
        problems.push(`${routine}/${name}: call to unknown subworkflow or function "${call}"`);
      }
    }
    const retry = body['retry'];
    if (isMap(retry) && typeof retry['predicate'] === 'string') {
      const p = retry['predicate'].trim().replace(/^\$\{\s*/, '').replace(/\s*\}$/, '');
      if (!BUILTIN_PREDICATES.includes(p)) {
        if (!routines.has(p)) problems.push(`${routine}/${name}: retry predicate "${p}" is not a subworkflow`);
        else if (params(p).length !== 1) problems.push(`${routine}/${name}: retry predicate "${p}" must take exactly one parameter`);
      }
    }
  });

  for (const { routine, step, target } of nexts) {
    if (['end', 'continue', 'break'].includes(target)) continue;
    if (!names.get(routine)?.has(target)) problems.push(`${routine}/${step}: "next: ${target}" names no step of ${routine}`);
  }

  const subworkflowCall = new RegExp(`(^|[^.\\w])(${[...routines].map((r) => r.replace(/[^\w]/g, '')).join('|')})\\s*\\(`);
  walkStrings(wf, ({ routine, step, value }) => {
    if (!value.includes('${')) return;
    const t = value.trim();
    if (!(t.startsWith('${') && t.endsWith('}') && expressionsIn(t).length === 1)) {
      problems.push(`${routine}/${step}: "${value}": an expression must be the whole value`);
    }
    for (const e of expressionsIn(value)) {
      if (BLOCKING.test(e)) problems.push(`${routine}/${step}: blocking call inside an expression: \${${e}}`);
      if (subworkflowCall.test(e)) problems.push(`${routine}/${step}: subworkflow call inside an expression: \${${e}}`);
      if (e.length > MAX_EXPRESSION) problems.push(`${routine}/${step}: expression longer than ${MAX_EXPRESSION} characters (${e.length})`);
    }
  });

  // Parallel nesting along call chains: depth(r) = deepest parallel in r, or a callee's depth plus the calling site's.
  const memo = new Map<string, number>();
  const depthOf = (r: string, seen: Set<string>): number => {
    if (memo.has(r)) return memo.get(r)!;
    if (seen.has(r)) return 0;
    seen.add(r);
    let d = parallelDepth.get(r) ?? 0;
    for (const callee of calls.get(r) ?? []) d = Math.max(d, (parallelDepth.get(`${r}->${callee}`) ?? 0) + depthOf(callee, seen));
    memo.set(r, d);
    return d;
  };
  const nesting = depthOf('main', new Set());
  if (nesting > MAX_PARALLEL_NESTING) problems.push(`parallel steps nest ${nesting} deep (at most ${MAX_PARALLEL_NESTING})`);

  for (const r of routines) {
    if (r !== 'main' && !calls.get('main')?.has(r) && ![...calls.values()].some((s) => s.has(r)) && !isPredicate(wf, r)) {
      problems.push(`subworkflow "${r}" is never called`);
    }
  }
  return problems;
}

function isPredicate(doc: Doc, r: string): boolean {
  let found = false;
  walkSteps(doc, ({ body }) => {
    const retry = body['retry'];
    if (isMap(retry) && typeof retry['predicate'] === 'string' && retry['predicate'].includes(r)) found = true;
  });
  return found;
}

/** The parallel nesting depth reached from `main` (exported for the test's own assertion). */
export function parallelNesting(doc: unknown): number {
  const problems = lintWorkflow(doc);
  const m = problems.map((p) => /^parallel steps nest (\d+)/.exec(p)).find(Boolean);
  if (m) return Number(m[1]);
  let max = 0;
  walkSteps(doc as Doc, ({ body, parallelDepth: d }) => {
    if (isMap(body['parallel'])) max = Math.max(max, d + 1);
  });
  return max;
}
