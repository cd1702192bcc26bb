import { describe, expect, it } from 'vitest';
import { harness, PROJECT, type Harness } from './helpers.js';

const PS = `/pubsub/v1/projects/${PROJECT}`;
const BQ = `/bigquery/bigquery/v2/projects/${PROJECT}/datasets`;
const TOPIC = `projects/${PROJECT}/topics/metrics_pubsub_sink`;
const TABLE_SCHEMA = { fields: [{ name: 'test_id', type: 'STRING', mode: 'NULLABLE' }, { name: 'attributes', type: 'JSON' }] };

async function perfStack(h: Harness) {
  await h.enable(PROJECT, 'pubsub.googleapis.com', 'bigquery.googleapis.com');
  const schema = await h.call('POST', `${PS}/schemas?schemaId=metrics_schema`, { type: 'PROTOCOL_BUFFER', definition: 'syntax = "proto3"; message Metrics { string test_id = 1; }' });
  expect(schema.status).toBe(200);
  const topic = await h.call('PUT', `${PS}/topics/metrics_pubsub_sink`, {
    schemaSettings: { schema: `projects/${PROJECT}/schemas/metrics_schema`, encoding: 'JSON' },
    messageRetentionDuration: '86600s',
  });
  expect(topic.status).toBe(200);
  expect((await h.call('POST', BQ, { datasetReference: { datasetId: 'metrics_dataset', projectId: PROJECT }, location: 'US' })).status).toBe(200);
  const table = await h.call('POST', `${BQ}/metrics_dataset/tables`, { tableReference: { projectId: PROJECT, datasetId: 'metrics_dataset', tableId: 'performance_metrics' }, schema: TABLE_SCHEMA });
  expect(table.status).toBe(200);
}

const subscription = { topic: TOPIC, bigqueryConfig: { table: `${PROJECT}.metrics_dataset.performance_metrics`, useTopicSchema: true, writeMetadata: true, dropUnknownFields: true } };

describe('pubsub and bigquery', () => {
  it('creates schema, topic, dataset and table with Google shapes and 409/404 semantics', async () => {
    const h = harness();
    await perfStack(h);
    expect((await h.call('GET', `${PS}/schemas/metrics_schema`)).body).toMatchObject({ name: `projects/${PROJECT}/schemas/metrics_schema`, type: 'PROTOCOL_BUFFER' });
    expect((await h.call('GET', `${PS}/topics/metrics_pubsub_sink`)).body).toMatchObject({ name: TOPIC, schemaSettings: { encoding: 'JSON' } });
    const dupTopic = await h.call('PUT', `${PS}/topics/metrics_pubsub_sink`, {});
    expect(dupTopic.status).toBe(409);
    expect(dupTopic.body.error.message).toBe('Resource already exists in the project (resource=metrics_pubsub_sink).');
    expect((await h.call('GET', `${PS}/topics/nope`)).body.error).toMatchObject({ code: 404, message: 'Resource not found (resource=nope).' });
    const noSchema = await h.call('PUT', `${PS}/topics/topic-two`, { schemaSettings: { schema: `projects/${PROJECT}/schemas/missing`, encoding: 'JSON' } });
    expect(noSchema.status).toBe(404);

    const ds = (await h.call('GET', `${BQ}/metrics_dataset`)).body;
    expect(ds).toMatchObject({ kind: 'bigquery#dataset', id: `${PROJECT}:metrics_dataset`, location: 'US' });
    const dupDs = await h.call('POST', BQ, { datasetReference: { datasetId: 'metrics_dataset' } });
    expect(dupDs.status).toBe(409);
    expect(dupDs.body.error.errors[0]).toMatchObject({ reason: 'duplicate', message: `Already Exists: Dataset ${PROJECT}:metrics_dataset` });
    const t = (await h.call('GET', `${BQ}/metrics_dataset/tables/performance_metrics`)).body;
    expect(t).toMatchObject({ id: `${PROJECT}:metrics_dataset.performance_metrics`, schema: TABLE_SCHEMA, type: 'TABLE' });
    expect((await h.call('GET', `${BQ}/metrics_dataset/tables/nope`)).body.error.message).toBe(`Not found: Table ${PROJECT}:metrics_dataset.nope`);
    expect((await h.call('POST', `${BQ}/metrics_dataset/tables`, { tableReference: { tableId: 'bad' }, schema: { fields: [{ name: 'x', type: 'WHATEVER' }] } })).status).toBe(400);
  });

  it('creates a BigQuery subscription only when the table exists and the Pub/Sub service agent may write to it', async () => {
    const h = harness();
    await perfStack(h);
    const denied = await h.call('PUT', `${PS}/subscriptions/metrics_pubsub_bq_sub`, subscription);
    expect(denied.status).toBe(403);
    // Pub/Sub's bare answer (it names neither the agent nor the table).
    expect(denied.body.error).toMatchObject({ status: 'PERMISSION_DENIED', message: 'The caller does not have permission' });

    const number = (await h.call('GET', `/cloudresourcemanager/v1/projects/${PROJECT}`)).body.projectNumber;
    const policy = (await h.call('POST', `/cloudresourcemanager/v1/projects/${PROJECT}:getIamPolicy`, {})).body;
    const agent = `serviceAccount:service-${number}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    const bindings = [{ role: 'roles/bigquery.dataEditor', members: [agent] }, { role: 'roles/bigquery.metadataViewer', members: [agent] }];
    const grant = () => h.call('POST', `/cloudresourcemanager/v1/projects/${PROJECT}:setIamPolicy`, { policy: { ...policy, bindings } });
    // The agent exists only once generated (generateServiceIdentity), and IAM knows it a little later.
    expect((await grant()).body.error.message).toBe(`Service account service-${number}@gcp-sa-pubsub.iam.gserviceaccount.com does not exist.`);
    const generated = await h.call('POST', `/serviceusage/v1beta1/projects/${PROJECT}/services/pubsub.googleapis.com:generateServiceIdentity`, {});
    expect(generated.body.response).toMatchObject({ email: `service-${number}@gcp-sa-pubsub.iam.gserviceaccount.com` });
    h.advance(5);
    expect((await grant()).status).toBe(200);
    // The grant takes effect once propagated: the same 403 until then.
    expect((await h.call('PUT', `${PS}/subscriptions/metrics_pubsub_bq_sub`, subscription)).status).toBe(403);
    h.advance(120);

    const missingTable = await h.call('PUT', `${PS}/subscriptions/sub-two`, { ...subscription, bigqueryConfig: { table: `${PROJECT}.metrics_dataset.nope` } });
    expect(missingTable.status).toBe(404);
    const ok = await h.call('PUT', `${PS}/subscriptions/metrics_pubsub_bq_sub`, subscription);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: `projects/${PROJECT}/subscriptions/metrics_pubsub_bq_sub`, topic: TOPIC, bigqueryConfig: { state: 'ACTIVE' } });
    expect((await h.call('PUT', `${PS}/subscriptions/metrics_pubsub_bq_sub`, subscription)).status).toBe(409);
    const unknown = await h.call('PUT', `${PS}/subscriptions/sub-three`, { ...subscription, bigqueryConfig: { table: 'x', useTopicSchemas: true } });
    expect(unknown.body.error.message).toBe(`Invalid JSON payload received. Unknown name "useTopicSchemas" at 'subscription.bigquery_config': Cannot find field.`);
  });

  it('refuses to delete a non-empty dataset without deleteContents (400 resourceInUse)', async () => {
    const h = harness();
    await perfStack(h);
    const r = await h.call('DELETE', `${BQ}/metrics_dataset`);
    expect(r.status).toBe(400);
    expect(r.body.error.errors[0]).toMatchObject({ reason: 'resourceInUse', message: `Dataset ${PROJECT}:metrics_dataset is still in use` });
    expect((await h.call('DELETE', `${BQ}/metrics_dataset?deleteContents=true`)).status).toBe(204);
    expect((await h.call('GET', `${BQ}/metrics_dataset`)).status).toBe(404);
  });

  it('detaches subscriptions when their topic is deleted', async () => {
    const h = harness();
    await h.enable(PROJECT, 'pubsub.googleapis.com');
    await h.call('PUT', `${PS}/topics/topic-one`, {});
    await h.call('PUT', `${PS}/subscriptions/sub-one`, { topic: `projects/${PROJECT}/topics/topic-one` });
    expect((await h.call('DELETE', `${PS}/topics/topic-one`)).body).toEqual({});
    expect((await h.call('GET', `${PS}/subscriptions/sub-one`)).body.topic).toBe('_deleted-topic_');
  });
});
