import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../../../api/engine/port.js';
import { LIMITS, loadWorkflow } from '../../../api/engine/local/index.js';
import { harness, run } from './helpers.js';

const RETURN_ARGS = `
main:
  params: [args]
  steps:
    - r:
        return: \${len(args.blob)}
`;

describe('limits', () => {
  it('accepts an argument up to 32 KB (JSON-encoded) and refuses a larger one at start', async () => {
    const { engine } = harness(RETURN_ARGS);
    const overhead = JSON.stringify({ blob: '' }).length;
    const fits = { blob: 'x'.repeat(LIMITS.argumentBytes - overhead) };
    expect((await engine.executeOnce(fits)).result).toBe(LIMITS.argumentBytes - overhead);

    const tooBig = { blob: 'x'.repeat(LIMITS.argumentBytes - overhead + 1) };
    const err = await engine.start({ argument: tooBig, labels: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err).toMatchObject({ retryable: false });
    expect(engine.list()).toHaveLength(1);
  });

  it('raises ResourceLimitError when variables exceed 512 KB, naming the step; except can catch it', async () => {
    const grow = `
            - grow:
                for:
                  value: i
                  range: [1, 20]
                  steps:
                    - double:
                        assign:
                          - s: \${s + s}`;
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - s: "x"
    - body:
        steps:${grow}
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['ResourceLimitError']);
    expect(s.error?.context).toBe('in step "double", routine "main"');

    const caught = await run(`
main:
  steps:
    - init:
        assign:
          - s: "x"
    - body:
        try:
          steps:${grow}
        except:
          as: e
          steps:
            - r:
                return: ['\${e.tags}', '\${len(s)}']
`);
    // 2^18 characters fit; 2^19 characters plus JSON quotes exceed 524 288 bytes.
    expect(caught.result).toEqual([['ResourceLimitError'], 2 ** 18]);
  });

  it('frees memory when a variable is set to null or a loop iteration ends', async () => {
    // chunk is 60 × 4096 = 245 760 characters: two copies fit in 512 KB, three do not.
    const s = await run(`
main:
  steps:
    - init:
        assign:
          - chunk: "012345678901234567890123456789012345678901234567890123456789"
    - grow:
        for:
          value: i
          range: [1, 12]
          steps:
            - double:
                assign:
                  - chunk: \${chunk + chunk}
    - copy:
        assign:
          - a: \${chunk}
          - a: null
          - b: \${chunk}
          - b: null
    - per_iteration:
        for:
          value: i
          range: [1, 3]
          steps:
            - temp:
                assign:
                  - local_copy: \${chunk}
    - done:
        return: \${len(chunk)}
`);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toBe(60 * 4096);
  });

  it('rejects an HTTP response that is under 2 MB but does not fit in 512 KB of variables', async () => {
    const fetch = (async () => new Response('y'.repeat(600 * 1024), { headers: { 'content-type': 'text/plain' } })) as typeof globalThis.fetch;
    const s = await run(
      `
main:
  steps:
    - get:
        call: http.get
        args: {url: "https://api.example.test/large"}
        result: r
`,
      {},
      { fetch },
    );
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['ResourceLimitError']);
    expect(s.error?.context).toContain('"get"');
  });

  it('stops an execution after 100 000 steps', async () => {
    const s = await run(`
main:
  steps:
    - spin:
        for:
          value: i
          range: [1, 200000]
          steps:
            - tick:
                assign:
                  - last: \${i}
`);
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['ResourceLimitError']);
    expect(s.billableSteps).toBe(LIMITS.stepsPerExecution + 1);
  });

  it('refuses definitions above 128 KB', () => {
    const big = `main:\n  steps:\n    - r:\n        return: "${'x'.repeat(LIMITS.sourceBytes)}"\n`;
    expect(() => loadWorkflow(big)).toThrow(/exceeds 131072 bytes/);
  });
});
