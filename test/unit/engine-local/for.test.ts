import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('for loops', () => {
  it('iterates a list with value and index, updating an outer variable', async () => {
    const s = await run(
      `
main:
  params: [args]
  steps:
    - init:
        assign:
          - total: 0
          - seen: []
    - loop:
        for:
          value: item
          index: i
          in: \${args.items}
          steps:
            - add:
                assign:
                  - total: \${total + item * i}
                  - seen: \${list.concat(seen, string(i) + ":" + string(item))}
    - done:
        return: ['\${total}', '\${seen}']
`,
      { items: [5, 6, 7] },
    );
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual([0 * 5 + 1 * 6 + 2 * 7, ['0:5', '1:6', '2:7']]);
    // init + loop + 3 iterations × add + done
    expect(s.billableSteps).toBe(6);
  });

  it('iterates the keys of a map and inclusive ranges (literal or expression)', async () => {
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - keys: []
          - nums: []
          - hi: 4
    - over_map:
        for:
          value: k
          in: {b: 1, a: 2}
          steps:
            - collect:
                assign:
                  - keys: \${list.concat(keys, k)}
    - over_range:
        for:
          value: n
          range: [1, 3]
          steps:
            - collect_n:
                assign:
                  - nums: \${list.concat(nums, n)}
    - over_expr_range:
        for:
          value: n
          range: \${[hi, hi + 1]}
          steps:
            - collect_e:
                assign:
                  - nums: \${list.concat(nums, n * 10)}
    - done:
        return:
          keys: \${keys}
          nums: \${nums}
`);
    expect(s.result).toEqual({ keys: ['b', 'a'], nums: [1, 2, 3, 40, 50] });
  });

  it('supports next: break and next: continue', async () => {
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - out: []
    - loop:
        for:
          value: n
          range: [1, 10]
          steps:
            - skip_even:
                switch:
                  - condition: \${n % 2 == 0}
                    next: continue
                  - condition: \${n > 7}
                    next: break
            - keep:
                assign:
                  - out: \${list.concat(out, n)}
    - done:
        return: \${out}
`);
    expect(s.result).toEqual([1, 3, 5, 7]);
  });

  it('keeps loop variables and variables created in the loop local to it', async () => {
    const s = await run(`
main:
  steps:
    - loop:
        for:
          value: v
          in: [1]
          steps:
            - make:
                assign:
                  - created_inside: \${v}
    - after:
        return: \${created_inside}
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['KeyError']);
    expect(s.error?.context).toContain('"after"');
  });

  it('returns from inside a loop and fails on a non-iterable', async () => {
    const found = await run(
      `
main:
  params: [args]
  steps:
    - search:
        for:
          value: x
          in: \${args.xs}
          steps:
            - hit:
                switch:
                  - condition: \${x > 10}
                    return: \${x}
    - none:
        return: -1
`,
      { xs: [3, 12, 40] },
    );
    expect(found.result).toBe(12);
    const bad = await run(
      `
main:
  params: [args]
  steps:
    - loop:
        for:
          value: x
          in: \${args.xs}
          steps:
            - s:
                assign:
                  - y: \${x}
`,
      { xs: 'not a list' },
    );
    expect(bad.state).toBe('FAILED');
    expect(bad.error?.tags).toEqual(['TypeError']);
  });
});
