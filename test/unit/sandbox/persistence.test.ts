import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fileStore, type SandboxStore } from '../../../api/sandbox/index.js';
import { clusterBody, gke, harness, networkStack, PROJECT } from './helpers.js';

/** Two runs of `npm start` on one DATA_DIR: sandboxes on a shared store and a shared clock. */
function runs(store: SandboxStore) {
  const time = { now: Date.UTC(2025, 0, 1) };
  return { start: () => harness({ store }, time) };
}

const memoryStore = (): SandboxStore & { text?: string } => {
  const store: SandboxStore & { text?: string } = { load: () => store.text, save: (text) => { store.text = text; } };
  return store;
};

describe('sandbox persistence', () => {
  it('a new sandbox on the same store finds every resource, policy and token, and the operations still running finish', async () => {
    const store = memoryStore();
    const { start } = runs(store);
    const first = start();
    await networkStack(first);
    await first.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation' });
    const op = await first.call('POST', gke('clusters'), clusterBody());
    expect(op.status).toBe(200);
    first.advance(100);

    const second = start();
    const cluster = await second.call('GET', gke('clusters/saxml'));
    expect(cluster.body.status).toBe('PROVISIONING');
    expect((await second.call('GET', `/iam/v1/projects/${PROJECT}/serviceAccounts/automation@${PROJECT}.iam.gserviceaccount.com`)).status).toBe(200);
    // GKE still runs one cluster operation at a time, and the operation completes on time.
    expect((await second.call('DELETE', gke('clusters/saxml'))).status).toBe(400);
    second.advance(320);
    expect((await second.call('GET', new URL(op.body.selfLink).pathname)).body.status).toBe('DONE');
    expect((await second.call('GET', gke('clusters/saxml'))).body.status).toBe('RUNNING');
  });

  it('keeps a failed operation\'s error (a stockout) and a pool left in ERROR', async () => {
    const store = memoryStore();
    const { start } = runs(store);
    const first = start();
    await networkStack(first);
    await first.call('POST', gke('clusters'), clusterBody());
    first.advance(420);
    first.sandbox.faults.set({ tpuStockoutZones: ['us-west1-c'] });
    const op = await first.call('POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'tpu', initialNodeCount: 1, locations: ['us-west1-c'], config: { machineType: 'ct5lp-hightpu-4t' } } });
    first.advance(300);

    // Faults are not state: the restarted sandbox has none.
    const second = start();
    expect(second.sandbox.faults.get().tpuStockoutZones).toEqual([]);
    const done = (await second.call('GET', new URL(op.body.selfLink).pathname)).body;
    expect(done).toMatchObject({ status: 'DONE', error: { code: 8, message: expect.stringMatching(/GCE_STOCKOUT/) } });
    expect((await second.call('GET', gke('clusters/saxml/nodePools/tpu'))).body.status).toBe('ERROR');
  });

  it('writes the file atomically into DATA_DIR and reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'sandbox.json');
    expect(fileStore(path).load()).toBeUndefined();
    const { start } = runs(fileStore(path));
    const first = start();
    await first.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ format: 1 });
    const second = start();
    expect(second.sandbox.inventory().map((i) => i.name)).toEqual([`automation@${PROJECT}.iam.gserviceaccount.com`]);
    // A state this version cannot read stops the start rather than being silently dropped.
    fileStore(path).save(JSON.stringify({ format: 99 }));
    expect(() => start()).toThrow(/unknown format 99/);
  });
});
