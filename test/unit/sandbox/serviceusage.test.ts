import { describe, expect, it } from 'vitest';
import { harness, PROJECT } from './helpers.js';

const batch = (ids: string[]) => ['POST', `/serviceusage/v1/projects/${PROJECT}/services:batchEnable`, { serviceIds: ids }] as const;

describe('serviceusage', () => {
  it('enables services through a longrunning operation that completes after ≈40 simulated seconds', async () => {
    const h = harness();
    const op = await h.call(...batch(['compute.googleapis.com', 'container.googleapis.com']));
    expect(op.status).toBe(200);
    expect(op.body.name).toMatch(/^operations\//);
    expect(op.body).not.toHaveProperty('done'); // proto3 JSON omits done=false
    const svc = await h.call('GET', `/serviceusage/v1/projects/${PROJECT}/services/compute.googleapis.com`);
    expect(svc.body.state).toBe('DISABLED');

    h.advance(39);
    expect((await h.call('GET', `/serviceusage/v1/${op.body.name}`)).body.done).toBeUndefined();
    h.advance(1);
    const done = await h.call('GET', `/serviceusage/v1/${op.body.name}`);
    expect(done.body.done).toBe(true);
    expect(done.body.response['@type']).toBe('type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse');
    expect(done.body.response.services.map((s: { state: string }) => s.state)).toEqual(['ENABLED', 'ENABLED']);
    const number = (await h.call('GET', `/cloudresourcemanager/v1/projects/${PROJECT}`)).body.projectNumber;
    expect((await h.call('GET', `/serviceusage/v1/projects/${PROJECT}/services/compute.googleapis.com`)).body).toEqual({
      name: `projects/${number}/services/compute.googleapis.com`,
      config: { name: 'compute.googleapis.com', title: 'Compute Engine API' },
      state: 'ENABLED',
      parent: `projects/${number}`,
    });
  });

  it('answers an enable of already enabled services with a done operation', async () => {
    const h = harness();
    const op = await h.call(...batch(['iam.googleapis.com']));
    expect(op.body).toMatchObject({ name: 'operations/noop.DONE_OPERATION', done: true });
  });

  it('refuses a whole batch naming a service the organisation may not enable (Cloud Source Repositories by default)', async () => {
    const h = harness();
    const r = await h.call(...batch(['compute.googleapis.com', 'sourcerepo.googleapis.com']));
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ status: 'PERMISSION_DENIED', message: 'Permission denied to enable service [sourcerepo.googleapis.com]' });
    expect(r.body.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.PreconditionFailure');
    h.advance(40);
    // all-or-nothing: compute was not enabled either
    expect((await h.call('GET', `/serviceusage/v1/projects/${PROJECT}/services/compute.googleapis.com`)).body.state).toBe('DISABLED');
    // an organisation that used it before may
    h.sandbox.faults.set({ unavailableServices: [] });
    expect((await h.call(...batch(['sourcerepo.googleapis.com']))).status).toBe(200);
    h.sandbox.faults.set({ unavailableServices: ['aiplatform.googleapis.com'] });
    expect((await h.call(...batch(['aiplatform.googleapis.com']))).status).toBe(403);
  });

  it('refuses more than 20 services and unknown ones', async () => {
    const h = harness();
    const many = Array.from({ length: 21 }, (_, i) => `svc${i}.googleapis.com`);
    expect((await h.call(...batch(many))).body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    const bad = await h.call(...batch(['not-a-service']));
    expect(bad.status).toBe(403);
    expect(bad.body.error.details[0].reason).toBe('SERVICE_CONFIG_NOT_FOUND_OR_PERMISSION_DENIED');
  });

  it('answers 403 SERVICE_DISABLED for an API of the project until it is enabled, and again after disable', async () => {
    const h = harness();
    const get = () => h.call('GET', `/pubsub/v1/projects/${PROJECT}/topics/t1`);
    const before = await get();
    expect(before.status).toBe(403);
    expect(before.body.error.status).toBe('PERMISSION_DENIED');
    expect(before.body.error.message).toMatch(/Cloud Pub\/Sub API has not been used in project \d+ before or it is disabled/);
    expect(before.body.error.details[0]).toMatchObject({ reason: 'SERVICE_DISABLED', metadata: { service: 'pubsub.googleapis.com' } });
    await h.enable(PROJECT, 'pubsub.googleapis.com');
    expect((await get()).status).toBe(404);
    const off = await h.call('POST', `/serviceusage/v1/projects/${PROJECT}/services/pubsub.googleapis.com:disable`, {});
    expect(off.status).toBe(200);
    h.advance(40);
    expect((await get()).status).toBe(403);
  });

  it('treats serviceusage, iam, iamcredentials, cloudresourcemanager and storage as enabled by default', async () => {
    const h = harness();
    for (const s of ['serviceusage', 'iam', 'iamcredentials', 'cloudresourcemanager', 'storage']) {
      const r = await h.call('GET', `/serviceusage/v1/projects/${PROJECT}/services/${s}.googleapis.com`);
      expect(r.body.state).toBe('ENABLED');
    }
  });

  it('rejects unknown fields in the request body', async () => {
    const h = harness();
    const r = await h.call('POST', `/serviceusage/v1/projects/${PROJECT}/services:batchEnable`, { serviceIds: ['a.googleapis.com'], x: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('Invalid JSON payload received. Unknown name "x": Cannot find field.');
  });
});
