/**
 * Shared test fixtures for the local Workflows engine: a fake clock (no test ever sleeps for real),
 * a token stub, a one-call runner, and a local HTTP server on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalWorkflowEngine, type Clock, type LocalEngineOptions, type LocalExecutionStatus, type LogEntry, type TokenProvider } from '../../../api/engine/local/index.js';

/**
 * A manual clock. `sleep` waits until `advance` moves time past its deadline; sleeps shorter than
 * `autoAdvanceBelowMs` complete at once (time still moves), so retry/backoff tests run instantly
 * while long waits (HTTP timeouts, long sleeps) stay pending until the test advances the clock.
 * Every requested duration is recorded in `requested`.
 */
export class FakeClock implements Clock {
  current: number;
  readonly requested: number[] = [];
  private pending: Array<{ at: number; fire: () => void }> = [];
  private watchers: Array<() => void> = [];
  private readonly autoBelow: number;

  constructor(opts: { start?: number; autoAdvanceBelowMs?: number } = {}) {
    this.current = opts.start ?? Date.UTC(2024, 0, 10, 16, 15, 54, 615);
    this.autoBelow = opts.autoAdvanceBelowMs ?? 0;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.requested.push(ms);
    if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (ms < this.autoBelow) {
      this.current += ms;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        at: this.current + ms,
        fire: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.pending = this.pending.filter((p) => p !== entry);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.push(entry);
      const watchers = this.watchers;
      this.watchers = [];
      watchers.forEach((w) => w());
    });
  }

  /** Number of sleeps waiting for the clock. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Resolves once at least `n` sleeps are pending (driven by sleep registrations, not timers). */
  async waitForPending(n = 1): Promise<void> {
    while (this.pending.length < n) await new Promise<void>((r) => this.watchers.push(r));
  }

  /** Moves time forward and completes every sleep whose deadline has passed, in order. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.pending.filter((p) => p.at <= this.current).sort((a, b) => a.at - b.at);
    this.pending = this.pending.filter((p) => p.at > this.current);
    due.forEach((p) => p.fire());
  }
}

export const tokens: TokenProvider & { calls: string[] } = {
  calls: [],
  async oauth2(scopes?: string[]) {
    this.calls.push(`oauth2:${(scopes ?? []).join(' ')}`);
    return 'oauth2-token';
  },
  async oidc(audience: string) {
    this.calls.push(`oidc:${audience}`);
    return `oidc-token-for-${audience}`;
  },
};

export interface Harness {
  engine: LocalWorkflowEngine;
  clock: FakeClock;
  logs: LogEntry[];
}

export function harness(definition: string, opts: Partial<LocalEngineOptions> & { autoAdvanceBelowMs?: number } = {}): Harness {
  const clock = (opts.clock as FakeClock | undefined) ?? new FakeClock({ autoAdvanceBelowMs: opts.autoAdvanceBelowMs ?? 250_000 });
  const logs: LogEntry[] = [];
  const engine = new LocalWorkflowEngine({ tokens, logger: (e) => logs.push(e), ...opts, definition, clock });
  return { engine, clock, logs };
}

/** Loads `definition`, runs it once with `argument` and returns the final status. */
export async function run(definition: string, argument: Record<string, unknown> = {}, opts: Partial<LocalEngineOptions> & { autoAdvanceBelowMs?: number } = {}): Promise<LocalExecutionStatus> {
  return harness(definition, opts).engine.executeOnce(argument);
}

export interface TestServer {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (port 0) that records requests and answers with `handler`. */
export async function startServer(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
