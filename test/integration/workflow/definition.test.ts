/**
 * The plan executor's definition, statically: Google's JSON schema (SchemaStore copy in
 * vendor/schemastore), our own lint (lint.ts), the local engine's loader (which rejects anything
 * outside the subset it implements, as a deploy would), and the properties the design relies on:
 * where the token may appear, retries on every call, bounded nesting and concurrency.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LIMITS, LocalWorkflowEngine, WorkflowLoadError } from '../../../api/engine/local/index.js';
import { lintWorkflow, parallelNesting, walkSteps, walkStrings } from './lint.js';

const SOURCE = readFileSync(new URL('../../../workflows/environment.workflows.yaml', import.meta.url), 'utf8');
const SCHEMA = JSON.parse(readFileSync(new URL('../../../vendor/schemastore/workflows.schema.json', import.meta.url), 'utf8')) as object;
const DOC = parse(SOURCE) as Record<string, { params?: unknown[]; steps: unknown[] }>;
const tokens = { oauth2: async () => 'oauth2', oidc: async () => 'oidc' };

function validator() {
  // The SchemaStore schema is draft-07 and uses `format: uri` on values that may be expressions.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(SCHEMA);
}

type StepBody = Record<string, unknown>;
function stepsOf(routine: string): Array<{ name: string; body: StepBody; parallelDepth: number }> {
  const out: Array<{ name: string; body: StepBody; parallelDepth: number }> = [];
  walkSteps({ [routine]: DOC[routine]! }, ({ name, body, parallelDepth }) => out.push({ name, body, parallelDepth }));
  return out;
}

describe('workflows/environment.workflows.yaml', () => {
  it('validates against the Workflows JSON schema', () => {
    const validate = validator();
    const ok = validate(DOC);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check has teeth (a misspelt key is rejected)', () => {
    const validate = validator();
    const bad = structuredClone(DOC);
    const first = (bad['main']!.steps.find((step) => 'init' in (step as object)) as Record<string, Record<string, unknown>>)['init']!;
    first['asign'] = first['assign'];
    delete first['assign'];
    expect(validate(bad)).toBe(false);
  });

  it('passes our lint: unique step names, next targets, known calls, no blocking calls in expressions, nesting ≤ 2', () => {
    expect(lintWorkflow(DOC)).toEqual([]);
    expect(parallelNesting(DOC)).toBe(2);
  });

  it('is loaded by the local engine (nothing outside the interpreted subset) and fits the source limit', () => {
    expect(() => new LocalWorkflowEngine({ definition: SOURCE, tokens })).not.toThrow();
    expect(Buffer.byteLength(SOURCE)).toBeLessThan(LIMITS.sourceBytes);
  });

  it('has the expected subworkflows', () => {
    expect(Object.keys(DOC).sort()).toEqual(
      ['empty_items', 'gcall', 'http_failure', 'main', 'mint_token', 'owned', 'poll_op', 'retryable', 'run_api', 'run_iam', 'run_resource', 'run_step'].sort(),
    );
    expect(DOC['main']!.params).toEqual(['args']);
    expect(DOC['retryable']!.params).toEqual(['e']);
  });

  it('runs lanes and the steps of a wave as parallel for loops: bounded, continueAll, nothing deeper', () => {
    const parallels = stepsOf('main').filter((s) => s.body['parallel']);
    expect(parallels.map((s) => s.name)).toEqual(['lanes', 'wave_steps']);
    const [lanes, waveSteps] = parallels.map((s) => s.body['parallel'] as Record<string, unknown>);
    expect(lanes).toMatchObject({ exception_policy: 'continueAll', shared: ['cred', 'vars', 'failure', 'superseded'] });
    expect(waveSteps).toMatchObject({ exception_policy: 'continueAll', concurrency_limit: 10, shared: ['cred', 'vars', 'failure', 'lane_failed', 'superseded'] });
    for (const r of Object.keys(DOC).filter((r) => r !== 'main')) {
      expect(stepsOf(r).filter((s) => s.body['parallel']), r).toEqual([]);
    }
  });

  it('retries every HTTP call: Google calls with the custom predicate, reports with the default policy', () => {
    const httpCalls = (r: string) => stepsOf(r).filter((s) => !s.body['inline'] && String(s.body['call'] ?? '').startsWith('http.'));
    // main: the plan fetch and the reports, each a single-step try with the default policy and OIDC.
    const mainCalls = stepsOf('main').filter((s) => !s.body['inline'] && String((s.body['try'] as StepBody | undefined)?.['call'] ?? '').startsWith('http.'));
    expect(mainCalls.map((s) => s.name)).toEqual(['fetch_plan', 'wave_running', 'step_report', 'report_failed', 'report_succeeded']);
    for (const { name, body } of mainCalls) {
      expect(body['retry'], name).toBe('${http.default_retry}');
      expect(((body['try'] as StepBody)['args'] as StepBody)['auth'], name).toEqual({ type: 'OIDC', audience: '${api_base}' });
    }
    // gcall (one call step per identity and method) and poll_op (GETs of operations): every call
    // inside a try with the custom predicate.
    const customRetry = { predicate: '${retryable}', max_retries: 6, backoff: { initial_delay: 2, max_delay: 60, multiplier: 2 } };
    for (const [routine, tryStep, count] of [['gcall', 'send', 12], ['poll_op', 'fetch', 2]] as const) {
      const t = stepsOf(routine).find((s) => s.name === tryStep && !s.body['inline'])!;
      expect(t.body['retry'], routine).toEqual(customRetry);
      const inside: string[] = [];
      walkSteps({ [routine]: { steps: [{ [tryStep]: t.body }] } }, ({ name, body }) => {
        if (!body['inline'] && String(body['call'] ?? '').startsWith('http.')) inside.push(name);
      });
      expect(httpCalls(routine).map((s) => s.name)).toEqual(inside);
      expect(inside).toHaveLength(count);
    }
    for (const r of Object.keys(DOC).filter((r) => !['main', 'gcall', 'poll_op'].includes(r))) expect(httpCalls(r), r).toEqual([]);
  });

  it('the retry predicate retries 429/5xx/connection errors/timeouts and nothing else', () => {
    const decide = JSON.stringify(DOC['retryable']!.steps);
    expect(decide).toContain('map.get(e, \\"code\\") in [429, 500, 502, 503, 504]');
    for (const code of [400, 401, 403, 404, 409, 412]) expect(decide).not.toContain(`${code}`);
    for (const tag of ['ConnectionError', 'ConnectionFailedError', 'TimeoutError']) expect(decide).toContain(`\\"${tag}\\" in e.tags`);
  });

  it('keeps the token in its lane: only the Authorization header reads it, only mint_token reads the minted one, nothing logs', () => {
    const readers: string[] = [];
    const minted: string[] = [];
    const logs: string[] = [];
    walkStrings(DOC, ({ routine, step, path, value }) => {
      if (/\.token\b/.test(value) && value.includes('${')) readers.push(`${routine}/${step}:${path.join('.')}`);
      if (value.includes('accessToken')) minted.push(`${routine}/${step}:${path.join('.')}`);
      if (path.length === 1 && path[0] === 'call' && value === 'sys.log') logs.push(`${routine}/${step}`);
    });
    expect(readers.sort()).toEqual([
      ...['get', 'post', 'put', 'patch', 'delete'].map((m) => `gcall/automation_${m}:args.headers.Authorization`),
      'poll_op/poll_as_automation:args.headers.Authorization',
    ].sort());
    expect(minted).toEqual(['mint_token/minted:return.token']);
    expect(logs).toEqual([]);
    // The URL checks are the first conditions of the switch that picks the call, before any token is touched.
    const pick = stepsOf('gcall').find((s) => s.name === 'pick' && !s.body['inline'])!;
    const conditions = (pick.body['switch'] as Array<Record<string, unknown>>).map((c) => ({ condition: String(c['condition']), raise: c['raise'] }));
    expect(conditions[0]!.condition).toContain('text.substring(url, 0, len(ctx.apiBase) + 1) != ctx.apiBase + "/"');
    expect(conditions[1]!.condition).toContain('text.match_regex(url, "^https://[a-z0-9.-]+\\\\.googleapis\\\\.com/")');
    expect(conditions[1]!.condition).toContain('text.substring(url, 0, len(ctx.sandbox) + 1) == ctx.sandbox + "/"');
    expect(conditions.slice(0, 2).map((c) => (c.raise as { tags: string[] }).tags)).toEqual([['UrlNotAllowed'], ['UrlNotAllowed']]);
    expect(conditions[2]!.condition).toContain('cred.expiry - sys.now() < cred.margin');
    // poll_op sends its GETs itself: the same Google/sandbox check guards its loop, before the first poll.
    const check = stepsOf('poll_op').find((s) => s.name === 'check' && !s.body['inline'])!;
    const pollConditions = (check.body['switch'] as Array<Record<string, unknown>>).map((c) => String(c['condition']));
    expect(pollConditions[1]).toBe(conditions[1]!.condition.replace('as != "api" and ', ''));
    expect(stepsOf('poll_op').map((s) => s.name).indexOf('check')).toBeLessThan(stepsOf('poll_op').map((s) => s.name).indexOf('fetch'));
  });

  it('polls long-running operations with growing waits: 2 s, ×1.5, at most 30 s', () => {
    const poll = JSON.stringify(DOC['poll_op']!.steps);
    expect(poll).toContain('"next_delay":2');
    expect(poll).toContain('${if(next_delay * 1.5 > 30, 30, next_delay * 1.5)}');
  });
});

describe('lint.ts catches what it claims to', () => {
  const parseWf = (src: string) => parse(src) as unknown;

  it('duplicate step names, unknown next targets and subworkflows', () => {
    const problems = lintWorkflow(parseWf(`
main:
  steps:
    - a:
        assign:
          - x: 1
    - a:
        call: nowhere
        next: missing
    - b:
        switch:
          - condition: true
            next: also_missing
`));
    expect(problems).toEqual(expect.arrayContaining([
      'main: duplicate step name "a"',
      'main/a: call to unknown subworkflow or function "nowhere"',
      'main/a: "next: missing" names no step of main',
      'main/b: "next: also_missing" names no step of main',
    ]));
  });

  it('blocking and subworkflow calls inside expressions, embedded expressions, bad predicates', () => {
    const problems = lintWorkflow(parseWf(`
main:
  steps:
    - a:
        assign:
          - x: \${http.get("https://example.com")}
          - y: \${helper(1)}
          - z: "prefix \${1 + 1}"
    - b:
        try:
          call: http.get
          args:
            url: https://example.com
        retry:
          predicate: \${helper}
          max_retries: 1
helper:
  params: [a, b]
  steps:
    - r:
        return: 1
`));
    expect(problems).toEqual(expect.arrayContaining([
      'main/a: blocking call inside an expression: ${http.get("https://example.com")}',
      'main/a: subworkflow call inside an expression: ${helper(1)}',
      'main/a: "prefix ${1 + 1}": an expression must be the whole value',
      'main/b: retry predicate "helper" must take exactly one parameter',
    ]));
  });

  it('parallel nesting across subworkflow calls', () => {
    const src = `
main:
  steps:
    - p:
        parallel:
          for:
            value: x
            in: [1, 2]
            steps:
              - c:
                  call: inner
inner:
  steps:
    - q:
        parallel:
          for:
            value: y
            in: [1, 2]
            steps:
              - c2:
                  call: deepest
deepest:
  steps:
    - r:
        parallel:
          branches:
            - one:
                steps:
                  - s1:
                      assign:
                        - v: 1
            - two:
                steps:
                  - s2:
                      assign:
                        - v: 2
`;
    expect(lintWorkflow(parseWf(src))).toContain('parallel steps nest 3 deep (at most 2)');
    // The engine's loader checks nesting per subworkflow only; across calls it fails at run time.
    expect(() => new LocalWorkflowEngine({ definition: src, tokens })).not.toThrow(WorkflowLoadError);
  });
});
