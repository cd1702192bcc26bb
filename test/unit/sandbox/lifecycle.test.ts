/** A whole Saxml environment created and torn down through the sandbox: the inventory ends empty. */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSandbox, sandboxBases } from '../../../api/sandbox/index.js';
import { clusterBody, compute, gke, harness, networkStack, OWNER, PROJECT, REGION, type Harness } from './helpers.js';

const PS = `/pubsub/v1/projects/${PROJECT}`;
const BQ = `/bigquery/bigquery/v2/projects/${PROJECT}/datasets`;
const AR = `/artifactregistry/v1/projects/${PROJECT}/locations/us`;

async function ok(h: Harness, method: string, path: string, body?: unknown) {
  const r = await h.call(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('sandbox lifecycle', () => {
  it('lists every live resource while it exists and nothing after a full teardown', async () => {
    const h = harness();
    await h.enable(PROJECT, 'pubsub.googleapis.com', 'bigquery.googleapis.com', 'artifactregistry.googleapis.com');
    await ok(h, 'POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation' });
    await ok(h, 'POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'proj-1-automation', location: 'US' });
    await networkStack(h);
    await ok(h, 'POST', compute(`regions/${REGION}/routers`), { name: 'nat-router', network: 'global/networks/net', nats: [{ name: 'nat', sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES', natIpAllocateOption: 'AUTO_ONLY' }] });
    await ok(h, 'POST', gke('clusters'), clusterBody());
    h.advance(420);
    await ok(h, 'POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'tpu', initialNodeCount: 1, locations: ['us-west1-c'], config: { machineType: 'ct5lp-hightpu-4t' } } });
    await ok(h, 'POST', `${AR}/repositories?repositoryId=serving-images`, { format: 'DOCKER' });
    await ok(h, 'POST', `${PS}/schemas?schemaId=metrics_schema`, { type: 'AVRO', definition: '{"type":"record","name":"M","fields":[]}' });
    await ok(h, 'PUT', `${PS}/topics/metrics_pubsub_sink`, {});
    await ok(h, 'PUT', `${PS}/subscriptions/metrics_pubsub_sub`, { topic: `projects/${PROJECT}/topics/metrics_pubsub_sink` });
    await ok(h, 'POST', BQ, { datasetReference: { datasetId: 'metrics_dataset' } });
    await ok(h, 'POST', `${BQ}/metrics_dataset/tables`, { tableReference: { tableId: 'performance_metrics' } });
    h.advance(300);

    const types = h.sandbox.inventory().map((i) => `${i.type} ${i.name} ${i.location}`);
    expect(types).toEqual([
      'artifactregistry.repository serving-images us',
      'bigquery.dataset metrics_dataset US',
      'bigquery.table metrics_dataset.performance_metrics US',
      'compute.network net global',
      `compute.router nat-router ${REGION}`,
      `compute.subnetwork subnet ${REGION}`,
      `container.cluster saxml ${REGION}`,
      `container.nodePool saxml/default-node-pool ${REGION}`,
      `container.nodePool saxml/tpu ${REGION}`,
      `iam.serviceAccount automation@${PROJECT}.iam.gserviceaccount.com global`,
      'pubsub.schema metrics_schema global',
      'pubsub.subscription metrics_pubsub_sub global',
      'pubsub.topic metrics_pubsub_sink global',
      'storage.bucket proj-1-automation US',
    ]);
    const http = (await (await h.sandbox.app.request('/inventory')).json()) as { resources: unknown[] };
    expect(http.resources).toEqual(h.sandbox.inventory());

    // teardown, in reverse
    await ok(h, 'DELETE', `${PS}/subscriptions/metrics_pubsub_sub`);
    await ok(h, 'DELETE', `${PS}/topics/metrics_pubsub_sink`);
    await ok(h, 'DELETE', `${PS}/schemas/metrics_schema`);
    await ok(h, 'DELETE', `${BQ}/metrics_dataset?deleteContents=true`);
    await ok(h, 'DELETE', `${AR}/repositories/serving-images`);
    await ok(h, 'DELETE', gke('clusters/saxml'));
    h.advance(420);
    await ok(h, 'DELETE', compute(`regions/${REGION}/routers/nat-router`));
    h.advance(1);
    await ok(h, 'DELETE', compute(`regions/${REGION}/subnetworks/subnet`));
    h.advance(20);
    await ok(h, 'DELETE', compute('global/networks/net'));
    await ok(h, 'DELETE', '/storage/storage/v1/b/proj-1-automation');
    await ok(h, 'DELETE', `/iam/v1/projects/${PROJECT}/serviceAccounts/automation@${PROJECT}.iam.gserviceaccount.com`);
    expect(h.sandbox.inventory().map((i) => i.type)).toEqual(['compute.network']); // its delete is still running
    h.advance(25);
    expect(h.sandbox.inventory()).toEqual([]);

    // settings are not resources: enabled services stay until disabled
    const withSettings = (await (await h.sandbox.app.request('/inventory?include=settings')).json()) as {
      resources: unknown[];
      settings: { services: { service: string; state: string }[] };
    };
    expect(withSettings.resources).toEqual([]);
    expect(withSettings.settings.services).toContainEqual({ project: PROJECT, service: 'container.googleapis.com', state: 'ENABLED' });
  });

  it('logs calls (method, path, status, principal; never the token) for duplicate-create assertions', async () => {
    const h = harness();
    await h.call('POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'once-bucket' });
    await h.call('POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'once-bucket' });
    const calls = (await (await h.sandbox.app.request('/_calls')).json()) as { calls: Record<string, unknown>[] };
    expect(calls.calls).toEqual([
      expect.objectContaining({ seq: 1, method: 'POST', path: `/storage/storage/v1/b?project=${PROJECT}`, status: 200, principal: OWNER }),
      expect.objectContaining({ seq: 2, method: 'POST', status: 409 }),
    ]);
    expect(JSON.stringify(calls)).not.toMatch(/sandbox:|Bearer/);
    await h.sandbox.app.request('/_calls', { method: 'DELETE' });
    expect(h.sandbox.calls()).toEqual([]);
  });

  it('forgets everything on reset', async () => {
    const h = harness({ faults: { tpuStockoutZones: ['us-west1-c'] } });
    await h.call('POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'gone-bucket' });
    h.sandbox.faults.set({ transientErrorRate: 0.5 });
    expect((await h.sandbox.app.request('/_reset', { method: 'POST' })).status).toBe(204);
    expect(h.sandbox.inventory()).toEqual([]);
    expect(h.sandbox.calls()).toEqual([]);
    expect(h.sandbox.faults.get()).toMatchObject({ transientErrorRate: 0, tpuStockoutZones: ['us-west1-c'] });
  });

  it('works mounted under /_sandbox of another app: links carry the origin and mount and can be followed', async () => {
    let now = 0;
    const sandbox = createSandbox({ timeScale: 0.001, clock: { now: () => now }, inherited: [{ member: `user:${OWNER}`, roles: ['roles/owner'] }] });
    const parent = new Hono();
    parent.get('/healthz', (c) => c.text('ok'));
    parent.route('/_sandbox', sandbox.app);
    const base = sandboxBases('http://127.0.0.1:8080/_sandbox');
    expect(base.compute).toBe('http://127.0.0.1:8080/_sandbox/compute');
    const headers = { authorization: sandbox.identities.authorization(OWNER), 'content-type': 'application/json' };
    await parent.request(`${base.serviceusage}/v1/projects/${PROJECT}/services:batchEnable`, { method: 'POST', headers, body: JSON.stringify({ serviceIds: ['compute.googleapis.com'] }) });
    now += 40;
    const op = (await (await parent.request(`${base.compute}/compute/v1/projects/${PROJECT}/global/networks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'net', autoCreateSubnetworks: false }),
    })).json()) as { selfLink: string; targetLink: string };
    expect(op.selfLink.startsWith(`${base.compute}/compute/v1/projects/${PROJECT}/global/operations/`)).toBe(true);
    now += 25;
    const done = (await (await parent.request(op.selfLink, { headers })).json()) as { status: string };
    expect(done.status).toBe('DONE');
    const net = (await (await parent.request(op.targetLink, { headers })).json()) as { selfLink: string };
    expect(net.selfLink).toBe(op.targetLink);
    expect(await (await parent.request('http://127.0.0.1:8080/_sandbox/inventory')).json()).toEqual({
      resources: [{ type: 'compute.network', name: 'net', project: PROJECT, location: 'global' }],
    });
    expect((await parent.request('/healthz')).status).toBe(200);
  });

  it('serves over HTTP on 127.0.0.1 with @hono/node-server', async () => {
    const sandbox = createSandbox({ timeScale: 0, inherited: [{ member: `user:${OWNER}`, roles: ['roles/owner'] }] });
    const parent = new Hono().route('/_sandbox', sandbox.app);
    const server = serve({ fetch: parent.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const base = sandboxBases(`http://127.0.0.1:${port}/_sandbox`);
      const headers = { authorization: sandbox.identities.authorization(OWNER), 'content-type': 'application/json' };
      const created = await fetch(`${base.storage}/storage/v1/b?project=${PROJECT}`, { method: 'POST', headers, body: JSON.stringify({ name: 'http-bucket' }) });
      const bucket = (await created.json()) as { selfLink: string };
      expect(bucket.selfLink).toBe(`${base.storage}/storage/v1/b/http-bucket`);
      expect((await fetch(bucket.selfLink, { headers })).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
