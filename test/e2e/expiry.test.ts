import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { created, dataOf, serverClient, type EnvironmentSpec } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { allEvents, sandboxInventory, startLocalWorld, worldPerTest, type LocalWorld } from '../support/local-world.js';

/**
 * Environments that expire, on the embedded world: a short TTL, the sandbox's time scale for the
 * provisioning, and the service's clock moved forward by the test (the reconcile loop is run on
 * demand with `reconcileNow`, as its timer would) — no sleeping.
 */

const world = worldPerTest();

const HOUR = 3_600_000;
const spec = (over: Partial<EnvironmentSpec>): EnvironmentSpec => ({ ...SMALLEST_SPEC, saxml: { enabled: false }, ...over });
const clusters = async (w: LocalWorld) =>
  (await sandboxInventory(w)).filter((r) => r.type === 'container.cluster').map((r) => r.name);

describe('e2e: expiry', () => {
  it('a 2 h TTL: the 1 h notice once, not deleted within the clock-skew grace, then a normal delete that says it was an expiry; deletionProtection stops it and says so', async () => {
    let offset = 0;
    const w = await world({ now: () => new Date(Date.now() + offset) });
    const api = serverClient(w.baseUrl);
    const events = (id: string) => allEvents(w, id);

    const env = await created(api, spec({ name: 'short', ttl: '2h' }));
    const kept = await created(api, spec({ name: 'kept', ttl: '2h', deletionProtection: true }));
    expect(Date.parse(env.expireTime!) - Date.parse(env.createTime)).toBe(2 * HOUR);
    expect((await w.settle(env.id)).state).toBe('ACTIVE');
    expect((await w.settle(kept.id)).state).toBe('ACTIVE');

    // 90 minutes on: the 1 h notice (a 2 h TTL has no 24 h one), recorded once however often the loop runs.
    offset = 1.5 * HOUR;
    await w.server.reconcileNow();
    await w.server.reconcileNow();
    const expiring = (await events(env.id)).filter((e) => e.type === 'environment.expiring');
    expect(expiring).toHaveLength(1);
    expect(expiring[0]!.message).toBe(`environment expires at ${env.expireTime} (in about 1h); it will then be deleted`);

    // Just past expireTime, within the grace: a clock running a little ahead must not delete it.
    offset = 2 * HOUR + 30_000;
    await w.server.reconcileNow();
    expect(dataOf(await api.GET('/environments/{id}', { params: { path: { id: env.id } } }), 200).state).toBe('ACTIVE');

    // Past the grace: a normal delete, whose events say it was an expiry.
    offset = 2 * HOUR + 5 * 60_000;
    await w.server.reconcileNow();
    const deleting = dataOf(await api.GET('/environments/{id}', { params: { path: { id: env.id } } }), 200);
    expect(deleting).toMatchObject({ state: 'DELETING', operation: { kind: 'delete', state: 'RUNNING' } });
    expect((await w.settle(env.id)).state).toBe('DELETED');
    const history = (await events(env.id)).map((e) => `${e.type}: ${e.message}`);
    expect(history).toEqual(expect.arrayContaining([
      `environment.expired: environment expired at ${env.expireTime}: deleting it`,
      'operation.started: expiry: delete operation started',
      'environment.deleted: environment is DELETED',
    ]));

    // The protected one is not deleted; the service records (once) that it could not.
    await w.server.reconcileNow();
    const protectedOne = dataOf(await api.GET('/environments/{id}', { params: { path: { id: kept.id } } }), 200);
    expect(protectedOne.state).toBe('ACTIVE');
    expect((await events(kept.id)).filter((e) => e.type === 'environment.expiry_blocked').map((e) => e.message))
      .toEqual([`environment expired at ${kept.expireTime} but deletionProtection is on: it was not deleted`]);
    expect(await clusters(w)).toEqual(['kept-saxml-gke-cluster']);
  });

  it('a restart changes nothing: notices are not sent again and nothing is deleted before its time', async () => {
    let offset = 0;
    const now = () => new Date(Date.now() + offset);
    const dataDir = mkdtempSync(join(tmpdir(), 'saxml-expiry-'));
    try {
      const first = await startLocalWorld({ dataDir, now });
      const env = await created(serverClient(first.baseUrl), spec({ name: 'restart', ttl: '1h' }));
      expect((await first.settle(env.id)).state).toBe('ACTIVE');
      offset = 0.5 * HOUR;
      await first.server.reconcileNow();
      await first.stop();

      // The new process reconciles at start (startServer), and again here: still one notice, still ACTIVE.
      const second = await world({ dataDir, now, sandbox: first.sandbox });
      await second.server.reconcileNow();
      const api = serverClient(second.baseUrl);
      expect(dataOf(await api.GET('/environments/{id}', { params: { path: { id: env.id } } }), 200).state).toBe('ACTIVE');
      const events = dataOf(await api.GET('/environments/{id}/events', { params: { path: { id: env.id }, query: { pageSize: 100 } } }), 200).events;
      expect(events.filter((e) => e.type === 'environment.expiring')).toHaveLength(1);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
