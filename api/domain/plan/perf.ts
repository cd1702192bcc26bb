import { BOOTSTRAP_STEPS } from './bootstrap.js';
import type { Ctx, StepDef } from './context.js';
import { compact, type Bodies } from './google.js';
import { IAM_PROPAGATION_BUDGET, SA_NOT_YET_VISIBLE, projectBinding, rolesFor } from './iam.js';
import { resourceStep, type Common, type StageResource } from './resources.js';

/**
 * Stage 2, performance testing (reference §3, era B): Locust workers publish JSON `Metrics` to a
 * schema-checked topic; a BigQuery subscription writes them, with Pub/Sub metadata, into a table.
 * Nothing here needs the cluster, so this stage runs beside `base` instead of after it. The registry
 * (stages.ts) plans it only when `perf.enabled`.
 */

/** The guide's `Metrics` message. `optional` needs proto3, which Pub/Sub only assumes when told. */
export const METRICS_PROTO = `syntax = "proto3";

message Metrics {
  string test_id = 1;
  string request_type = 2;
  string request_name = 3;
  int32 response_length = 4;
  float response_time = 5;
  string start_time = 6;
  string exception = 7;
  optional string request = 8;
  optional string response = 9;
  optional string model_name = 10;
  optional string model_method = 11;
  optional string tokenizer = 12;
  optional int32 num_output_tokens = 13;
  optional int32 num_input_tokens = 14;
  optional int32 model_response_time = 15;
}
`;

const nullable = (name: string, type: string, description?: string): Bodies['tableField'] => compact({
  name,
  type,
  mode: 'NULLABLE',
  description,
});

/** The guide's table: the four columns `writeMetadata` fills, then one per `Metrics` field. */
export const METRICS_TABLE_FIELDS: Bodies['tableField'][] = [
  nullable('subscription_name', 'STRING'),
  nullable('message_id', 'STRING'),
  nullable('publish_time', 'TIMESTAMP'),
  nullable('attributes', 'JSON'),
  nullable('test_id', 'STRING'),
  nullable('request_type', 'STRING'),
  nullable('request_name', 'STRING'),
  nullable('response_length', 'INT64'),
  nullable('response_time', 'FLOAT64', 'Response time in milliseconds'),
  nullable('start_time', 'DATETIME'),
  nullable('exception', 'STRING'),
  nullable('request', 'JSON'),
  nullable('response', 'JSON'),
  nullable('model_name', 'STRING'),
  nullable('model_method', 'STRING'),
  nullable('tokenizer', 'STRING'),
  nullable('num_output_tokens', 'INT64'),
  nullable('num_input_tokens', 'INT64'),
  nullable('model_response_time', 'INT64'),
];

/** The project's Pub/Sub service agent, which writes into BigQuery for the subscription. */
export const PUBSUB_AGENT_MEMBER = 'serviceAccount:service-{{projectNumber}}@gcp-sa-pubsub.iam.gserviceaccount.com';

export function perfSteps(ctx: Ctx): StepDef[] {
  const { spec, names, urls, options } = ctx;
  const p = spec.project;
  const schemaName = `projects/${p}/schemas/${names.perfSchema}`;
  const topicName = `projects/${p}/topics/${names.perfTopic}`;
  const subscriptionName = `projects/${p}/subscriptions/${names.perfSubscription}`;
  const tableId = `${p}.${names.perfDataset}.${names.perfTable}`;
  // Every perf resource is the automation account's; Pub/Sub and BigQuery answer synchronously.
  const resource = (common: Omit<Common, 'stage' | 'as'>, r: StageResource) =>
    resourceStep({ ...common, stage: 'perf', as: 'automation' }, { ...r, poll: 'none' });

  // Names derive from the environment's name; an existing resource without the mark is another's.
  const { mark } = ctx;
  const hint = 'perf resources are named after the environment: pick another environment name, or set perf.enabled to false';
  // A schema has neither labels nor a description: the mark is a comment in its definition, which
  // Pub/Sub keeps as written.
  const schemaBody: Bodies['pubsubSchema'] = { name: schemaName, type: 'PROTOCOL_BUFFER', definition: `// ${mark.marker}\n${METRICS_PROTO}` };
  const schema = resource(
    { id: 'perf.schema', title: `Create the Pub/Sub schema ${names.perfSchema}`, after: ctx.automationAfter(['pubsub']) },
    {
      url: urls.pubsub.schema(names.perfSchema),
      create: { method: 'POST', url: urls.pubsub.schemas(names.perfSchema), body: schemaBody },
      owner: mark.byMarker('definition', `Pub/Sub schema ${names.perfSchema}`, hint),
      undo: { title: `Delete the Pub/Sub schema ${names.perfSchema}` },
    },
  );

  const topicBody: Bodies['topic'] = compact({
    name: topicName,
    schemaSettings: { schema: schemaName, encoding: 'JSON' },
    messageRetentionDuration: '86600s',
    labels: ctx.labels,
  });
  const topic = resource(
    { id: 'perf.topic', title: `Create the Pub/Sub topic ${names.perfTopic}`, after: ['perf.schema'], outputs: { metricsTopic: topicName } },
    {
      url: urls.pubsub.topic(names.perfTopic),
      create: { method: 'PUT', url: urls.pubsub.topic(names.perfTopic), body: topicBody },
      owner: mark.byLabel('labels', `Pub/Sub topic ${names.perfTopic}`, hint),
      undo: { title: `Delete the Pub/Sub topic ${names.perfTopic}` },
    },
  );

  const datasetBody: Bodies['dataset'] = compact({
    datasetReference: { projectId: p, datasetId: names.perfDataset },
    location: spec.perf.datasetLocation,
    friendlyName: 'Performance metrics',
    description: 'Performance metrics',
    labels: ctx.labels,
  });
  const datasetUrl = urls.bigquery.dataset(names.perfDataset);
  const dataset = resource(
    { id: 'perf.dataset', title: `Create the BigQuery dataset ${names.perfDataset}`, after: ctx.automationAfter(['bigquery']), outputs: { metricsDataset: `${p}.${names.perfDataset}` } },
    {
      url: datasetUrl,
      create: { method: 'POST', url: urls.bigquery.datasets, body: datasetBody },
      owner: mark.byLabel('labels', `BigQuery dataset ${names.perfDataset}`, hint),
      // The guide's delete_contents_on_destroy = !deletion_protection.
      deleteUrl: spec.deletionProtection ? datasetUrl : `${datasetUrl}?deleteContents=true`,
      undo: { title: `Delete the BigQuery dataset ${names.perfDataset}` },
    },
  );

  const tableBody: Bodies['table'] = compact({
    tableReference: { projectId: p, datasetId: names.perfDataset, tableId: names.perfTable },
    description: 'Locust request metrics written by the Pub/Sub BigQuery subscription',
    schema: { fields: METRICS_TABLE_FIELDS },
    labels: ctx.labels,
  });
  const table = resource(
    { id: 'perf.table', title: `Create the BigQuery table ${tableId}`, after: ['perf.dataset'], outputs: { metricsTable: tableId } },
    {
      url: urls.bigquery.table(names.perfDataset, names.perfTable),
      create: { method: 'POST', url: urls.bigquery.tables(names.perfDataset), body: tableBody },
      owner: mark.byLabel('labels', `BigQuery table ${tableId}`, hint),
      undo: { title: `Delete the BigQuery table ${tableId}` },
    },
  );

  // The service agent is the project's, not the environment's: other environments' subscriptions in
  // the project rely on the same grant, so a delete plan removes it only with the bootstrap resources
  // (when the caller checked that no other live environment uses the project).
  const agentRoles = projectBinding(ctx, {
    id: 'perf.pubsub-agent.roles',
    stage: 'perf',
    title: 'Let the Pub/Sub service agent write to BigQuery',
    after: [BOOTSTRAP_STEPS.pubsubAgent, ...ctx.automationAfter(['cloudresourcemanager', 'pubsub'])],
    as: 'automation',
    bindings: rolesFor(PUBSUB_AGENT_MEMBER, ['roles/bigquery.metadataViewer', 'roles/bigquery.dataEditor']),
    // IAM knows a new agent a few seconds after it is made.
    transient: [SA_NOT_YET_VISIBLE],
    uses: ['projectNumber'],
    removeTitle: options.includeBootstrap ? 'Remove the Pub/Sub service agent’s BigQuery roles' : null,
  });

  const subscriptionBody: Bodies['subscription'] = compact({
    name: subscriptionName,
    topic: topicName,
    bigqueryConfig: { table: tableId, useTopicSchema: true, dropUnknownFields: true, writeMetadata: true },
    labels: ctx.labels,
  });
  const subscriptionUrl = urls.pubsub.subscription(names.perfSubscription);
  const subscription = resource(
    {
      id: 'perf.subscription',
      title: `Create the BigQuery subscription ${names.perfSubscription}`,
      after: ['perf.topic', 'perf.table', 'perf.pubsub-agent.roles'],
      // Until the agent's new roles have propagated, Pub/Sub answers a bare 403 (the automation
      // account itself holds pubsub.editor, so a 403 here is the agent's).
      transient: [{ status: 403, matches: '^The caller does not have permission', within: IAM_PROPAGATION_BUDGET }],
      outputs: { metricsSubscription: subscriptionName },
    },
    {
      url: subscriptionUrl,
      create: { method: 'PUT', url: subscriptionUrl, body: subscriptionBody },
      owner: mark.byLabel('labels', `Pub/Sub subscription ${names.perfSubscription}`, hint),
      undo: { title: `Delete the Pub/Sub subscription ${names.perfSubscription}` },
    },
  );

  return [schema, topic, dataset, table, agentRoles, subscription];
}
