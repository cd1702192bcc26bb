/**
 * CloudWorkflowsEngine against a fake Executions REST server on 127.0.0.1 (offline-testing.md §2):
 * the real `ExecutionsClient` with the REST transport, so request shapes and error shapes are the
 * ones production produces. PassThroughClient keeps auth off the wire and off the metadata server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionsClient } from '@google-cloud/workflows';
import { PassThroughClient } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CloudWorkflowsEngine,
  MAX_ARGUMENT_BYTES,
  createExecutionsClient,
} from '../../api/engine/cloud-workflows.js';
import { EngineUnavailableError, ExecutionNotFoundError } from '../../api/engine/port.js';

interface RecordedRequest {
  method: string;
  /** Decoded path without the query string. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
}

interface FakeReply {
  status: number;
  body?: unknown;
  /** Drop the connection without answering (a network failure). */
  hangUp?: boolean;
}

const PARENT = 'projects/P/locations/L/workflows/W';
const EXEC = `${PARENT}/executions/e-1`;

/** Fake Executions API: records every request and answers with the current `reply`. */
class FakeExecutions {
  readonly requests: RecordedRequest[] = [];
  /** Every request ever seen, for the file-wide "no Authorization header" check. */
  readonly allRequests: RecordedRequest[] = [];
  reply: (req: RecordedRequest) => FakeReply = () => ({ status: 500, body: { error: { code: 500, message: 'no reply set' } } });
  private readonly server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: decodeURIComponent(url.pathname),
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      this.requests.push(recorded);
      this.allRequests.push(recorded);
      const out = this.reply(recorded);
      if (out.hangUp) {
        req.socket.destroy();
        return;
      }
      res.writeHead(out.status, { 'content-type': 'application/json' });
      res.end(out.body === undefined ? '{}' : JSON.stringify(out.body));
    });
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const googleError = (code: number, status: string, message: string): FakeReply => ({
  status: code,
  body: { error: { code, status, message } },
});

const fake = new FakeExecutions();
let client: ExecutionsClient;
let engine: CloudWorkflowsEngine;

beforeAll(async () => {
  const port = await fake.listen();
  client = createExecutionsClient({ apiEndpoint: '127.0.0.1', port, protocol: 'http', authClient: new PassThroughClient() });
  engine = new CloudWorkflowsEngine({ client, project: 'P', location: 'L', workflow: 'W' });
});

beforeEach(() => {
  fake.requests.length = 0;
});

afterAll(async () => {
  await client.close();
  await fake.close();
  // The fake saw every request the client made, none carried credentials.
  expect(fake.allRequests.length).toBeGreaterThan(0);
  for (const r of fake.allRequests) expect(r.headers.authorization).toBeUndefined();
});

/** Runs `fn`, expects it to throw, and returns the error. */
async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('start', () => {
  const argument = { environmentId: 'env-01j', operationId: 'op-1', apiBase: 'https://api.example.run.app', nested: { n: 1, s: 'é' } };
  const labels = { environment: 'env-01j', operation: 'op-1' };

  it('creates one execution with the JSON argument, labels and LOG_ERRORS_ONLY', async () => {
    fake.reply = () => ({ status: 200, body: { name: EXEC, state: 'ACTIVE', startTime: '2026-01-01T00:00:00Z' } });

    const started = await engine.start({ argument, labels });

    expect(started).toEqual({ name: EXEC });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/projects/P/locations/L/workflows/W/executions');
    const body = req?.body as { argument: string; labels: Record<string, string>; callLogLevel: string };
    expect(typeof body.argument).toBe('string');
    expect(JSON.parse(body.argument)).toEqual(argument);
    expect(body.labels).toEqual(labels);
    expect(body.callLogLevel).toBe('LOG_ERRORS_ONLY');
    expect(req?.headers.authorization).toBeUndefined();
  });

  it('passes a configured call log level', async () => {
    const quiet = new CloudWorkflowsEngine({ client, project: 'P', location: 'L', workflow: 'W', callLogLevel: 'LOG_NONE' });
    fake.reply = () => ({ status: 200, body: { name: EXEC } });
    await quiet.start({ argument: {}, labels: {} });
    expect((fake.requests[0]?.body as { callLogLevel: string }).callLogLevel).toBe('LOG_NONE');
  });

  it('refuses an argument over 32 KB without calling Google', async () => {
    const big = { blob: 'x'.repeat(MAX_ARGUMENT_BYTES) };
    const err = await rejection(() => engine.start({ argument: big, labels: {} }));
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as EngineUnavailableError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/at most 32768/);
    expect(fake.requests).toHaveLength(0);
  });

  it('accepts an argument of exactly 32 KB', async () => {
    fake.reply = () => ({ status: 200, body: { name: EXEC } });
    const overhead = JSON.stringify({ blob: '' }).length;
    await engine.start({ argument: { blob: 'x'.repeat(MAX_ARGUMENT_BYTES - overhead) }, labels: {} });
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    [429, 'RESOURCE_EXHAUSTED'],
    [500, 'INTERNAL'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
  ])('maps %i to a retryable error after exactly one request (never retried)', async (code, status) => {
    fake.reply = () => googleError(code, status, 'try later');

    const err = await rejection(() => engine.start({ argument: { a: 1 }, labels: {} }));

    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toContain(`(${code})`);
    expect((err as Error).message).toContain('try later');
    expect(fake.requests).toHaveLength(1);
  });

  it('maps a dropped connection to a retryable error after exactly one request', async () => {
    fake.reply = () => ({ status: 0, hangUp: true });

    const err = await rejection(() => engine.start({ argument: { a: 1 }, labels: {} }));

    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toMatch(/could not reach Cloud Workflows/);
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 404 to "workflow not deployed", not retryable', async () => {
    fake.reply = () => googleError(404, 'NOT_FOUND', "Resource 'W' was not found");

    const err = await rejection(() => engine.start({ argument: {}, labels: {} }));

    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err).toMatchObject({ retryable: false });
    expect((err as Error).message).toMatch(/workflow projects\/P\/locations\/L\/workflows\/W is not deployed/);
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 403 to a permission error, not retryable', async () => {
    fake.reply = () => googleError(403, 'PERMISSION_DENIED', "Permission 'workflows.executions.create' denied");

    const err = await rejection(() => engine.start({ argument: {}, labels: {} }));

    expect(err).toMatchObject({ retryable: false });
    expect((err as Error).message).toContain('403');
    expect((err as Error).message).toMatch(/permission denied.*roles\/workflows\.invoker/);
  });

  it('maps 400 to a non-retryable error carrying Google\'s message', async () => {
    fake.reply = () => googleError(400, 'INVALID_ARGUMENT', 'label key must start with a letter');

    const err = await rejection(() => engine.start({ argument: {}, labels: { '1bad': 'x' } }));

    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err).toMatchObject({ retryable: false });
    expect((err as Error).message).toContain('400');
    expect((err as Error).message).toContain('INVALID_ARGUMENT: label key must start with a letter');
  });
});

describe('get', () => {
  it('reads the execution by name', async () => {
    fake.reply = () => ({ status: 200, body: { name: EXEC, state: 'ACTIVE', startTime: '2026-01-01T00:00:00Z' } });
    await engine.get(EXEC);
    expect(fake.requests).toEqual([expect.objectContaining({ method: 'GET', path: `/v1/${EXEC}` })]);
  });

  it.each([
    ['ACTIVE', 'ACTIVE'],
    ['QUEUED', 'ACTIVE'],
    ['SUCCEEDED', 'SUCCEEDED'],
    ['FAILED', 'FAILED'],
    ['CANCELLED', 'CANCELLED'],
    ['UNAVAILABLE', 'FAILED'],
    ['STATE_UNSPECIFIED', 'ACTIVE'],
    // The REST transport also accepts enum numbers on the wire.
    [2, 'SUCCEEDED'],
    [6, 'ACTIVE'],
  ])('maps state %s to %s', async (wire, expected) => {
    fake.reply = () => ({ status: 200, body: { name: EXEC, state: wire, startTime: '2026-01-01T00:00:00Z' } });
    const status = await engine.get(EXEC);
    expect(status.state).toBe(expected);
  });

  it('decodes the result and converts timestamps to ISO', async () => {
    fake.reply = () => ({
      status: 200,
      body: {
        name: EXEC,
        state: 'SUCCEEDED',
        startTime: '2026-01-01T00:00:00.123456Z',
        endTime: '2026-01-01T00:05:00Z',
        result: JSON.stringify({ outputs: { cluster: 'c1' }, steps: 12 }),
      },
    });

    const status = await engine.get(EXEC);

    expect(status).toEqual({
      name: EXEC,
      state: 'SUCCEEDED',
      startTime: '2026-01-01T00:00:00.123Z',
      endTime: '2026-01-01T00:05:00.000Z',
      result: { outputs: { cluster: 'c1' }, steps: 12 },
    });
  });

  it('leaves result and endTime out while the execution runs', async () => {
    fake.reply = () => ({ status: 200, body: { name: EXEC, state: 'ACTIVE', startTime: '2026-01-01T00:00:00Z' } });
    const status = await engine.get(EXEC);
    expect(status).toEqual({ name: EXEC, state: 'ACTIVE', startTime: '2026-01-01T00:00:00.000Z' });
  });

  it('decodes an error payload that is a raised map', async () => {
    const raised = { message: 'step vpc failed: 403 Forbidden', code: 403, tags: ['HttpError'], body: { error: { reason: 'forbidden' } } };
    fake.reply = () => ({
      status: 200,
      body: {
        name: EXEC,
        state: 'FAILED',
        startTime: '2026-01-01T00:00:00Z',
        endTime: '2026-01-01T00:01:00Z',
        error: { payload: JSON.stringify(raised), context: 'RuntimeError: ... in step "create", routine "run_step"' },
      },
    });

    const status = await engine.get(EXEC);

    expect(status.state).toBe('FAILED');
    expect(status.error).toEqual({ message: 'step vpc failed: 403 Forbidden', tags: ['HttpError'], payload: raised });
  });

  it('keeps an error payload that is not JSON as the message', async () => {
    fake.reply = () => ({
      status: 200,
      body: { name: EXEC, state: 'FAILED', startTime: '2026-01-01T00:00:00Z', error: { payload: 'boom', context: 'ctx' } },
    });
    const status = await engine.get(EXEC);
    expect(status.error).toEqual({ message: 'boom', payload: 'boom' });
  });

  it('decodes an error payload that is a raised string', async () => {
    fake.reply = () => ({
      status: 200,
      body: { name: EXEC, state: 'FAILED', startTime: '2026-01-01T00:00:00Z', error: { payload: '"plan not found"' } },
    });
    const status = await engine.get(EXEC);
    expect(status.error).toEqual({ message: 'plan not found', payload: 'plan not found' });
  });

  it('falls back to the error context when there is no payload', async () => {
    fake.reply = () => ({
      status: 200,
      body: { name: EXEC, state: 'FAILED', startTime: '2026-01-01T00:00:00Z', error: { context: 'ResourceLimitError: memory limit exceeded' } },
    });
    const status = await engine.get(EXEC);
    expect(status.error).toEqual({ message: 'ResourceLimitError: memory limit exceeded' });
  });

  it('explains an UNAVAILABLE execution with Google\'s state error', async () => {
    fake.reply = () => ({
      status: 200,
      body: { name: EXEC, state: 'UNAVAILABLE', startTime: '2026-01-01T00:00:00Z', stateError: { details: 'KMS key disabled', type: 'KMS_ERROR' } },
    });
    const status = await engine.get(EXEC);
    expect(status.state).toBe('FAILED');
    expect(status.error).toEqual({ message: 'KMS key disabled', tags: ['UNAVAILABLE'] });
  });

  it('maps 404 to ExecutionNotFoundError', async () => {
    fake.reply = () => googleError(404, 'NOT_FOUND', 'execution not found');
    const err = await rejection(() => engine.get(EXEC));
    expect(err).toBeInstanceOf(ExecutionNotFoundError);
    expect((err as ExecutionNotFoundError).executionName).toBe(EXEC);
  });

  it('maps 503 to a retryable error', async () => {
    fake.reply = () => googleError(503, 'UNAVAILABLE', 'backend down');
    const err = await rejection(() => engine.get(EXEC));
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toContain('503');
  });
});

describe('cancel', () => {
  it('cancels a running execution and returns its status', async () => {
    fake.reply = () => ({
      status: 200,
      body: { name: EXEC, state: 'CANCELLED', startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-01T00:02:00Z' },
    });

    const status = await engine.cancel(EXEC);

    expect(status).toMatchObject({ name: EXEC, state: 'CANCELLED', endTime: '2026-01-01T00:02:00.000Z' });
    expect(fake.requests).toEqual([expect.objectContaining({ method: 'POST', path: `/v1/${EXEC}:cancel` })]);
  });

  it('treats FAILED_PRECONDITION on an ended execution as success', async () => {
    fake.reply = (req) =>
      req.method === 'POST'
        ? googleError(400, 'FAILED_PRECONDITION', 'execution has already finished')
        : { status: 200, body: { name: EXEC, state: 'SUCCEEDED', startTime: '2026-01-01T00:00:00Z', endTime: '2026-01-01T00:03:00Z', result: '{"ok":true}' } };

    const status = await engine.cancel(EXEC);

    expect(status).toMatchObject({ state: 'SUCCEEDED', result: { ok: true } });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /v1/${EXEC}:cancel`, `GET /v1/${EXEC}`]);
  });

  it('does not hide a 400 for an execution that is still running', async () => {
    fake.reply = (req) =>
      req.method === 'POST'
        ? googleError(400, 'INVALID_ARGUMENT', 'bad name')
        : { status: 200, body: { name: EXEC, state: 'ACTIVE', startTime: '2026-01-01T00:00:00Z' } };
    const err = await rejection(() => engine.cancel(EXEC));
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err).toMatchObject({ retryable: false });
    expect((err as Error).message).toContain('400');
  });

  it('maps 404 to ExecutionNotFoundError', async () => {
    fake.reply = () => googleError(404, 'NOT_FOUND', 'execution not found');
    await expect(engine.cancel(EXEC)).rejects.toBeInstanceOf(ExecutionNotFoundError);
  });
});

describe('gRPC-shaped errors and values (another transport)', () => {
  // A hand-written stand-in for ExecutionsClient in gRPC mode: numeric enums, protobuf
  // timestamps and GoogleError-style numeric gRPC codes. No network at all.
  function grpcLikeClient(behaviour: { get: () => unknown }): ExecutionsClient {
    return {
      workflowPath: (p: string, l: string, w: string) => `projects/${p}/locations/${l}/workflows/${w}`,
      getExecution: async () => {
        const value = behaviour.get();
        if (value instanceof Error) throw value;
        return [value];
      },
    } as unknown as ExecutionsClient;
  }

  it('maps numeric states and protobuf timestamps', async () => {
    const stub = grpcLikeClient({
      get: () => ({ name: EXEC, state: 3, startTime: { seconds: '1767225600', nanos: 500_000_000 }, endTime: null, error: { payload: '{"message":"m"}' } }),
    });
    const status = await new CloudWorkflowsEngine({ client: stub, project: 'P', location: 'L', workflow: 'W' }).get(EXEC);
    expect(status).toEqual({ name: EXEC, state: 'FAILED', startTime: '2026-01-01T00:00:00.500Z', error: { message: 'm', payload: { message: 'm' } } });
  });

  it.each([
    [5, 'not-found'],
    [14, 'retryable'],
    [8, 'retryable'],
    [7, 'permanent'],
  ])('maps gRPC code %i (%s)', async (code, kind) => {
    const stub = grpcLikeClient({ get: () => Object.assign(new Error('grpc'), { code }) });
    const err = await rejection(() => new CloudWorkflowsEngine({ client: stub, project: 'P', location: 'L', workflow: 'W' }).get(EXEC));
    if (kind === 'not-found') expect(err).toBeInstanceOf(ExecutionNotFoundError);
    else expect(err).toMatchObject({ name: 'EngineUnavailableError', retryable: kind === 'retryable' });
  });
});

describe('createExecutionsClient', () => {
  it('targets Google\'s endpoint by default (constructed lazily: no request is made)', async () => {
    const production = createExecutionsClient({ authClient: new PassThroughClient() });
    expect(production.apiEndpoint).toBe('workflowexecutions.googleapis.com');
    await production.close();
  });
});
