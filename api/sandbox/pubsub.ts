/**
 * Pub/Sub v1: schemas, topics (optionally bound to a schema) and subscriptions (optionally writing to
 * BigQuery). A BigQuery subscription needs the table to exist and the project's Pub/Sub service agent
 * (`service-<number>@gcp-sa-pubsub.iam.gserviceaccount.com`) to be allowed to write to it, with the
 * grant propagated.
 */
import { rfc3339 } from './clock.js';
import { alreadyExists, GoogleApiError, invalidArgument, notFound } from './errors.js';
import { addNotFound, createServiceApp, guard, readBody, type Ctx } from './http.js';
import { holdsRole, policyKey } from './policies.js';
import { pubsubSchema, pubsubSubscription, pubsubTopic, pubsubUpdateSubscriptionRequest, pubsubUpdateTopicRequest } from './schemas.js';
import { checkLabels } from './labels.js';
import { replacedLabels } from './label-patch.js';
import type { SimpleRec, World } from './state.js';

const API = 'pubsub.googleapis.com';
const RESOURCE_ID = /^[a-zA-Z][-\w.~+%]{2,254}$/;
/** Project roles that let the Pub/Sub service agent write into BigQuery tables of the project. */
const BQ_WRITER_ROLES = [
  'roles/bigquery.dataEditor',
  'roles/bigquery.dataOwner',
  'roles/bigquery.admin',
  'roles/editor',
  'roles/owner',
];

type Kind = 'schemas' | 'topics' | 'subscriptions';
const store = (world: World, kind: Kind) =>
  kind === 'schemas' ? world.schemas : kind === 'topics' ? world.topics : world.subscriptions;
const missing = (id: string) => notFound(`Resource not found (resource=${id}).`);
const nameMismatch = (what: string, name: unknown) =>
  invalidArgument(`${what} name "${String(name)}" in the body does not match the URL.`);

function checkId(kind: Kind, project: string, id: string | undefined): string {
  if (!id || !RESOURCE_ID.test(id) || id.startsWith('goog')) {
    throw invalidArgument(`Invalid [${kind}] name: (name=projects/${project}/${kind}/${id ?? ''})`);
  }
  return id;
}

function find(world: World, kind: Kind, name: string): SimpleRec {
  const rec = store(world, kind).get(name);
  if (!rec) throw missing(name.split('/').pop()!);
  return rec;
}

function create(world: World, kind: Kind, project: string, id: string, body: Record<string, unknown>) {
  const name = `projects/${project}/${kind}/${id}`;
  checkLabels(body.labels, `${kind.slice(0, -1)}.labels`);
  if (store(world, kind).has(name)) throw alreadyExists(`Resource already exists in the project (resource=${id}).`);
  const rec: SimpleRec = { project, id, body: { ...body, name }, createdAt: world.now() };
  store(world, kind).set(name, rec);
  return rec;
}

function guardKind(world: World, c: Ctx, kind: Kind, verb: string): { project: string; name: string } {
  const project = c.req.param('project')!;
  const name = `projects/${project}/${kind}/${c.req.param('id')}`;
  guard(world, c, { permission: `pubsub.${kind}.${verb}`, resource: name, project, api: API });
  return { project, name };
}

/** "p.ds.t" or "p:ds.t" → the BigQuery table record, or 404 as the subscription cannot write there. */
function checkBigQueryTarget(world: World, project: string, table: unknown): void {
  const m = typeof table === 'string' ? /^([^.:]+)[.:]([^.]+)\.([^.]+)$/.exec(table) : null;
  if (!m) {
    throw invalidArgument(`Invalid BigQuery table name "${String(table ?? '')}"; expected "project.dataset.table".`);
  }
  const dataset = world.datasets.get(`${m[1]}:${m[2]}`);
  if (!dataset?.tables.has(m[3]!)) {
    throw notFound(`Table not found: ${m[1]}:${m[2]}.${m[3]} (BigQuery subscription target).`);
  }
  const agent = `serviceAccount:service-${world.project(project).projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;
  const tableProject = policyKey.project(m[1]!);
  // Until the agent's grant has propagated, Pub/Sub answers this bare 403 (google-cloud-cpp#13558,
  // terraform-provider-google#17397), naming neither the agent nor the permission.
  if (!BQ_WRITER_ROLES.some((role) => holdsRole(world, tableProject, role, agent))) {
    throw new GoogleApiError(403, 'PERMISSION_DENIED', 'The caller does not have permission', { reason: 'forbidden' });
  }
}

export function pubsubApp(world: World) {
  const app = createServiceApp(world, 'pubsub');
  const root = '/v1/projects/:project';

  app.post(`${root}/schemas`, async (c) => {
    const project = c.req.param('project');
    guard(world, c, { permission: 'pubsub.schemas.create', resource: `projects/${project}`, project, api: API });
    const body = await readBody(c, pubsubSchema, 'schema');
    const id = checkId('schemas', project, c.req.query('schemaId'));
    if (body.type !== 'PROTOCOL_BUFFER' && body.type !== 'AVRO') {
      throw invalidArgument('Schema type must be PROTOCOL_BUFFER or AVRO.');
    }
    if (typeof body.definition !== 'string' || !body.definition.trim()) {
      throw invalidArgument('Schema definition must be specified.');
    }
    const rec = create(world, 'schemas', project, id, body);
    rec.body = { ...rec.body, revisionId: world.hex(8), revisionCreateTime: rfc3339(rec.createdAt) };
    return c.json(rec.body);
  });

  for (const kind of ['schemas', 'topics', 'subscriptions'] as const) {
    app.get(`${root}/${kind}/:id`, (c) => c.json(find(world, kind, guardKind(world, c, kind, 'get').name).body));
    app.delete(`${root}/${kind}/:id`, (c) => {
      const { name } = guardKind(world, c, kind, 'delete');
      find(world, kind, name);
      store(world, kind).delete(name);
      // Deleting a topic detaches its subscriptions, as Pub/Sub does.
      if (kind === 'topics') {
        for (const s of world.subscriptions.values()) if (s.body.topic === name) s.body.topic = '_deleted-topic_';
      }
      return c.json({});
    });
  }

  // topics.patch / subscriptions.patch: {topic|subscription, updateMask}; the fields the mask names
  // are replaced (here: labels only); the answer is the resource.
  for (const [kind, field, shape] of [['topics', 'topic', pubsubUpdateTopicRequest], ['subscriptions', 'subscription', pubsubUpdateSubscriptionRequest]] as const) {
    app.patch(`${root}/${kind}/:id`, async (c) => {
      const { name } = guardKind(world, c, kind, 'update');
      const body = await readBody<Record<string, unknown>>(c, shape);
      const rec = find(world, kind, name);
      const mask = typeof body.updateMask === 'string' ? body.updateMask : '';
      if (!mask) throw invalidArgument(`The update_mask in the Update${field === 'topic' ? 'Topic' : 'Subscription'}Request must be set.`);
      if (mask.split(',').some((f) => f !== 'labels')) throw invalidArgument(`This sandbox updates only labels, not ${mask}.`);
      const sent = (body[field] ?? {}) as Record<string, unknown>;
      rec.body = { ...rec.body, labels: replacedLabels(sent.labels, `${field}.labels`) };
      return c.json(rec.body);
    });
  }

  app.put(`${root}/topics/:id`, async (c) => {
    const { project, name } = guardKind(world, c, 'topics', 'create');
    const body = await readBody(c, pubsubTopic, 'topic');
    const id = checkId('topics', project, c.req.param('id'));
    const settings = body.schemaSettings as { schema?: string; encoding?: string } | undefined;
    if (settings) {
      if (!settings.schema || !world.schemas.has(settings.schema)) throw missing(settings.schema?.split('/').pop() ?? '');
      if (settings.encoding && !['JSON', 'BINARY'].includes(settings.encoding)) {
        throw invalidArgument(`Invalid encoding "${settings.encoding}".`);
      }
    }
    if (body.name && body.name !== name) throw nameMismatch('Topic', body.name);
    return c.json(create(world, 'topics', project, id, { ...body, state: 'ACTIVE' }).body);
  });

  app.put(`${root}/subscriptions/:id`, async (c) => {
    const { project, name } = guardKind(world, c, 'subscriptions', 'create');
    const body = await readBody(c, pubsubSubscription, 'subscription');
    const id = checkId('subscriptions', project, c.req.param('id'));
    if (body.name && body.name !== name) throw nameMismatch('Subscription', body.name);
    if (typeof body.topic !== 'string') throw invalidArgument('Subscription topic must be specified.');
    const topic = find(world, 'topics', body.topic);
    if (world.subscriptions.has(name)) throw alreadyExists(`Resource already exists in the project (resource=${id}).`);
    const bq = body.bigqueryConfig as { table?: string; useTopicSchema?: boolean } | undefined;
    if (bq) {
      checkBigQueryTarget(world, project, bq.table);
      if (bq.useTopicSchema && !topic.body.schemaSettings) {
        throw invalidArgument('useTopicSchema is set but the topic has no schema.');
      }
    }
    const rec = create(world, 'subscriptions', project, id, {
      ackDeadlineSeconds: 10,
      messageRetentionDuration: '604800s',
      expirationPolicy: { ttl: '2678400s' },
      ...body,
      ...(bq ? { bigqueryConfig: { ...bq, state: 'ACTIVE' } } : { pushConfig: {} }),
      state: 'ACTIVE',
    });
    return c.json(rec.body);
  });

  return addNotFound(app);
}
