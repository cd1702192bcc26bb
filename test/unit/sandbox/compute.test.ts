import { describe, expect, it } from 'vitest';
import { compute, harness, networkStack, PROJECT, REGION } from './helpers.js';

const subnet = (name: string, cidr: string, extra: Record<string, unknown> = {}) => ({
  name,
  network: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/net`,
  ipCidrRange: cidr,
  ...extra,
});

describe('compute', () => {
  it('creates a network through a compute#operation; the network is visible only once the op is DONE', async () => {
    const h = harness();
    await h.enable(PROJECT, 'compute.googleapis.com');
    const op = await h.call('POST', compute('global/networks'), { name: 'net', autoCreateSubnetworks: false });
    expect(op.status).toBe(200);
    expect(op.body).toMatchObject({
      kind: 'compute#operation',
      operationType: 'insert',
      status: 'RUNNING',
      targetLink: `http://localhost/compute/compute/v1/projects/${PROJECT}/global/networks/net`,
      selfLink: `http://localhost/compute/compute/v1/projects/${PROJECT}/global/operations/${op.body.name}`,
    });
    expect((await h.call('GET', compute('global/networks/net'))).status).toBe(404);
    const dup = await h.call('POST', compute('global/networks'), { name: 'net', autoCreateSubnetworks: false });
    expect(dup.status).toBe(409);
    expect(dup.body.error.errors[0].reason).toBe('alreadyExists');

    h.advance(24);
    expect((await h.call('POST', `${compute(`global/operations/${op.body.name}`)}/wait`)).body.status).toBe('RUNNING');
    h.advance(1);
    const done = await h.call('GET', new URL(op.body.selfLink).pathname);
    expect(done.body).toMatchObject({ status: 'DONE', progress: 100 });
    expect(done.body.error).toBeUndefined();
    const net = await h.call('GET', new URL(done.body.targetLink).pathname);
    expect(net.body).toMatchObject({ kind: 'compute#network', name: 'net', autoCreateSubnetworks: false, routingConfig: { routingMode: 'REGIONAL' } });
  });

  it('lets only a principal holding a role with the permission create, once the grant has propagated', async () => {
    const h = harness();
    await h.enable(PROJECT, 'compute.googleapis.com');
    await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'automation' });
    h.advance(5);
    const sa = `automation@${PROJECT}.iam.gserviceaccount.com`;
    const create = () => h.call('POST', compute('global/networks'), { name: 'net', autoCreateSubnetworks: false }, { as: sa });
    const denied = await create();
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({
      status: 'PERMISSION_DENIED',
      message: `Permission 'compute.networks.create' denied on resource 'projects/${PROJECT}/global/networks' (or it may not exist).`,
    });
    const crm = `/cloudresourcemanager/v1/projects/${PROJECT}`;
    // A role without the permission does not help; one with it does, after IAM's propagation delay.
    await h.call('POST', `${crm}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/storage.admin', members: [`serviceAccount:${sa}`] }] } });
    h.advance(120);
    expect((await create()).status).toBe(403);
    const policy = (await h.call('POST', `${crm}:getIamPolicy`, {})).body;
    await h.call('POST', `${crm}:setIamPolicy`, { policy: { ...policy, bindings: [...policy.bindings, { role: 'roles/compute.networkAdmin', members: [`serviceAccount:${sa}`] }] } });
    h.advance(119);
    expect((await create()).status).toBe(403);
    h.advance(1);
    expect((await create()).status).toBe(200);
  });

  it('takes the region from the URL: an unknown one is 404; a router may not name it (output-only); a subnet may, if it is the URL\'s', async () => {
    const h = harness();
    await networkStack(h);
    const unknown = await h.call('POST', compute('regions/us-west9/subnetworks'), subnet('s9', '10.9.0.0/24'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(`The resource 'projects/${PROJECT}/regions/us-west9' was not found`);
    const router = await h.call('POST', compute(`regions/${REGION}/routers`), { name: 'r', network: 'global/networks/net', region: REGION });
    expect(router.status).toBe(400);
    expect(router.body.error.message).toMatch(/^Invalid value for field 'resource\.region': 'us-west1'\. Output only/);
    expect((await h.call('POST', compute(`regions/${REGION}/routers`), { name: 'r', network: 'global/networks/net' })).status).toBe(200);
    const regionUrl = `https://compute.googleapis.com/compute/v1/projects/${PROJECT}/regions/${REGION}`;
    expect((await h.call('POST', compute(`regions/${REGION}/subnetworks`), subnet('s2', '10.2.0.0/24', { region: regionUrl }))).status).toBe(200);
    const wrong = await h.call('POST', compute(`regions/${REGION}/subnetworks`), subnet('s3', '10.3.0.0/24', { region: regionUrl.replace(REGION, 'us-east1') }));
    expect(wrong.status).toBe(400);
  });

  it('deduplicates a retried insert by requestId', async () => {
    const h = harness();
    await h.enable(PROJECT, 'compute.googleapis.com');
    const body = { name: 'net', autoCreateSubnetworks: false };
    const a = await h.call('POST', `${compute('global/networks')}?requestId=7d1f`, body);
    const b = await h.call('POST', `${compute('global/networks')}?requestId=7d1f`, body);
    expect(b.status).toBe(200);
    expect(b.body.name).toBe(a.body.name);
  });

  it('validates subnetworks: network must exist, CIDRs valid and not overlapping', async () => {
    const h = harness();
    await networkStack(h);
    const path = compute(`regions/${REGION}/subnetworks`);
    const noNet = await h.call('POST', path, { ...subnet('s2', '10.1.0.0/20'), network: 'global/networks/missing' });
    expect(noNet.status).toBe(400);
    expect(noNet.body.error.message).toMatch(/The referenced network resource cannot be found/);
    expect((await h.call('POST', path, subnet('s2', '10.1.0.1/20'))).status).toBe(400);
    const overlap = await h.call('POST', path, subnet('s2', '10.129.8.0/24'));
    expect(overlap.body.error.message).toMatch(/conflicts with existing subnetwork 'subnet'/);
    const ok = await h.call('POST', path, subnet('s2', '10.1.0.0/20', { secondaryIpRanges: [{ rangeName: 'p2', ipCidrRange: '172.16.0.0/16' }] }));
    expect(ok.status).toBe(200);
    expect(ok.body.region).toBe(`http://localhost/compute/compute/v1/projects/${PROJECT}/regions/${REGION}`);
    h.advance(20);
    const got = await h.call('GET', compute(`regions/${REGION}/subnetworks/s2`));
    expect(got.body).toMatchObject({ gatewayAddress: '10.1.0.1', secondaryIpRanges: [{ rangeName: 'p2', ipCidrRange: '172.16.0.0/16' }] });
    const list = await h.call('GET', path);
    expect(list.body.items.map((s: { name: string }) => s.name)).toEqual(['s2', 'subnet']);
    const net = await h.call('GET', compute('global/networks/net'));
    expect(net.body.subnetworks).toHaveLength(2);
  });

  it('refuses to delete a network that still has subnetworks or a router (resourceInUseByAnotherResource)', async () => {
    const h = harness();
    await networkStack(h);
    const router = await h.call('POST', compute(`regions/${REGION}/routers`), {
      name: 'nat-router',
      network: 'global/networks/net',
      nats: [{ name: 'nat', natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS', subnetworks: [{ name: 'subnet', sourceIpRangesToNat: ['ALL_IP_RANGES'] }] }],
    });
    expect(router.status).toBe(200);
    h.advance(1);
    const r = (await h.call('GET', compute(`regions/${REGION}/routers/nat-router`))).body;
    expect(r.nats[0].subnetworks[0].name).toBe(`http://localhost/compute/compute/v1/projects/${PROJECT}/regions/${REGION}/subnetworks/subnet`);

    const delNet = await h.call('DELETE', compute('global/networks/net'));
    expect(delNet.status).toBe(400);
    expect(delNet.body.error.errors[0].reason).toBe('resourceInUseByAnotherResource');
    expect(delNet.body.error.message).toMatch(/^The network resource 'projects\/proj-1\/global\/networks\/net' is already being used by/);
    const delSubnet = await h.call('DELETE', compute(`regions/${REGION}/subnetworks/subnet`));
    expect(delSubnet.body.error.message).toMatch(/routers\/nat-router/);

    expect((await h.call('DELETE', compute(`regions/${REGION}/routers/nat-router`))).status).toBe(200);
    h.advance(1);
    const delOp = await h.call('DELETE', compute(`regions/${REGION}/subnetworks/subnet`));
    expect(delOp.body).toMatchObject({ operationType: 'delete', status: 'RUNNING' });
    expect((await h.call('DELETE', compute(`regions/${REGION}/subnetworks/subnet`))).body.error.errors[0].reason).toBe('resourceNotReady');
    expect((await h.call('DELETE', compute('global/networks/net'))).status).toBe(400); // still being deleted
    h.advance(20);
    expect((await h.call('DELETE', compute('global/networks/net'))).status).toBe(200);
    h.advance(25);
    expect((await h.call('GET', compute('global/networks/net'))).status).toBe(404);
    expect((await h.call('DELETE', compute('global/networks/net'))).status).toBe(404);
    expect(h.sandbox.inventory()).toEqual([]);
  });

  it('rejects unknown fields with the proto path, also in nested arrays', async () => {
    const h = harness();
    await networkStack(h);
    const r = await h.call('POST', compute(`regions/${REGION}/subnetworks`), subnet('s3', '10.2.0.0/20', { secondaryIpRanges: [{ rangeName: 'a', cidr: '1.2.3.0/24' }] }));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(`Invalid JSON payload received. Unknown name "cidr" at 'subnetwork_resource.secondary_ip_ranges[0]': Cannot find field.`);
    expect(r.body.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
  });

  it('answers 404 for an unknown operation or path', async () => {
    const h = harness();
    await h.enable(PROJECT, 'compute.googleapis.com');
    expect((await h.call('GET', compute('global/operations/operation-x'))).status).toBe(404);
    expect((await h.call('GET', compute('global/firewalls'))).status).toBe(404);
  });
});
