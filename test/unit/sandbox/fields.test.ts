import { describe, expect, it } from 'vitest';
import { checkFields, fieldsOf, nest } from '../../../api/sandbox/fields.js';
import * as shapes from '../../../api/sandbox/schemas.js';
import { clusterBody, compute, gke, harness, networkStack, PROJECT, REGION, runningCluster, type Harness } from './helpers.js';

describe('fieldsOf', () => {
  it('must list exactly the keys of the discovery type (checked by the compiler)', () => {
    type T = { a?: string; b?: number };
    // @ts-expect-error — 'b' is missing
    fieldsOf<T>()(['a']);
    // @ts-expect-error — 'c' is not a field of T
    fieldsOf<T>()(['a', 'b', 'c']);
    expect([...fieldsOf<T>()(['a', 'b']).keys]).toEqual(['a', 'b']);
  });

  it('checks nested objects and arrays with proto (snake_case) paths', () => {
    const leaf = fieldsOf<{ rangeName?: string }>()(['rangeName']);
    const root = fieldsOf<{ secondaryIpRanges?: unknown[] }>()(['secondaryIpRanges']);
    nest(root, { secondaryIpRanges: [leaf] });
    expect(() => checkFields({ secondaryIpRanges: [{ rangeName: 'a' }, { x: 1 }] }, root, 'r')).toThrow(
      `Invalid JSON payload received. Unknown name "x" at 'r.secondary_ip_ranges[1]': Cannot find field.`,
    );
    expect(() => checkFields({ secondaryIpRanges: { rangeName: 'a' } }, root)).toThrow(/Invalid value at 'secondary_ip_ranges'/);
  });

  it('has a field list for every body the sandbox understands', () => {
    for (const [name, shape] of Object.entries(shapes)) expect(shape.keys.size, name).toBeGreaterThan(0);
    expect(shapes.gkeCluster.keys.has('workloadIdentityConfig')).toBe(true);
    expect(shapes.gkeCluster.nested.nodePools).toEqual([shapes.gkeNodePool]);
  });
});

describe('unknown fields are rejected like Google does', () => {
  const cases: [string, (h: Harness) => Promise<void>, string, string, unknown, string][] = [
    ['cluster', networkStack, 'POST', gke('clusters'), { ...clusterBody(), clusterr: 1 }, ''],
    ['nodePool', runningCluster, 'POST', gke('clusters/saxml/nodePools'), { nodePool: { name: 'np', autoscaling: { max: 1 } } }, 'node_pool.autoscaling'],
    ['network', (h) => h.enable(PROJECT, 'compute.googleapis.com'), 'POST', compute('global/networks'), { name: 'n', routingMode: 'REGIONAL' }, 'network_resource'],
    ['router', networkStack, 'POST', compute(`regions/${REGION}/routers`), { name: 'r', network: 'global/networks/net', nats: [{ name: 'nat', subnetworks: [{ name: 'subnet', ranges: [] }] }] }, 'router_resource.nats[0].subnetworks[0]'],
    ['bucket', async () => {}, 'POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'bkt-x', storage_class: 'STANDARD' }, 'bucket'],
    ['serviceAccount', async () => {}, 'POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'abcdef', displayName: 'x' }, ''],
    ['topic', (h) => h.enable(PROJECT, 'pubsub.googleapis.com'), 'PUT', `/pubsub/v1/projects/${PROJECT}/topics/topic-x`, { retention: '1s' }, 'topic'],
    ['subscription', (h) => h.enable(PROJECT, 'pubsub.googleapis.com'), 'PUT', `/pubsub/v1/projects/${PROJECT}/subscriptions/sub-x`, { topic: 't', ackDeadline: 10 }, 'subscription'],
    ['dataset', (h) => h.enable(PROJECT, 'bigquery.googleapis.com'), 'POST', `/bigquery/bigquery/v2/projects/${PROJECT}/datasets`, { datasetReference: { datasetId: 'd', project: 'p' } }, 'dataset.dataset_reference'],
    ['table', async (h) => {
      await h.enable(PROJECT, 'bigquery.googleapis.com');
      await h.call('POST', `/bigquery/bigquery/v2/projects/${PROJECT}/datasets`, { datasetReference: { datasetId: 'd' } });
    }, 'POST', `/bigquery/bigquery/v2/projects/${PROJECT}/datasets/d/tables`, { tableReference: { tableId: 't' }, schema: { fields: [{ name: 'r', type: 'RECORD', fields: [{ name: 'x', type: 'STRING', nullable: true }] }] } }, 'table.schema.fields[0].fields[0]'],
  ];

  it.each(cases)('%s', async (_name, setup, method, path, body, at) => {
    const h = harness();
    await setup(h);
    const r = await h.call(method, path, body);
    expect(r.status).toBe(400);
    expect(r.body.error.status).toBe('INVALID_ARGUMENT');
    expect(r.body.error.message).toMatch(/^Invalid JSON payload received\. Unknown name "[^"]+"/);
    expect(r.body.error.message).toContain(at ? ` at '${at}': Cannot find field.` : '": Cannot find field.');
  });

  it('rejects a body that is not JSON', async () => {
    const h = harness();
    const r = await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, undefined, { raw: '{not json' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^Invalid JSON payload received/);
  });
});

describe('internal load balancers', () => {
  it('block deleting the subnet they use', async () => {
    const h = harness();
    await runningCluster(h);
    h.sandbox.test.createLoadBalancerRule({ project: PROJECT, region: REGION, cluster: 'saxml', service: 'saxml/internal', internal: true });
    await h.call('DELETE', gke('clusters/saxml'));
    h.advance(420);
    const r = await h.call('DELETE', compute(`regions/${REGION}/subnetworks/subnet`));
    expect(r.body.error.errors[0].reason).toBe('resourceInUseByAnotherResource');
    expect(r.body.error.message).toMatch(/forwardingRules\/a[0-9a-f]{31}/);
  });
});
