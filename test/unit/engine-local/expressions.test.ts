import { describe, expect, it } from 'vitest';
import { WorkflowError } from '../../../api/engine/local/errors.js';
import { evaluate, ExprSyntaxError, parseExpression, type EvalContext } from '../../../api/engine/local/expressions.js';
import { callFunction } from '../../../api/engine/local/stdlib.js';
import type { Value } from '../../../api/engine/local/values.js';
import { run } from './helpers.js';

const vars: Record<string, Value> = {
  n: 7,
  s: 'abc',
  m: { a: { b: [10, 20, 30] }, 'odd key': true },
  l: [1, 'two', { three: 3 }],
  nothing: null,
};

const ctx: EvalContext = {
  lookup: (name) => {
    if (!(name in vars)) throw new Error(`undefined ${name}`);
    return vars[name] as Value;
  },
  call: (fn, args) => callFunction(fn, args, { nowMs: () => 0, env: () => undefined }),
};

const ev = (src: string): Value => evaluate(parseExpression(src), ctx);

/** The Workflows error a failing expression raises (its tags and message). */
function failure(src: string): { tags: string[]; message: string } {
  try {
    ev(src);
  } catch (e) {
    if (e instanceof WorkflowError) return { tags: e.tags, message: e.message };
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
}

describe('expressions: arithmetic', () => {
  it('follows precedence and parentheses', () => {
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('10 - 4 - 3')).toBe(3);
    expect(ev('-n + 10')).toBe(3);
    expect(ev('2 * -3')).toBe(-6);
  });

  it('divides like Workflows: / is true division, // floors, % takes the sign of the divisor', () => {
    expect(ev('7 / 2')).toBe(3.5);
    expect(ev('7 // 2')).toBe(3);
    expect(ev('-7 // 2')).toBe(-4);
    expect(ev('-7 % 3')).toBe(2);
    expect(ev('7 % -3')).toBe(-2);
    expect(ev('1.5 * 2')).toBe(3);
  });

  it('raises ZeroDivisionError for /, // and % by zero', () => {
    for (const src of ['1 / 0', '1 // 0', '1 % 0']) expect(failure(src).tags).toEqual(['ZeroDivisionError']);
  });

  it('concatenates strings but never coerces', () => {
    expect(ev('"x" + s + "y"')).toBe('xabcy');
    expect(failure('"a" + 1').tags).toEqual(['TypeError']);
    expect(failure('1 + true').tags).toEqual(['TypeError']);
    expect(failure('null + 1').tags).toEqual(['TypeError']);
  });
});

describe('expressions: comparison and logic', () => {
  it('compares numbers and strings, and deep-compares collections with ==', () => {
    expect(ev('n > 5 and n <= 7')).toBe(true);
    expect(ev('"abc" < "abd"')).toBe(true);
    expect(ev('[1, {"a": 2}] == [1, {"a": 2}]')).toBe(true);
    expect(ev('{"a": 1} != {"a": 2}')).toBe(true);
    expect(ev('nothing == null')).toBe(true);
    expect(ev('1 == "1"')).toBe(false);
    expect(failure('1 < "2"').tags).toEqual(['TypeError']);
  });

  it('treats and/or/not as boolean-only, short-circuiting operators', () => {
    expect(ev('false and 1 / 0 == 1')).toBe(false);
    expect(ev('true or 1 / 0 == 1')).toBe(true);
    expect(ev('not n == 7')).toBe(false);
    expect(ev('not(false)')).toBe(true);
    expect(ev('not true or true')).toBe(true);
    expect(failure('1 and true').tags).toEqual(['TypeError']);
    expect(failure('not "x"').tags).toEqual(['TypeError']);
  });

  it('tests membership in lists (by value) and maps (by key)', () => {
    expect(ev('"two" in l')).toBe(true);
    expect(ev('{"three": 3} in l')).toBe(true);
    expect(ev('"a" in m')).toBe(true);
    expect(ev('"b" in m')).toBe(false);
    expect(ev('"b" not in m')).toBe(true);
    expect(ev('"SystemError" in ["HttpError", "SystemError"]')).toBe(true);
    expect(failure('"a" in "abc"').tags).toEqual(['TypeError']);
  });
});

describe('expressions: access', () => {
  it('reads maps with . and [] and lists with []', () => {
    expect(ev('m.a.b[1]')).toBe(20);
    expect(ev('m["a"]["b"][2]')).toBe(30);
    expect(ev('m["odd key"]')).toBe(true);
    expect(ev('l[2].three')).toBe(3);
    expect(ev('l[len(l) - 1]["three"]')).toBe(3);
  });

  it('raises KeyError, IndexError and TypeError like Google', () => {
    expect(failure('m.missing')).toEqual({ tags: ['KeyError'], message: 'key not found: missing' });
    expect(failure('m["missing"]').tags).toEqual(['KeyError']);
    expect(failure('l[3]').tags).toEqual(['IndexError']);
    expect(failure('l[-1]').tags).toEqual(['IndexError']);
    expect(failure('l["0"]').tags).toEqual(['TypeError']);
    expect(failure('s.length').tags).toEqual(['TypeError']);
    expect(failure('nothing.x').tags).toEqual(['TypeError']);
  });

  it('builds maps and lists inside expressions', () => {
    expect(ev('{"k": [n, n * 2], "nested": {"s": s}}')).toEqual({ k: [7, 14], nested: { s: 'abc' } });
    expect(ev('[]')).toEqual([]);
    expect(ev('{}')).toEqual({});
    expect(ev("{'single': 'quotes'}")).toEqual({ single: 'quotes' });
  });

  it('parses literals: escapes, exponents, True/False/null', () => {
    expect(ev('"a\\"b\\n"')).toBe('a"b\n');
    expect(ev('1e3')).toBe(1000);
    expect(ev('True and TRUE')).toBe(true);
    expect(ev('null')).toBe(null);
  });

  it('rejects malformed expressions with a syntax error', () => {
    for (const src of ['1 +', '(1', 'a..b', '"open', '', 'm.a(1)(2) +', '1 2']) {
      expect(() => parseExpression(src), src).toThrow(ExprSyntaxError);
    }
    expect(() => parseExpression('l[0](1)')).toThrow(/only named functions/);
  });
});

describe('expressions inside a workflow', () => {
  it('evaluates ${} in values, nested maps/lists and dynamic map keys', async () => {
    const s = await run(
      `
main:
  params: [args]
  steps:
    - build:
        assign:
          - key: "dyn"
          - out:
              static: 1
              computed: \${args.x * 2}
              list: ["\${args.x}", "lit", {inner: "\${args.x + 1}"}]
              '\${key + "_key"}': '\${"v" + string(args.x)}'
    - done:
        return: \${out}
`,
      { x: 5 },
    );
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual({ static: 1, computed: 10, list: [5, 'lit', { inner: 6 }], dyn_key: 'v5' });
  });
});
