import { describe, expect, it } from 'vitest';
import { harness, run } from './helpers.js';

/** A fetch that answers with the given statuses in order (an Error entry makes it throw that error). */
function scriptedFetch(script: Array<number | Error>): typeof fetch & { calls: number } {
  const f = async (): Promise<Response> => {
    const next = script[Math.min(f.calls, script.length - 1)] as number | Error;
    f.calls++;
    if (next instanceof Error) throw next;
    return new Response(JSON.stringify({ status: next }), { status: next, headers: { 'content-type': 'application/json' } });
  };
  f.calls = 0;
  return f as unknown as typeof fetch & { calls: number };
}

const refused = (): Error => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

const RETRY_DEF = `
main:
  params: [args]
  steps:
    - init:
        assign:
          - attempts: 0
    - flaky:
        try:
          steps:
            - count:
                assign:
                  - attempts: \${attempts + 1}
            - maybe_fail:
                switch:
                  - condition: \${attempts <= args.failures}
                    raise:
                      code: 503
                      message: "busy"
                      tags: ["Transient"]
        retry:
          predicate: \${is_transient}
          max_retries: 3
          backoff:
            initial_delay: 2
            max_delay: 5
            multiplier: 2
        except:
          as: e
          steps:
            - gave_up:
                return: '\${"gave up after " + string(attempts) + ": " + e.message}'
    - done:
        return: \${attempts}
is_transient:
  params: [e]
  steps:
    - check:
        switch:
          - condition: \${"Transient" in e.tags}
            return: true
    - not_transient:
        return: false
`;

describe('try / except', () => {
  it('catches system errors with their tags in "as"', async () => {
    const s = await run(`
main:
  steps:
    - t:
        try:
          steps:
            - bad:
                assign:
                  - x: \${ {}["nope"] }
        except:
          as: err
          steps:
            - r:
                return: \${err}
`);
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual({ message: 'key not found: nope', tags: ['KeyError'] });
  });

  it('does not catch what the except block raises itself', async () => {
    const s = await run(`
main:
  steps:
    - t:
        try:
          steps:
            - a:
                raise: "first"
        except:
          as: e
          steps:
            - b:
                raise: \${"second after " + e}
`);
    expect(s.error?.payload).toBe('second after first');
  });
});

describe('retry', () => {
  it('re-runs the whole try block while the predicate subworkflow says so, with exponential backoff', async () => {
    const { engine, clock } = harness(RETRY_DEF);
    const s = await engine.executeOnce({ failures: 3 });
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toBe(4);
    // initial 2 s, ×2 each retry, capped at 5 s
    expect(clock.requested).toEqual([2000, 4000, 5000]);
    // init + flaky + 4 × (count + maybe_fail) + 3 predicate runs × check + done
    expect(s.billableSteps).toBe(1 + 1 + 8 + 3 + 1);
  });

  it('hands the last error to except once max_retries is exhausted', async () => {
    const { engine, clock } = harness(RETRY_DEF);
    const s = await engine.executeOnce({ failures: 10 });
    expect(s.result).toBe('gave up after 4: busy');
    expect(clock.requested).toEqual([2000, 4000, 5000]);
  });

  it('scales backoff waits by the time factor', async () => {
    const { engine, clock } = harness(RETRY_DEF, { timeScale: 0.5 });
    await engine.executeOnce({ failures: 3 });
    expect(clock.requested).toEqual([1000, 2000, 2500]);
  });

  it('does not retry when the predicate returns false', async () => {
    const { engine, clock } = harness(RETRY_DEF.replace('"Transient" in e.tags', '"Other" in e.tags'));
    const s = await engine.executeOnce({ failures: 1 });
    expect(s.result).toBe('gave up after 1: busy');
    expect(clock.requested).toEqual([]);
  });

  it('${http.default_retry} retries 429/503 with 1 s × 1.25 backoff and succeeds', async () => {
    const fetch = scriptedFetch([503, 429, 200]);
    const { engine, clock } = harness(
      `
main:
  steps:
    - get:
        try:
          call: http.get
          args:
            url: https://api.example.test/thing
          result: r
        retry: \${http.default_retry}
    - done:
        return: \${r.body}
`,
      { fetch },
    );
    const s = await engine.executeOnce();
    expect(s.state).toBe('SUCCEEDED');
    expect(s.result).toEqual({ status: 200 });
    expect(fetch.calls).toBe(3);
    // sleeps of 300 s are the HTTP timeout timers; the rest are the backoff waits
    expect(clock.requested.filter((ms) => ms !== 300_000)).toEqual([1000, 1250]);
    // get + 3 attempts of its single-step body + done
    expect(s.billableSteps).toBe(5);
  });

  it('${http.default_retry} gives up after 5 retries and never retries a 500', async () => {
    const busy = scriptedFetch([503]);
    const s1 = await run(
      `
main:
  steps:
    - get:
        try:
          call: http.get
          args: {url: "https://api.example.test/x"}
        retry: \${http.default_retry}
`,
      {},
      { fetch: busy },
    );
    expect(busy.calls).toBe(6);
    expect(s1.state).toBe('FAILED');
    expect(s1.error?.tags).toEqual(['HttpError']);
    expect((s1.error?.payload as { code: number }).code).toBe(503);

    const broken = scriptedFetch([500, 200]);
    const s2 = await run(
      `
main:
  steps:
    - get:
        try:
          call: http.get
          args: {url: "https://api.example.test/x"}
        retry: \${http.default_retry}
`,
      {},
      { fetch: broken },
    );
    expect(broken.calls).toBe(1);
    expect(s2.state).toBe('FAILED');
  });

  it('the non-idempotent policy retries 503 and refused connections but not 502', async () => {
    const def = `
main:
  steps:
    - post:
        try:
          call: http.post
          args: {url: "https://api.example.test/x", body: {a: 1}}
          result: r
        retry: \${http.default_retry_non_idempotent}
    - done:
        return: \${r.code}
`;
    const ok = scriptedFetch([503, refused(), 200]);
    expect((await run(def, {}, { fetch: ok })).result).toBe(200);
    expect(ok.calls).toBe(3);
    const bad = scriptedFetch([502, 200]);
    expect((await run(def, {}, { fetch: bad })).state).toBe('FAILED');
    expect(bad.calls).toBe(1);
  });

  it('accepts the default predicates in a custom policy map', async () => {
    const fetch = scriptedFetch([504, 504, 200]);
    const { engine, clock } = harness(
      `
main:
  steps:
    - get:
        try:
          call: http.get
          args: {url: "https://api.example.test/x"}
          result: r
        retry:
          predicate: \${http.default_retry_predicate}
          max_retries: 2
          backoff: {initial_delay: 3, max_delay: 100, multiplier: 3}
    - done:
        return: \${r.code}
`,
      { fetch },
    );
    expect((await engine.executeOnce()).result).toBe(200);
    expect(clock.requested.filter((ms) => ms !== 300_000)).toEqual([3000, 9000]);
  });

  it('lets a custom predicate extend the default one by calling it as a function', async () => {
    const fetch = scriptedFetch([500, refused(), 429, 200]);
    const s = await run(
      `
main:
  steps:
    - get:
        try:
          call: http.get
          args: {url: "https://api.example.test/x"}
          result: r
        retry:
          predicate: \${transient}
          max_retries: 5
          backoff: {initial_delay: 1, max_delay: 10, multiplier: 2}
    - done:
        return: \${r.code}
transient:
  params: [e]
  steps:
    - check:
        switch:
          - condition: \${http.default_retry_predicate(e)}
            return: true
          - condition: \${"HttpError" in e.tags and e.code >= 500}
            return: true
    - no:
        return: false
`,
      {},
      { fetch },
    );
    expect(s.result).toBe(200);
    expect(fetch.calls).toBe(4);
  });
});
