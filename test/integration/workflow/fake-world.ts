/**
 * A fake world for the plan executor: one HTTP server on 127.0.0.1 (port 0) that plays
 *   /api/...      this service's internal routes (plan fetch, reports; OIDC checked),
 *   /google/...   Google APIs under the sandbox base (routes registered per test),
 *   /gapi/<host>/ Google APIs reached as https://<host>.googleapis.com (through an injected fetch),
 * plus the token endpoint, a virtual clock and the engine wired to all of it.
 *
 * Time is virtual: every sleep shorter than 250 s (retry backoff, LRO polls, transient waits)
 * completes at once and moves the clock; longer ones (HTTP timeouts) wait until aborted. Nothing
 * here sleeps for real, so runs are fast and deterministic.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { LocalWorkflowEngine, type Clock, type LocalExecutionStatus, type LogEntry } from '../../../api/engine/local/index.js';
import type { Plan } from '../../../api/domain/plan/types.js';
import { ReportBatchSchema, type ReportBatch } from '../../../api/domain/reports.js';

export const DEFINITION = readFileSync(new URL('../../../workflows/environment.workflows.yaml', import.meta.url), 'utf8');

export const OAUTH2_TOKEN = 'oauth2-workflow-identity-token';
export const AUTOMATION_SA = 'automation@p.iam.gserviceaccount.com';
export const ENV = 'env-01';
export const OP = 'op-01';
const HOUR_MS = 3_600_000;

export class VirtualClock implements Clock {
  current = Date.UTC(2025, 0, 1, 12, 0, 0);
  /** Every sleep of the workflow (ms), HTTP timeouts excluded. */
  readonly slept: number[] = [];

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (ms < 250_000) {
      this.slept.push(ms);
      this.current += ms;
      return Promise.resolve();
    }
    return new Promise<void>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true });
    });
  }
}

export interface Rec {
  method: string;
  /** Path without the query, e.g. `/google/compute/v1/...`. */
  path: string;
  query: string;
  authorization: string | undefined;
  /** Who the request authenticated as, when it arrived (see FakeWorld.identity). */
  who: string;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Rec, world: FakeWorld) => Reply;

/** Google's error body. */
export function googleError(code: number, status: string, message: string, reason = status.toLowerCase()): Reply {
  return { status: code, body: { error: { code, message, status, errors: [{ message, domain: 'global', reason }] } } };
}

export class FakeWorld {
  readonly clock = new VirtualClock();
  readonly requests: Rec[] = [];
  readonly reports: ReportBatch[] = [];
  readonly invalidReports: unknown[] = [];
  readonly logs: LogEntry[] = [];
  readonly minted: string[] = [];
  /** Minted token → expiry (virtual ms). */
  private readonly tokenExpiry = new Map<string, number>();
  private readonly routes = new Map<string, Handler>();
  plan: Plan | undefined;
  planStatus = 200;
  /** The reports route's answer to a batch (200 by default; 409 once the operation is superseded). */
  reportStatus: (batch: ReportBatch) => number = () => 200;
  /** The deployment's user environment variables; `run` starts with these. */
  env: Record<string, string> | undefined;
  /** Answer 403 to this many mint requests first (IAM propagation after the token-creator grant). */
  denyMints = 0;
  private server!: Server;
  origin = '';

  get apiBase(): string {
    return `${this.origin}/api`;
  }
  get sandboxBase(): string {
    return `${this.origin}/google`;
  }
  get tokenUrl(): string {
    return this.g(`/iamcredentials/v1/projects/-/serviceAccounts/${AUTOMATION_SA}:generateAccessToken`);
  }
  /** A sandbox URL. */
  g(path: string): string {
    return `${this.sandboxBase}${path}`;
  }

  on(method: string, path: string, handler: Handler | Reply): this {
    this.routes.set(`${method} ${path}`, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  /** Replies in turn; the last one repeats. */
  sequence(method: string, path: string, replies: Reply[]): this {
    let i = 0;
    return this.on(method, path, () => replies[Math.min(i++, replies.length - 1)]!);
  }

  calls(method: string, path: string): Rec[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** Requests to a sandbox path (`/compute/...`), any method. */
  at(path: string): Rec[] {
    return this.requests.filter((r) => r.path === `/google${path}`);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const reply = this.handle(req, text);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.on('POST', new URL(this.tokenUrl).pathname, (req) => this.mint(req));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  /** Who a request authenticated as when it arrived: 'workflow', 'automation', 'oidc', 'expired', 'none' or 'unknown'. */
  identity(r: Rec): string {
    return r.who;
  }

  private authenticate(h: string | undefined): string {
    if (!h) return 'none';
    if (h === `Bearer ${OAUTH2_TOKEN}`) return 'workflow';
    if (h === `Bearer oidc:${this.apiBase}`) return 'oidc';
    const token = h.replace(/^Bearer /, '');
    const expiry = this.tokenExpiry.get(token);
    if (expiry === undefined) return 'unknown';
    return expiry > this.clock.now() ? 'automation' : 'expired';
  }

  private handle(req: IncomingMessage, text: string): Reply {
    const url = new URL(req.url ?? '/', this.origin);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const authorization = req.headers.authorization;
    const rec: Rec = { method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.search, authorization, who: this.authenticate(authorization), body };
    this.requests.push(rec);

    if (rec.path.startsWith('/api/')) {
      if (this.identity(rec) !== 'oidc') return { status: 401, body: { detail: 'an OIDC token for the API is required' } };
      if (rec.method === 'GET' && rec.path === `/api/internal/environments/${ENV}/operations/${OP}/plan`) {
        if (this.planStatus !== 200) return { status: this.planStatus, body: { code: 'FAILED_PRECONDITION', detail: 'not the running operation' } };
        return { status: 200, body: this.plan };
      }
      if (rec.method === 'POST' && rec.path === `/api/internal/environments/${ENV}/reports`) {
        const parsed = ReportBatchSchema.safeParse(body);
        if (!parsed.success) {
          this.invalidReports.push(body);
          return { status: 400, body: { detail: parsed.error.message } };
        }
        const status = this.reportStatus(parsed.data);
        if (status !== 200) return { status, body: { code: 'FAILED_PRECONDITION', detail: 'not the running operation' } };
        this.reports.push(parsed.data);
        return { status: 200, body: { applied: parsed.data.reports.length } };
      }
    }
    // An expired or unknown bearer token is refused before any handler runs, as Google does.
    const who = this.identity(rec);
    if (who === 'expired' || who === 'unknown') return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    const handler = this.routes.get(`${rec.method} ${rec.path}`);
    if (handler) return handler(rec, this);
    return googleError(404, 'NOT_FOUND', `no fake for ${rec.method} ${rec.path}`);
  }

  private mint(req: Rec): Reply {
    if (this.identity(req) !== 'workflow') return googleError(401, 'UNAUTHENTICATED', 'the workflow identity is required');
    if (this.denyMints > 0) {
      this.denyMints--;
      return googleError(403, 'PERMISSION_DENIED', "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).", 'forbidden');
    }
    const token = `ya29.minted-${this.minted.length + 1}`;
    this.minted.push(token);
    const expiry = this.clock.now() + HOUR_MS;
    this.tokenExpiry.set(token, expiry);
    return { status: 200, body: { accessToken: token, expireTime: new Date(expiry).toISOString() } };
  }

  engine(): LocalWorkflowEngine {
    const origin = this.origin;
    // https://<host>.googleapis.com/<path> → <origin>/gapi/<host>/<path>: the production URL shape, served here.
    const routed: typeof fetch = (input, init) => {
      const u = new URL(String(input));
      const target = u.hostname.endsWith('.googleapis.com') ? `${origin}/gapi/${u.hostname}${u.pathname}${u.search}` : u.toString();
      return fetch(target, init);
    };
    return new LocalWorkflowEngine({
      definition: DEFINITION,
      clock: this.clock,
      tokens: { oauth2: async () => OAUTH2_TOKEN, oidc: async (audience) => `oidc:${audience}` },
      fetch: routed,
      logger: (e) => this.logs.push(e),
      // The deployment's user environment variables (infra/workflows.tf; the local profile's composition).
      env: this.env ?? { API_BASE: this.apiBase, SANDBOX_BASE: this.sandboxBase },
    });
  }

  async run(argument: Record<string, unknown> = {}): Promise<LocalExecutionStatus> {
    return this.engine().executeOnce({ environmentId: ENV, operationId: OP, ...argument });
  }

  /** Every step report, flattened, in arrival order. */
  stepReports(): Array<Extract<ReportBatch['reports'][number], { step: string }>> {
    return this.reports.flatMap((b) => b.reports).filter((r): r is Extract<ReportBatch['reports'][number], { step: string }> => 'step' in r);
  }

  reportOf(step: string, state: 'RUNNING' | 'SUCCEEDED' | 'FAILED') {
    return this.stepReports().find((r) => r.step === step && r.state === state);
  }
}

/** A compute operation (insert/delete) that is DONE after `polls` GETs of its selfLink. */
export function computeOp(world: FakeWorld, name: string, polls: number, error?: unknown): Record<string, unknown> {
  const selfLink = `/compute/v1/projects/p/global/operations/${name}`;
  let seen = 0;
  world.on('GET', `/google${selfLink}`, () => {
    seen++;
    const done = seen >= polls;
    return { status: 200, body: { kind: 'compute#operation', name, status: done ? 'DONE' : 'RUNNING', selfLink: world.g(selfLink), ...(done && error ? { error } : {}) } };
  });
  return { kind: 'compute#operation', name, status: 'PENDING', selfLink: world.g(selfLink) };
}

/** A GKE operation that is DONE after `polls` GETs (optionally failed, as a TPU stockout is). */
export function containerOp(world: FakeWorld, name: string, polls: number, error?: { code: number; message: string }): Record<string, unknown> {
  const selfLink = `/container/v1/projects/p/locations/r/operations/${name}`;
  let seen = 0;
  world.on('GET', `/google${selfLink}`, () => {
    seen++;
    const done = seen >= polls;
    return {
      status: 200,
      body: { name, status: done ? 'DONE' : 'RUNNING', selfLink: world.g(selfLink), ...(done && error ? { error, statusMessage: error.message } : {}) },
    };
  });
  return { name, status: 'RUNNING', selfLink: world.g(selfLink) };
}

type Binding = { role: string; members: string[]; condition?: unknown };

/**
 * An IAM policy with an etag, read and written over HTTP the way the three policy APIs do it:
 * `wrap` (IAM, Resource Manager: `{policy}` in, 409 ABORTED on a stale etag) or bare (Storage:
 * the policy in, 412 on a stale etag). `concurrentChanges` simulates other writers: the next writes
 * find the policy changed under them. `failWrites` answers the first writes with these replies.
 */
export class FakePolicy {
  version = 1;
  reads = 0;
  readonly writes: unknown[] = [];

  constructor(
    world: FakeWorld,
    readonly opts: {
      read: [string, string];
      write: [string, string];
      wrap: boolean;
      bindings?: Binding[];
      concurrentChanges?: number;
      failWrites?: Reply[];
    },
    public bindings: Binding[] = opts.bindings ?? [],
  ) {
    world.on(opts.read[0], `/google${opts.read[1]}`, () => {
      this.reads++;
      return { status: 200, body: this.policy() };
    });
    world.on(opts.write[0], `/google${opts.write[1]}`, (req) => this.write(req.body));
  }

  get etag(): string {
    return `BwY${this.version}=`;
  }

  policy(): Record<string, unknown> {
    return { version: 1, etag: this.etag, bindings: structuredClone(this.bindings) };
  }

  private write(body: unknown): Reply {
    this.writes.push(body);
    const failure = this.opts.failWrites?.shift();
    if (failure) return failure;
    const policy = (this.opts.wrap ? (body as { policy: unknown }).policy : body) as { etag?: string; bindings?: Binding[] };
    if (this.opts.concurrentChanges) {
      this.opts.concurrentChanges--;
      this.version++;
      this.bindings.push({ role: 'roles/viewer', members: [`user:someone-${this.version}@example.com`] });
    }
    if (policy.etag !== this.etag) {
      return this.opts.wrap
        ? googleError(409, 'ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.', 'aborted')
        : googleError(412, 'FAILED_PRECONDITION', 'At least one of the pre-conditions you specified did not hold.', 'conditionNotMet');
    }
    this.bindings = policy.bindings ?? [];
    this.version++;
    return { status: 200, body: this.policy() };
  }
}
