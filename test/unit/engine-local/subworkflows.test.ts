import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('subworkflows', () => {
  it('passes named args, applies defaults and nests calls three deep', async () => {
    const s = await run(
      `
main:
  params: [args]
  steps:
    - call_outer:
        call: outer
        args:
          name: \${args.name}
        result: greeting
    - done:
        return: \${greeting}
outer:
  params: [name, punctuation: "!"]
  steps:
    - mid:
        call: middle
        args:
          text: \${"Hello " + name}
        result: t
    - out:
        return: \${t + punctuation}
middle:
  params: [text]
  steps:
    - inner:
        call: upper
        args: {s: '\${text}'}
        result: u
    - back:
        return: \${u}
upper:
  params: [s]
  steps:
    - r:
        return: \${text.to_upper(s)}
`,
      { name: 'ada' },
    );
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toBe('HELLO ADA!');
    // call_outer, mid, inner, r, back, out, done
    expect(s.billableSteps).toBe(7);
  });

  it('gives every call its own variables', async () => {
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - x: "main"
    - c:
        call: sub
        result: r
    - done:
        return: ['\${x}', '\${r}']
sub:
  steps:
    - set:
        assign:
          - x: "sub"
    - r:
        return: \${x}
`);
    expect(s.result).toEqual(['main', 'sub']);
  });

  it('returns null from next: end in a subworkflow and the caller continues', async () => {
    const s = await run(`
main:
  steps:
    - c:
        call: sub
        result: r
    - done:
        return: '\${ {"r": r} }'
sub:
  steps:
    - stop:
        next: end
    - never:
        return: 1
`);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual({ r: null });
  });

  it('propagates errors from subworkflows to the caller, with the raising step as context', async () => {
    const s = await run(`
main:
  steps:
    - c:
        try:
          call: failing
        except:
          as: e
          steps:
            - caught:
                return: \${e.message}
failing:
  steps:
    - deep:
        raise: {message: "from deep"}
`);
    expect(s.result).toBe('from deep');
    const unhandled = await run(`
main:
  steps:
    - c:
        call: failing
failing:
  steps:
    - deep:
        raise: {message: "from deep"}
`);
    expect(unhandled.error?.context).toBe('in step "deep", routine "failing"');
  });

  it('stops runaway recursion with RecursionError', async () => {
    const s = await run(`
main:
  steps:
    - c:
        call: recurse
        args: {n: 0}
        result: r
    - done:
        return: \${r}
recurse:
  params: [n]
  steps:
    - again:
        call: recurse
        args: {n: '\${n + 1}'}
        result: r
    - r:
        return: \${r}
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['RecursionError']);
  });
});
