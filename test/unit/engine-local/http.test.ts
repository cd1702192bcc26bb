import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, harness, json, run, startServer, tokens, type TestServer } from './helpers.js';

let server: TestServer;
/** Requests to /hang are never answered (for timeouts); the test closes the connection at the end. */
beforeAll(async () => {
  server = await startServer((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/json':
        return json(res, 200, { hello: 'world', query: Object.fromEntries(url.searchParams), method: req.method }, { 'x-custom-thing': 'yes' });
      case '/echo':
        return json(res, 201, { received: body ? (JSON.parse(body) as unknown) : null, contentType: req.headers['content-type'] ?? null });
      case '/text':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end('plain text ✓');
      case '/form':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(`${req.headers['content-type']}|${body}`);
      case '/auth':
        return json(res, 200, { authorization: req.headers['authorization'] ?? null, ua: req.headers['user-agent'] });
      case '/status': {
        const code = Number(url.searchParams.get('code'));
        return json(res, code, { error: { code, message: `status ${code}` } });
      }
      case '/big':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('x'.repeat(2 * 1024 * 1024 + 10));
      case '/hang':
        return undefined;
      default:
        return json(res, 404, { error: 'no route' });
    }
  });
});
afterAll(async () => server.close());

describe('http.* against a local server', () => {
  it('GETs JSON with query parameters; the result has code, canonical headers and a parsed body', async () => {
    const s = await run(
      `
main:
  params: [args]
  steps:
    - get:
        call: http.get
        args:
          url: \${args.base + "/json"}
          query:
            q: "a b&c"
            n: 3
            multi: ["x", "y"]
        result: r
    - done:
        return: \${r}
`,
      { base: server.url },
    );
    expect(s.state).toBe('SUCCEEDED');
    const r = s.result as { code: number; headers: Record<string, string>; body: unknown };
    expect(r.code).toBe(200);
    expect(r.body).toEqual({ hello: 'world', query: { q: 'a b&c', n: '3', multi: 'y' }, method: 'GET' });
    expect(r.headers['Content-Type']).toBe('application/json');
    expect(r.headers['X-Custom-Thing']).toBe('yes');
    expect(server.requests.at(-1)?.url).toBe('/json?q=a+b%26c&n=3&multi=x&multi=y');
  });

  it('POSTs a map body as JSON, and honours an explicit form Content-Type', async () => {
    const s = await run(
      `
main:
  params: [args]
  steps:
    - post:
        call: http.post
        args:
          url: \${args.base + "/echo"}
          body:
            name: "env-1"
            sizes: [1, 2]
        result: r
    - form:
        call: http.request
        args:
          method: PUT
          url: \${args.base + "/form"}
          headers:
            Content-Type: application/x-www-form-urlencoded
          body:
            a: "1 2"
            b: "x"
        result: f
    - done:
        return: ['\${r.code}', '\${r.body}', '\${f.body}']
`,
      { base: server.url },
    );
    expect(s.result).toEqual([201, { received: { name: 'env-1', sizes: [1, 2] }, contentType: 'application/json; charset=utf-8' }, 'application/x-www-form-urlencoded|a=1+2&b=x']);
  });

  it('returns text bodies as strings', async () => {
    const s = await run(`
main:
  params: [args]
  steps:
    - get:
        call: http.get
        args: {url: '\${args.base + "/text"}'}
        result: r
    - done:
        return: \${r.body}
`, { base: server.url });
    expect(s.result).toBe('plain text ✓');
  });

  it('raises HttpError for non-2xx with code, headers and body; except can branch on e.code', async () => {
    const def = `
main:
  params: [args]
  steps:
    - call_api:
        try:
          call: http.get
          args:
            url: \${args.base + "/status?code=" + string(args.code)}
          result: r
        except:
          as: e
          steps:
            - known:
                switch:
                  - condition: \${e.code == 404}
                    return: '\${ {"handled": e.code, "msg": e.message, "body": e.body, "tags": e.tags} }'
            - rethrow:
                raise: \${e}
`;
    const handled = await run(def, { base: server.url, code: 404 });
    expect(handled.result).toEqual({
      handled: 404,
      msg: 'HTTP server responded with error code 404',
      body: { error: { code: 404, message: 'status 404' } },
      tags: ['HttpError'],
    });
    const failed = await run(def, { base: server.url, code: 500 });
    expect(failed.state).toBe('FAILED');
    expect(failed.error?.tags).toEqual(['HttpError']);
    expect(failed.error?.payload).toMatchObject({ code: 500, body: { error: { code: 500 } }, headers: { 'Content-Type': 'application/json' } });
    expect(JSON.parse(failed.error?.message ?? '{}')).toMatchObject({ code: 500, message: 'HTTP server responded with error code 500' });
  });

  it('times out with TimeoutError after the request timeout, measured on the injected clock', async () => {
    const clock = new FakeClock();
    const { engine } = harness(
      `
main:
  params: [args]
  steps:
    - slow:
        try:
          call: http.get
          args:
            url: \${args.base + "/hang"}
            timeout: 10
        except:
          as: e
          steps:
            - r:
                return: \${e}
`,
      { clock },
    );
    const { name } = await engine.start({ argument: { base: server.url }, labels: {} });
    await clock.waitForPending();
    expect(clock.requested).toEqual([10_000]);
    clock.advance(10_000);
    const s = await engine.waitFor(name);
    expect(s.result).toEqual({ message: 'request timed out', tags: ['TimeoutError', 'OSError'] });
  });

  it('raises ConnectionFailedError when nothing listens, and rejects timeouts above 1800 s', async () => {
    const closed = await startServer(() => undefined);
    const deadUrl = closed.url;
    await closed.close();
    const s = await run(
      `
main:
  params: [args]
  steps:
    - get:
        call: http.get
        args: {url: '\${args.url}'}
`,
      { url: deadUrl },
    );
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['ConnectionFailedError', 'ConnectionError']);

    const tooLong = await run(
      `
main:
  params: [args]
  steps:
    - get:
        call: http.get
        args: {url: '\${args.url}', timeout: 1801}
`,
      { url: server.url },
    );
    expect(tooLong.error?.tags).toEqual(['ValueError']);
  });

  it('adds OIDC and OAuth2 bearer tokens from the token provider and never logs them', async () => {
    tokens.calls.length = 0;
    const { engine, logs } = harness(`
main:
  params: [args]
  steps:
    - oidc_default:
        call: http.get
        args:
          url: \${args.base + "/auth?x=1"}
          auth: {type: OIDC}
        result: a
    - oidc_audience:
        call: http.get
        args:
          url: \${args.base + "/auth"}
          auth:
            type: OIDC
            audience: https://api.example.test
        result: b
    - oauth:
        call: http.get
        args:
          url: \${args.base + "/auth"}
          auth:
            type: OAuth2
            scopes: ["https://www.googleapis.com/auth/cloud-platform"]
        result: c
    - none:
        call: http.get
        args:
          url: \${args.base + "/auth"}
        result: d
    - done:
        return: ['\${a.body}', '\${b.body}', '\${c.body}', '\${d.body}']
`);
    const s = await engine.executeOnce({ base: server.url });
    const [a, b, c, d] = s.result as Array<{ authorization: string | null; ua: string }>;
    expect(a?.authorization).toBe(`Bearer oidc-token-for-${server.url}/auth`);
    expect(b?.authorization).toBe('Bearer oidc-token-for-https://api.example.test');
    expect(c?.authorization).toBe('Bearer oauth2-token');
    expect(d?.authorization).toBeNull();
    expect(d?.ua).toContain('GoogleCloudWorkflows');
    expect(tokens.calls).toEqual([`oidc:${server.url}/auth`, 'oidc:https://api.example.test', 'oauth2:https://www.googleapis.com/auth/cloud-platform']);
    expect(logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs)).not.toMatch(/token/i);
  });

  it('fails with AuthError when the token provider fails', async () => {
    const s = await run(
      `
main:
  params: [args]
  steps:
    - get:
        call: http.get
        args:
          url: \${args.base + "/auth"}
          auth: {type: OAuth2}
`,
      { base: server.url },
      { tokens: { oauth2: async () => Promise.reject(new Error('no credentials')), oidc: async () => 'x' } },
    );
    expect(s.error?.tags).toEqual(['AuthError']);
  });

  it('refuses responses above 2 MB with ResourceLimitError', async () => {
    const s = await run(
      `
main:
  params: [args]
  steps:
    - get:
        call: http.get
        args: {url: '\${args.base + "/big"}'}
`,
      { base: server.url },
    );
    expect(s.state).toBe('FAILED');
    expect(s.error?.tags).toEqual(['ResourceLimitError']);
    expect(s.error?.context).toContain('"get"');
  });
});
