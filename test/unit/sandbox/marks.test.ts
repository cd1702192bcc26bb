import { describe, expect, it } from 'vitest';
import { clusterBody, compute, gke, harness, networkStack, PROJECT, REGION } from './helpers.js';

/**
 * Labels and descriptions are stored and returned as Google does (FIDELITY.md, "Ownership marks"):
 * the plan's ownership marks are read back from exactly where it wrote them, and labels Google
 * refuses are refused.
 */

const MARK = { 'saxml-environment': 'env-01jabcdefghjkmnpqrstvwxyz0' };

describe('labels and descriptions round-trip', () => {
  it('bucket labels, Pub/Sub, BigQuery and Artifact Registry labels, a schema’s definition', async () => {
    const h = harness({ timeScale: 0 });
    await h.enable(PROJECT, 'pubsub.googleapis.com', 'bigquery.googleapis.com', 'artifactregistry.googleapis.com');
    expect((await h.call('POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'marked-bucket', location: 'US', labels: { ...MARK, ünïcode: 'wert_1' } })).status).toBe(200);
    expect((await h.call('GET', '/storage/storage/v1/b/marked-bucket')).body.labels).toEqual({ ...MARK, ünïcode: 'wert_1' });

    const definition = '// [saxml-environment=env-1]\nsyntax = "proto3";\nmessage M { string a = 1; }\n';
    expect((await h.call('POST', `/pubsub/v1/projects/${PROJECT}/schemas?schemaId=schema-one`, { type: 'PROTOCOL_BUFFER', definition })).status).toBe(200);
    expect((await h.call('GET', `/pubsub/v1/projects/${PROJECT}/schemas/schema-one`)).body.definition).toBe(definition);
    expect((await h.call('PUT', `/pubsub/v1/projects/${PROJECT}/topics/topic-one`, { labels: MARK })).status).toBe(200);
    expect((await h.call('GET', `/pubsub/v1/projects/${PROJECT}/topics/topic-one`)).body.labels).toEqual(MARK);

    const bq = `/bigquery/bigquery/v2/projects/${PROJECT}/datasets`;
    expect((await h.call('POST', bq, { datasetReference: { datasetId: 'd1' }, labels: MARK })).status).toBe(200);
    expect((await h.call('GET', `${bq}/d1`)).body.labels).toEqual(MARK);
    expect((await h.call('POST', `${bq}/d1/tables`, { tableReference: { tableId: 't1' }, labels: MARK, schema: { fields: [{ name: 'a', type: 'STRING' }] } })).status).toBe(200);
    expect((await h.call('GET', `${bq}/d1/tables/t1`)).body.labels).toEqual(MARK);

    const ar = `/artifactregistry/v1/projects/${PROJECT}/locations/us/repositories`;
    expect((await h.call('POST', `${ar}?repositoryId=r1`, { format: 'DOCKER', labels: MARK, description: 'images [saxml-environment=env-1]' })).status).toBe(200);
    expect((await h.call('GET', `${ar}/r1`)).body).toMatchObject({ labels: MARK, description: 'images [saxml-environment=env-1]' });
  });

  it('service account, network, subnet and router descriptions; cluster and node pool resource labels', async () => {
    const h = harness({ timeScale: 0 });
    const description = 'Nodes of Saxml environment demo [saxml-environment=env-1]';
    expect((await h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'marked-sa', serviceAccount: { description } })).status).toBe(200);
    expect((await h.call('GET', `/iam/v1/projects/${PROJECT}/serviceAccounts/marked-sa@${PROJECT}.iam.gserviceaccount.com`)).body.description).toBe(description);

    await networkStack(h);
    await h.call('POST', compute('global/networks'), { name: 'net2', description, autoCreateSubnetworks: false });
    await h.call('POST', compute(`regions/${REGION}/subnetworks`), { name: 'sub2', description, network: `projects/${PROJECT}/global/networks/net2`, ipCidrRange: '10.0.0.0/20' });
    await h.call('POST', compute(`regions/${REGION}/routers`), { name: 'r2', description, network: `projects/${PROJECT}/global/networks/net2` });
    h.advance(60);
    for (const path of ['global/networks/net2', `regions/${REGION}/subnetworks/sub2`, `regions/${REGION}/routers/r2`]) {
      expect((await h.call('GET', compute(path))).body.description, path).toBe(description);
    }

    const body = clusterBody({ resourceLabels: MARK, nodePools: [{ name: 'p1', initialNodeCount: 1, config: { machineType: 'n1-standard-8', resourceLabels: MARK }, locations: [`${REGION}-a`] }] });
    expect((await h.call('POST', gke('clusters'), body)).status).toBe(200);
    h.advance(420);
    expect((await h.call('GET', gke('clusters/saxml'))).body.resourceLabels).toEqual(MARK);
    expect((await h.call('GET', gke('clusters/saxml/nodePools/p1'))).body.config.resourceLabels).toEqual(MARK);
  });
});

describe('what Google refuses', () => {
  it.each([
    ['a key starting with a digit', { '1abc': 'x' }],
    ['an upper-case key', { Team: 'x' }],
    ['an upper-case value', { team: 'X' }],
    ['a value of 64 characters', { team: 'x'.repeat(64) }],
    ['65 labels', Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))],
  ])('labels with %s', async (_case, labels) => {
    const h = harness({ timeScale: 0 });
    await h.enable(PROJECT, 'pubsub.googleapis.com', 'container.googleapis.com');
    expect((await h.call('POST', `/storage/storage/v1/b?project=${PROJECT}`, { name: 'bad-labels', location: 'US', labels })).status).toBe(400);
    expect((await h.call('PUT', `/pubsub/v1/projects/${PROJECT}/topics/topic-two`, { labels })).status).toBe(400);
    await networkStack(h);
    expect((await h.call('POST', gke('clusters'), clusterBody({ resourceLabels: labels }))).status).toBe(400);
  });

  it('a service account description over 256 bytes, a display name over 100', async () => {
    const h = harness({ timeScale: 0 });
    const create = (serviceAccount: object) => h.call('POST', `/iam/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'long-text-sa', serviceAccount });
    expect((await create({ description: 'é'.repeat(129) })).status).toBe(400);
    expect((await create({ displayName: 'x'.repeat(101) })).status).toBe(400);
    expect((await create({ description: 'x'.repeat(256), displayName: 'x'.repeat(100) })).status).toBe(200);
  });
});
