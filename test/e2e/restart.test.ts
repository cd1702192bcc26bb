import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../api/sandbox/inventory.js';
import { jsonOf } from '../support/bodies.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { E2E_TIME_SCALE } from '../support/local-world.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * The real `npm start` process (api/server.ts under tsx) killed in the middle of a create and
 * started again on the same DATA_DIR: the store and the sandbox cloud come back from it, the
 * interrupted create is FAILED with INTERRUPTED, a retry finishes it, and the environment can be
 * deleted. Progress is followed in the process's own log (the console story), not by polling.
 */
const SPEC = { ...SMALLEST_SPEC, saxml: { enabled: false } };
const running: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ PROFILE: 'local', DATA_DIR: dataDir, SANDBOX_TIME_SCALE: String(E2E_TIME_SCALE) });
  running.push(server);
  return server;
}

const call = async (server: ServerProcess, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${server.baseUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await jsonOf<Record<string, any>>(res) };
};

const resources = async (server: ServerProcess) =>
  (await jsonOf<{ resources: InventoryItem[] }>(await fetch(`${server.baseUrl}/_sandbox/inventory`))).resources
    .filter((r) => r.project !== 'local-sandbox')
    .map((r) => `${r.type} ${r.name}`);

/** A fresh DATA_DIR and `npm start` on it: the create of `spec` starts, and the process is killed (no drain) once it logs `at`. */
async function createThenKill(spec: object, at: RegExp): Promise<{ dataDir: string; id: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'saxml-npm-start-'));
  dirs.push(dataDir);
  const first = await start(dataDir);
  const created = await call(first, 'POST', '/environments', spec);
  expect(created.status).toBe(202);
  await first.waitFor(at);
  expect(await first.stop('SIGKILL')).toBeNull();
  return { dataDir, id: created.body.id as string };
}

describe('e2e: npm start, killed mid-create and started again', () => {
  it('INTERRUPTED → retry → ACTIVE → delete → DELETED, the sandbox cloud restored from DATA_DIR', async () => {
    // Killed (no drain) while the base stage runs: its cluster alone takes 7 simulated minutes.
    const { dataDir, id } = await createThenKill(SPEC, /^env demo: base RUNNING$/);

    const second = await start(dataDir);
    // What the first process made is still there (the automation account above all).
    expect(await resources(second)).toEqual(expect.arrayContaining(['iam.serviceAccount saxml-automation@my-project-1.iam.gserviceaccount.com']));
    // The start-up reconcile settles the create the first process left running.
    await second.waitFor(/^env demo: environment is FAILED/);
    const interrupted = await call(second, 'GET', `/environments/${id}`);
    expect(interrupted.body).toMatchObject({ state: 'FAILED', operation: { error: { code: 'INTERRUPTED' } }, actions: { canRetry: true, canDelete: true } });

    expect((await call(second, 'POST', `/environments/${id}/retry`)).status).toBe(202);
    await second.waitFor(/^env demo: environment is ACTIVE$/);
    const active = await call(second, 'GET', `/environments/${id}`);
    expect(active.body).toMatchObject({ state: 'ACTIVE', operation: { kind: 'retry', state: 'SUCCEEDED' } });
    expect(await resources(second)).toEqual(expect.arrayContaining([
      'container.cluster demo-saxml-gke-cluster', 'container.nodePool demo-saxml-gke-cluster/tpu-v5e-4', 'storage.bucket my-project-1-demo-saxml-admin',
    ]));

    expect((await call(second, 'DELETE', `/environments/${id}?deleteBootstrap=true`)).status).toBe(202);
    await second.waitFor(/^env demo: environment is DELETED$/);
    expect(await resources(second)).toEqual([]);
    // A drained stop exits 0.
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('with Saxml (the default spec), killed while the cell is applied: the restored cluster serves its Kubernetes API again, the retry applies the cell → ACTIVE → DELETED', async () => {
    // The cell is applied beside the TPU pool, whose operation is still running when the process dies.
    const { dataDir, id } = await createThenKill(SMALLEST_SPEC, /^env demo: saxml RUNNING$/);

    const second = await start(dataDir);
    await second.waitFor(/^env demo: environment is FAILED/);
    expect((await call(second, 'GET', `/environments/${id}`)).body).toMatchObject({ state: 'FAILED', operation: { error: { code: 'INTERRUPTED' } } });
    // What the cluster's API held is not kept (FIDELITY.md): the retry applies the cell again, through a new server.
    expect((await call(second, 'POST', `/environments/${id}/retry`)).status).toBe(202);
    await second.waitFor(/^env demo: environment is ACTIVE$/);
    const active = await call(second, 'GET', `/environments/${id}`);
    expect(active.body).toMatchObject({ state: 'ACTIVE', outputs: { saxml: { state: 'READY' } } });
    expect(await resources(second)).toEqual(expect.arrayContaining([
      'kubernetes.Namespace demo-saxml-gke-cluster/saxml', 'kubernetes.Deployment demo-saxml-gke-cluster/saxml/sax-admin-server',
    ]));

    expect((await call(second, 'DELETE', `/environments/${id}?deleteBootstrap=true`)).status).toBe(202);
    await second.waitFor(/^env demo: environment is DELETED$/);
    expect(await resources(second)).toEqual([]);
  });
});
