import { describe, expect, it } from 'vitest';
import { loadWorkflow, WorkflowLoadError } from '../../../api/engine/local/index.js';

/** The load error of a definition (the test fails if it loads). */
function loadError(def: string): WorkflowLoadError {
  try {
    loadWorkflow(def);
  } catch (e) {
    if (e instanceof WorkflowLoadError) return e;
    throw e;
  }
  throw new Error('expected the definition to be rejected');
}

describe('load-time validation (Google rejects these at deployment)', () => {
  it("reports an undefined variable with Google's message and the step name", () => {
    // The example from Google's troubleshooting page.
    const e = loadError(`
- step1:
    assign:
    - varA: "Hello"
    - varB: "World"
- step2:
    return: \${varC + varB}
`);
    expect(e.message).toBe(`symbol 'varC' is neither a variable nor a sub-workflow name (step "step2")`);
    expect(e.stepName).toBe('step2');
  });

  it('rejects unknown step keys, mixed step kinds and dangling args', () => {
    expect(loadError('- s1:\n    asign:\n      - x: 1\n').message).toMatch(/unknown step key "asign".*step "s1"/);
    expect(loadError('- s1:\n    assign:\n      - x: 1\n    call: sys.log\n').message).toMatch(/found assign and call/);
    expect(loadError('- s1:\n    args: {a: 1}\n').message).toMatch(/"args" and "result" need "call"/);
    expect(loadError('- s1:\n    return: 1\n    next: s1\n').message).toMatch(/"next" cannot follow "return"/);
  });

  it('rejects unknown functions, blocking calls in expressions and unsupported connectors', () => {
    expect(loadError('- s:\n    call: no.such.fn\n').message).toMatch(/unknown function or subworkflow "no.such.fn"/);
    expect(loadError('- s:\n    return: ${text.nope("x")}\n').message).toMatch(/unknown function text.nope/);
    expect(loadError('- s:\n    return: ${http.get("https://x")}\n').message).toMatch(/blocking call http.get cannot be used inside an expression/);
    expect(loadError('- s:\n    call: googleapis.storage.v1.buckets.insert\n').message).toMatch(/not supported by the local engine.*step "s"/);
    expect(loadError('- s:\n    call: events.await_callback\n').message).toMatch(/not supported/);
  });

  it('checks call arguments against the callee', () => {
    const sub = `
main:
  steps:
    - c:
        call: greet
        args: ARGS
greet:
  params: [name, greeting: "hi"]
  steps:
    - r:
        return: \${greeting + name}
`;
    expect(() => loadWorkflow(sub.replace('ARGS', '{name: "x"}'))).not.toThrow();
    expect(loadError(sub.replace('ARGS', '{greeting: "x"}')).message).toMatch(/"greet" needs argument "name"/);
    expect(loadError(sub.replace('ARGS', '{name: "x", extra: 1}')).message).toMatch(/"greet" has no argument "extra"/);
    expect(loadError('- s:\n    call: http.get\n    args: {timeout: 3}\n').message).toMatch(/"http.get" needs argument "url"/);
    expect(loadError('- s:\n    call: sys.sleep\n    args: {secs: 3}\n').message).toMatch(/no argument "secs"/);
  });

  it('checks next targets, break/continue placement and duplicate step names', () => {
    expect(loadError('- a:\n    next: nowhere\n').message).toMatch(/"next: nowhere" does not name a step/);
    expect(loadError('- a:\n    next: break\n').message).toMatch(/only allowed inside a for loop/);
    expect(
      loadError(`
- loop:
    for:
      value: v
      in: [1]
      steps:
        - inside:
            assign:
              - x: 1
- jump_in:
    next: inside
`).message,
    ).toMatch(/"next: inside" does not name a step reachable/);
    expect(loadError('- a:\n    assign:\n      - x: 1\n- a:\n    assign:\n      - x: 2\n').message).toMatch(/duplicate step name/);
  });

  it('rejects partial ${} strings, bad expressions, bad YAML and a main with two params', () => {
    expect(loadError('- a:\n    return: "id-${x}"\n').message).toMatch(/an expression must be the whole value/);
    expect(loadError('- a:\n    assign:\n      - x: ${1 +}\n').message).toMatch(/expression.*step "a"/);
    expect(loadError('main:\n  steps:\n    - a: [unclosed\n').message).toMatch(/YAML parse error/);
    expect(loadError('main:\n  params: [a, b]\n  steps:\n    - r:\n        return: 1\n').message).toMatch(/main takes at most one parameter/);
    expect(loadError('just a string').message).toMatch(/expected a map of workflows or a sequence of steps/);
  });

  it('validates retry policies and predicates', () => {
    const base = (retry: string): string => `
main:
  steps:
    - t:
        try:
          steps:
            - s:
                assign:
                  - x: 1
        retry: ${retry}
pred:
  params: [e]
  steps:
    - r:
        return: true
`;
    expect(() => loadWorkflow(base('${http.default_retry}'))).not.toThrow();
    expect(() => loadWorkflow(base('\n          predicate: ${pred}\n          max_retries: 2'))).not.toThrow();
    expect(loadError(base('${http.retry_everything}')).message).toMatch(/unknown retry policy/);
    expect(loadError(base('\n          predicate: ${nope}\n          max_retries: 2')).message).toMatch(/retry predicate "nope" is neither/);
    expect(loadError(base('\n          predicate: ${pred}')).message).toMatch(/needs "max_retries"/);
  });
});
