import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadWorkflow } from '../../../api/engine/local/index.js';
import { harness, run } from './helpers.js';

/** A fetch whose responses the test releases one by one; it records how many calls overlap. */
class GatedFetch {
  inFlight = 0;
  maxInFlight = 0;
  private waiting: Array<() => void> = [];
  private watchers: Array<() => void> = [];

  readonly fetch = (async (): Promise<Response> => {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.watchers.splice(0).forEach((w) => w());
    });
    this.inFlight--;
    return new Response('{"n": 1}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;

  async waitForCalls(n: number): Promise<void> {
    while (this.waiting.length < n) await new Promise<void>((r) => this.watchers.push(r));
  }

  releaseOne(): void {
    this.waiting.shift()?.();
  }
}

describe('parallel branches', () => {
  it('runs branches that write shared variables; branch-local variables stay in the branch', async () => {
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - results: {}
          - order: []
    - fan_out:
        parallel:
          shared: [results, order]
          branches:
            - first:
                steps:
                  - w1:
                      assign:
                        - local_tmp: 1
                        - results.a: \${local_tmp}
                        - order: \${list.concat(order, "first")}
            - second:
                steps:
                  - nap:
                      call: sys.sleep
                      args: {seconds: 1}
                  - w2:
                      assign:
                        - results["b"]: 2
                        - order: \${list.concat(order, "second")}
    - done:
        return:
          results: \${results}
          order: \${order}
`);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual({ results: { a: 1, b: 2 }, order: ['first', 'second'] });
    // init + fan_out + w1 + nap + w2 + done
    expect(s.billableSteps).toBe(6);

    const leaked = await run(`
main:
  steps:
    - init:
        assign:
          - x: 0
    - fan_out:
        parallel:
          branches:
            - a:
                steps:
                  - set:
                      assign:
                        - only_in_branch: 1
            - b:
                steps:
                  - noop:
                      assign:
                        - other: 2
    - after:
        return: \${only_in_branch}
`);
    expect(leaked.state).toBe('FAILED');
    expect(leaked.error?.tags).toEqual(['KeyError']);
  });

  it('refuses writes to parent variables that are not shared', async () => {
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - input: 1
    - fan_out:
        parallel:
          branches:
            - a:
                steps:
                  - overwrite:
                      assign:
                        - input: 5
            - b:
                steps:
                  - fine:
                      assign:
                        - y: 1
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.message).toMatch(/'input'.*shared/);
    expect(s.error?.context).toContain('"overwrite"');
  });

  it('parallel for honours concurrency_limit and accumulates into a shared variable', async () => {
    const gate = new GatedFetch();
    const { engine } = harness(
      `
main:
  params: [args]
  steps:
    - init:
        assign:
          - total: 0
    - each:
        parallel:
          shared: [total]
          concurrency_limit: 2
          for:
            value: id
            in: \${args.ids}
            steps:
              - get:
                  call: http.get
                  args:
                    url: \${"https://api.example.test/items/" + id}
                  result: r
              - add:
                  assign:
                    - total: \${total + r.body.n}
    - done:
        return: \${total}
`,
      { fetch: gate.fetch },
    );
    const { name } = await engine.start({ argument: { ids: ['a', 'b', 'c', 'd', 'e'] }, labels: {} });
    for (let remaining = 5; remaining > 0; remaining--) {
      await gate.waitForCalls(Math.min(2, remaining));
      gate.releaseOne();
    }
    const s = await engine.waitFor(name);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toBe(5);
    expect(gate.maxInFlight).toBe(2);
  });

  it('continueAll: other branches finish, then UnhandledBranchError carries every branch error', async () => {
    const def = `
main:
  steps:
    - init:
        assign:
          - done: []
    - guarded:
        try:
          steps:
            - fan_out:
                parallel:
                  exception_policy: continueAll
                  shared: [done]
                  branches:
                    - fails:
                        steps:
                          - boom:
                              raise: {code: 7, message: "branch failed"}
                    - slow:
                        steps:
                          - wait:
                              call: sys.sleep
                              args: {seconds: 5}
                          - mark_slow:
                              assign:
                                - done: \${list.concat(done, "slow")}
                    - fast:
                        steps:
                          - mark_fast:
                              assign:
                                - done: \${list.concat(done, "fast")}
        except:
          as: e
          steps:
            - report:
                return:
                  tags: \${e.tags}
                  failed: \${e.branches[0].id}
                  cause: \${e.branches[0].error}
                  done: \${done}
`;
    const s = await run(def);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual({
      tags: ['UnhandledBranchError'],
      failed: 'fails',
      cause: { code: 7, message: 'branch failed' },
      done: ['fast', 'slow'],
    });
  });

  it('fails the execution with UnhandledBranchError when nobody catches it; iterations are identified by index', async () => {
    const s = await run(`
main:
  steps:
    - each:
        parallel:
          for:
            value: n
            range: [0, 3]
            steps:
              - check:
                  switch:
                    - condition: \${n % 2 == 1}
                      raise: \${"odd " + string(n)}
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['UnhandledBranchError']);
    const payload = s.error?.payload as { branches: Array<{ id: string; error: unknown }> };
    expect(payload.branches).toEqual([
      { id: '1', error: 'odd 1' },
      { id: '3', error: 'odd 3' },
    ]);
    expect(s.error?.context).toBe('in step "each", routine "main"');
  });

  it('rejects what Google rejects at deploy time: nesting deeper than 2 and return in a branch', () => {
    const nested = (depth: number): string => {
      let steps: unknown[] = [{ leaf: { assign: [{ x: 1 }] } }];
      for (let d = 0; d < depth; d++) {
        steps = [{ [`p${d}`]: { parallel: { branches: [{ [`a${d}`]: { steps } }, { [`b${d}`]: { steps: [{ [`s${d}`]: { assign: [{ y: 1 }] } }] } }] } } }];
      }
      return stringify({ main: { steps } });
    };
    expect(() => loadWorkflow(nested(2))).not.toThrow();
    expect(() => loadWorkflow(nested(3))).toThrow(/ParallelNestingError/);
    expect(() =>
      loadWorkflow(`
main:
  steps:
    - p:
        parallel:
          branches:
            - a:
                steps:
                  - r:
                      return: 1
            - b:
                steps:
                  - s:
                      assign:
                        - x: 1
`),
    ).toThrow(/"return" inside a parallel branch.*step "r"/);
  });

  it('raises ParallelNestingError at run time when subworkflow calls nest parallel steps 3 deep', async () => {
    const level = (name: string, callee: string): string => `
${name}:
  steps:
    - par_${name}:
        parallel:
          branches:
            - left_${name}:
                steps:
                  - call_${name}:
                      call: ${callee}
            - right_${name}:
                steps:
                  - idle_${name}:
                      assign:
                        - x: 1
`;
    const leaf = `
leaf:
  steps:
    - done_leaf:
        return: 1
`;
    const twoDeep = `main:\n  steps:\n    - go:\n        call: one\n${level('one', 'two')}${level('two', 'leaf')}${leaf}`;
    expect((await run(twoDeep)).state).toBe('SUCCEEDED');
    const threeDeep = `main:\n  steps:\n    - go:\n        call: one\n${level('one', 'two')}${level('two', 'three')}${level('three', 'leaf')}${leaf}`;
    const s = await run(threeDeep);
    expect(s.state).toBe('FAILED');
    const branches = (s.error?.payload as { branches: Array<{ error: { branches: Array<{ error: { tags: string[] } }> } }> }).branches;
    expect(branches[0]?.error.branches[0]?.error.tags).toEqual(['ParallelNestingError']);
  });
});
