import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('assign', () => {
  it('assigns in order, into a.b, a[0] and m[key] targets, creating intermediate maps', async () => {
    const s = await run(`
main:
  steps:
    - a:
        assign:
          - x: 1
          - y: \${x + 1}
          - m: {}
          - m.deep.er: \${y}
          - key: "k-1"
          - m[key]: "dyn"
          - l: [10, 20, 30]
          - l[1]: \${l[1] + 1}
          - l[2]: {inner: [0, 0]}
          - l[2].inner[1]: 5
    - r:
        return: '\${ {"m": m, "l": l, "y": y} }'
`);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual({ m: { deep: { er: 2 }, 'k-1': 'dyn' }, l: [10, 21, { inner: [0, 5] }], y: 2 });
    expect(s.billableSteps).toBe(2);
  });

  it('copies values: changing b after b = a leaves a alone', async () => {
    const s = await run(`
main:
  steps:
    - a:
        assign:
          - a: {list: [1]}
          - b: \${a}
          - b.list[0]: 99
          - b.extra: true
    - r:
        return: ['\${a}', '\${b}']
`);
    expect(s.result).toEqual([{ list: [1] }, { list: [99], extra: true }]);
  });

  it('fails with IndexError (out-of-range list target) naming the step', async () => {
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - l: []
    - bad_index:
        assign:
          - l[0]: 1
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['IndexError']);
    expect(s.error?.context).toBe('in step "bad_index", routine "main"');
  });
});

describe('switch and next', () => {
  const def = `
main:
  params: [args]
  steps:
    - init:
        assign:
          - trail: []
    - route:
        switch:
          - condition: \${args.n < 0}
            raise: {code: 400, message: "negative"}
          - condition: \${args.n == 0}
            return: "zero"
          - condition: \${args.n == 1}
            next: one
          - condition: \${args.n == 2}
            steps:
              - inner_two:
                  assign:
                    - trail: \${list.concat(trail, "two")}
          - condition: \${args.n == 3}
            assign:
              - trail: \${list.concat(trail, "three")}
            next: tail
        next: middle
    - one:
        assign:
          - trail: \${list.concat(trail, "one")}
    - middle:
        assign:
          - trail: \${list.concat(trail, "middle")}
    - tail:
        return: \${list.concat(trail, "tail")}
`;

  it('takes the first true condition and its next/steps/return/raise', async () => {
    expect((await run(def, { n: 0 })).result).toBe('zero');
    expect((await run(def, { n: 1 })).result).toEqual(['one', 'middle', 'tail']);
    expect((await run(def, { n: 2 })).result).toEqual(['two', 'middle', 'tail']);
    expect((await run(def, { n: 3 })).result).toEqual(['three', 'tail']);
    expect((await run(def, { n: 9 })).result).toEqual(['middle', 'tail']);
    const neg = await run(def, { n: -1 });
    expect(neg.state).toBe('FAILED');
    expect(neg.error?.payload).toEqual({ code: 400, message: 'negative' });
  });

  it('jumps out of nested switch steps to an outer step with next', async () => {
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - visited: []
    - outer:
        steps:
          - check:
              switch:
                - condition: true
                  steps:
                    - deep:
                        assign:
                          - visited: \${list.concat(visited, "deep")}
                    - leave:
                        next: finish
          - skipped:
              assign:
                - visited: \${list.concat(visited, "skipped")}
    - also_skipped:
        assign:
          - visited: \${list.concat(visited, "also_skipped")}
    - finish:
        return: \${visited}
`);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual(['deep']);
  });

  it('loops backwards with next and stops with next: end', async () => {
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - i: 0
    - inc:
        assign:
          - i: \${i + 1}
    - check:
        switch:
          - condition: \${i < 5}
            next: inc
    - stop:
        next: end
    - never:
        return: "unreachable"
`);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toBeNull();
    // init + 5 × (inc + check) + stop
    expect(s.billableSteps).toBe(12);
  });

  it('rejects a non-boolean condition with TypeError', async () => {
    const s = await run(`
main:
  steps:
    - sw:
        switch:
          - condition: \${"yes"}
            return: 1
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['TypeError']);
  });
});

describe('raise and return', () => {
  it('fails with the raised map: message is its JSON, tags and payload as raised', async () => {
    const s = await run(`
main:
  steps:
    - boom:
        raise:
          code: 55
          message: "Something went wrong"
          tags: ["CustomError"]
`);
    expect(s.state).toBe('FAILED');
    expect(JSON.parse(s.error?.message ?? '')).toEqual({ code: 55, message: 'Something went wrong', tags: ['CustomError'] });
    expect(s.error?.tags).toEqual(['CustomError']);
    expect(s.error?.payload).toEqual({ code: 55, message: 'Something went wrong', tags: ['CustomError'] });
    expect(s.error?.context).toContain('"boom"');
  });

  it('raises strings as strings', async () => {
    const s = await run(`
main:
  steps:
    - boom:
        raise: "plain failure"
`);
    expect(s.error).toMatchObject({ message: 'plain failure', payload: 'plain failure', tags: [] });
  });

  it('catches a raised map, inspects it and re-raises it unchanged', async () => {
    const def = `
main:
  params: [args]
  steps:
    - guarded:
        try:
          steps:
            - fail:
                raise: '\${ {"code": args.code, "message": "upstream failed", "tags": ["Upstream"]} }'
        except:
          as: e
          steps:
            - triage:
                switch:
                  - condition: \${e.code == 404}
                    return: \${"handled " + e.message}
            - rethrow:
                raise: \${e}
`;
    const handled = await run(def, { code: 404 });
    expect(handled.result).toBe('handled upstream failed');
    const rethrown = await run(def, { code: 500 });
    expect(rethrown.state).toBe('FAILED');
    expect(rethrown.error?.payload).toEqual({ code: 500, message: 'upstream failed', tags: ['Upstream'] });
    expect(rethrown.error?.context).toBe('in step "rethrow", routine "main"');
  });

  it('reports expression errors with Google tags and the failing step', async () => {
    const s = await run(`
main:
  params: [args]
  steps:
    - ok:
        assign:
          - a: 1
    - read_missing:
        assign:
          - b: \${args.missing}
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['KeyError']);
    expect(JSON.parse(s.error?.message ?? '{}')).toEqual({ message: 'key not found: missing', tags: ['KeyError'] });
    expect(s.error?.context).toBe('in step "read_missing", routine "main"');
  });

  it('returns null when main ends without return, and accepts a plain step list', async () => {
    const s = await run(`
- only:
    assign:
      - x: 1
`);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toBeNull();
  });
});
