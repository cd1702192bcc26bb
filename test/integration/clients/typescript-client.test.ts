import type { GoogleAuth } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiProblem, createClient, googleIdTokenProvider, WaitEndedError, type Environment, type EnvironmentEvent, type EnvironmentSpecInput } from '@saxml-environments/client';
import { SMALLEST_SPEC } from '../../support/fixtures.js';
import { startLocalWorld, type LocalWorld } from '../../support/local-world.js';

/**
 * The TypeScript client (clients/typescript) against the whole local profile served over HTTP:
 * the README's create → wait → outputs → delete, typed problems, tokens, and a watch that resumes
 * after its connection drops.
 */

const TOKEN = 'client-test-token-0123456789';
const spec = (name: string): EnvironmentSpecInput => ({ ...SMALLEST_SPEC, name, saxml: { enabled: false } });

let world: LocalWorld;
beforeAll(async () => {
  world = await startLocalWorld({ env: { API_TOKEN: TOKEN } });
});
afterAll(() => world.stop());

describe('createClient', () => {
  it('creates, waits for ACTIVE while reporting progress, reads the outputs, deletes', async () => {
    const client = createClient({ baseUrl: world.baseUrl, token: TOKEN });
    const created = await client.create(spec('readme'));
    expect(created.state).toBe('CREATING');

    const events: EnvironmentEvent[] = [];
    const seen: Environment[] = [];
    const active = await client.waitFor(created.id, (e) => e.state === 'ACTIVE', { onEvent: (e) => events.push(e), onEnvironment: (e) => seen.push(e) });
    expect(active.state).toBe('ACTIVE');
    expect(active.outputs.clusterName).toBe('readme-saxml-gke-cluster');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['operation.succeeded', 'environment.active']));
    // It saw the stages progress, not only the end.
    expect(seen.some((e) => e.stages.some((s) => s.state === 'RUNNING'))).toBe(true);

    const deleting = await client.delete(created.id, { deleteBootstrap: true });
    expect(deleting.state).toBe('DELETING');
    expect((await client.waitFor(created.id, (e) => e.state === 'DELETED')).state).toBe('DELETED');
  });

  it('validates without recording, and throws refusals as typed problems', async () => {
    const client = createClient({ baseUrl: world.baseUrl, token: TOKEN });
    const preview = await client.validate(spec('preview'));
    expect(preview.spec.cluster.tpuNodePools[0]!.diskSizeGb).toBe(200);
    expect((await client.list({ project: 'my-project-1' })).environments.map((e) => e.name)).not.toContain('preview');

    const invalid = await client.create({ ...spec('bad'), region: 'nowhere' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ApiProblem);
    const problem = invalid as ApiProblem;
    expect([problem.status, problem.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(problem.problem.errors?.[0]?.path).toBe('$.region');

    const missing = await client.get('env-01jd8m3q4b5c6d7e8f9g0h1j2k').catch((e: unknown) => e);
    expect((missing as ApiProblem).code).toBe('NOT_FOUND');
  });

  it('asks its token provider before each request; without a token the API answers UNAUTHENTICATED', async () => {
    let asked = 0;
    const client = createClient({ baseUrl: world.baseUrl, tokenProvider: async () => { asked++; return TOKEN; } });
    await client.list();
    await client.list();
    expect(asked).toBe(2);
    const anonymous = await createClient({ baseUrl: world.baseUrl }).list().catch((e: unknown) => e);
    expect((anonymous as ApiProblem).code).toBe('UNAUTHENTICATED');
  });

  it('waitFor ends with WaitEndedError when the operation fails, naming the error', async () => {
    const client = createClient({ baseUrl: world.baseUrl, token: TOKEN });
    await world.request('/_sandbox/_faults', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ tpuStockoutZones: ['us-west1-c'] }) });
    try {
      const created = await client.create(spec('stockout'));
      const ended = await client.waitFor(created.id, (e) => e.state === 'ACTIVE').catch((e: unknown) => e);
      expect(ended).toBeInstanceOf(WaitEndedError);
      expect((ended as WaitEndedError).environment.state).toBe('FAILED');
      expect((ended as WaitEndedError).message).toContain('GCE_STOCKOUT');
    } finally {
      await world.request('/_sandbox/_faults', { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    }
  });

  it('a watch whose connection drops resumes after the last event it delivered: each event once', async () => {
    const watchUrls: string[] = [];
    const delivered: number[] = [];
    let deliveredBeforeReconnect = -1;
    // Between the client and the real server: the first stream is cut after its first chunk.
    const cutting: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const response = await fetch(request);
      if (!request.url.includes('events:watch')) return response;
      watchUrls.push(request.url);
      if (watchUrls.length === 2) deliveredBeforeReconnect = delivered.length;
      if (watchUrls.length > 1) return response;
      const reader = response.body!.getReader();
      const first = await reader.read();
      await reader.cancel();
      return new Response(new ReadableStream({ start: (c) => { c.enqueue(first.value); c.close(); } }), { status: 200, headers: response.headers });
    };
    const client = createClient({ baseUrl: world.baseUrl, token: TOKEN, fetch: cutting });
    const created = await client.create(spec('resume'));
    let end: Environment | undefined;
    for await (const item of client.watch(created.id, { untilOperationEnd: true })) {
      if (item.type === 'event') delivered.push(item.event.seq);
      if (item.type === 'end') end = item.environment;
    }
    expect(end?.state).toBe('ACTIVE');
    expect(delivered).toEqual(delivered.map((_, i) => i + 1));
    expect(watchUrls.length).toBeGreaterThan(1);
    // The second request resumes after the last event the first one delivered.
    expect(new URL(watchUrls[1]!).searchParams.get('after')).toBe(String(deliveredBeforeReconnect));
  });

  it('patch: refused as OPERATION_IN_PROGRESS while the create runs; then the preview of the change', async () => {
    const client = createClient({ baseUrl: world.baseUrl, token: TOKEN });
    const created = await client.create(spec('patchme'));
    const refused = await client.patch(created.id, { labels: { team: 'a' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiProblem);
    expect([(refused as ApiProblem).status, (refused as ApiProblem).code]).toEqual([409, 'OPERATION_IN_PROGRESS']);
    await world.settle(created.id);
    const preview = await client.patch(created.id, { labels: { team: 'a' } }, { validateOnly: true });
    expect(preview).toMatchObject({ kind: 'UpdatePreview', changed: ['labels.team'], plan: { kind: 'update' } });
  });
});

describe('googleIdTokenProvider', () => {
  it('sends the ID token google-auth-library mints for the audience, making the ID token client once', async () => {
    const audiences: string[] = [];
    const auth = {
      getIdTokenClient: async (audience: string) => {
        audiences.push(audience);
        return { getRequestHeaders: async () => new Headers({ authorization: 'Bearer id-token-for-the-service' }) };
      },
    } as unknown as Pick<GoogleAuth, 'getIdTokenClient'>;
    const provider = googleIdTokenProvider('https://saxenv.example.run.app', { auth });
    expect(await provider()).toBe('id-token-for-the-service');
    expect(await provider()).toBe('id-token-for-the-service');
    expect(audiences).toEqual(['https://saxenv.example.run.app']);
  });
});
