/**
 * BigQuery v2: datasets and tables. Deleting a dataset that still has tables needs `deleteContents=true`
 * (else 400 resourceInUse), as on Google.
 */
import { GoogleApiError, invalidArgument, notFound } from './errors.js';
import { addNotFound, createServiceApp, guard, readBody, type Ctx } from './http.js';
import { bigqueryDataset, bigqueryTable } from './schemas.js';
import { checkLabels } from './labels.js';
import { mergedLabels } from './label-patch.js';
import type { DatasetRec, SimpleRec, World } from './state.js';

const API = 'bigquery.googleapis.com';
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;
const TABLE_ID = /^[A-Za-z0-9_-]{1,1024}$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
const FIELD_TYPES = new Set(
  ('STRING BYTES INTEGER INT64 FLOAT FLOAT64 NUMERIC BIGNUMERIC BOOLEAN BOOL TIMESTAMP DATE TIME DATETIME ' +
    'GEOGRAPHY JSON RECORD STRUCT RANGE INTERVAL').split(' '),
);
const OUTPUT_ONLY = ['kind', 'etag', 'id', 'selfLink', 'creationTime', 'lastModifiedTime'];

const duplicate = (what: string) =>
  new GoogleApiError(409, 'ALREADY_EXISTS', `Already Exists: ${what}`, { reason: 'duplicate' });
const strip = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => !OUTPUT_ONLY.includes(k)));
const etag = (id: string, at: number) => `${Buffer.from(`${id}${at}`).toString('base64').slice(0, 22)}==`;

function findDataset(world: World, project: string, datasetId: string): DatasetRec {
  const ds = world.datasets.get(`${project}:${datasetId}`);
  if (!ds) throw notFound(`Not found: Dataset ${project}:${datasetId}`);
  return ds;
}

/** Guards a call on the dataset/table named by the path; returns the project. */
function guardBq(world: World, c: Ctx, permission: string): string {
  const { project, dataset, table } = c.req.param() as { project: string; dataset?: string; table?: string };
  const resource = [`projects/${project}`, dataset && `datasets/${dataset}`, table && `tables/${table}`]
    .filter(Boolean)
    .join('/');
  guard(world, c, { permission, resource, project, api: API });
  return project;
}

function checkSchemaFields(fields: unknown, path = 'schema.fields'): void {
  if (!Array.isArray(fields)) return;
  fields.forEach((f: { name?: string; type?: string; fields?: unknown }, i) => {
    const at = `${path}[${i}]`;
    if (!f.name || !FIELD_NAME.test(f.name)) throw invalidArgument(`Invalid field name "${f.name ?? ''}" at ${at}.`);
    if (!f.type || !FIELD_TYPES.has(f.type.toUpperCase())) {
      throw invalidArgument(`Invalid value for type: ${f.type ?? ''} is not a valid value (${at}).`);
    }
    checkSchemaFields(f.fields, `${at}.fields`);
  });
}

export function bigqueryApp(world: World) {
  const app = createServiceApp(world, 'bigquery');
  const root = '/bigquery/v2/projects/:project/datasets';
  const link = (c: Ctx, rel: string) => `${c.var.base}/bigquery/v2/${rel}`;

  const renderDataset = (c: Ctx, ds: DatasetRec) => ({
    kind: 'bigquery#dataset',
    etag: etag(ds.id, ds.createdAt),
    id: `${ds.project}:${ds.id}`,
    selfLink: link(c, `projects/${ds.project}/datasets/${ds.id}`),
    access: [
      { role: 'WRITER', specialGroup: 'projectWriters' },
      { role: 'OWNER', specialGroup: 'projectOwners' },
      { role: 'READER', specialGroup: 'projectReaders' },
    ],
    ...ds.body,
    datasetReference: { datasetId: ds.id, projectId: ds.project },
    location: ds.body.location ?? 'US',
    type: 'DEFAULT',
    creationTime: String(ds.createdAt),
    lastModifiedTime: String(ds.createdAt),
  });

  const renderTable = (c: Ctx, ds: DatasetRec, t: SimpleRec) => ({
    kind: 'bigquery#table',
    etag: etag(t.id, t.createdAt),
    id: `${ds.project}:${ds.id}.${t.id}`,
    selfLink: link(c, `projects/${ds.project}/datasets/${ds.id}/tables/${t.id}`),
    ...t.body,
    tableReference: { projectId: ds.project, datasetId: ds.id, tableId: t.id },
    numBytes: '0',
    numRows: '0',
    type: 'TABLE',
    location: ds.body.location ?? 'US',
    creationTime: String(t.createdAt),
    lastModifiedTime: String(t.createdAt),
  });

  app.post(root, async (c) => {
    const project = guardBq(world, c, 'bigquery.datasets.create');
    const body = await readBody(c, bigqueryDataset, 'dataset');
    const ref = (body.datasetReference ?? {}) as { datasetId?: string; projectId?: string };
    if (!ref.datasetId || !DATASET_ID.test(ref.datasetId)) {
      throw invalidArgument(
        `Invalid dataset ID "${ref.datasetId ?? ''}". Dataset IDs must be alphanumeric (plus underscores) ` +
          'and must be at most 1024 characters long.',
      );
    }
    if (ref.projectId && ref.projectId !== project) {
      throw invalidArgument(`Invalid project ID "${ref.projectId}" in datasetReference; the URL names "${project}".`);
    }
    checkLabels(body.labels, 'dataset.labels');
    const key = `${project}:${ref.datasetId}`;
    if (world.datasets.has(key)) throw duplicate(`Dataset ${key}`);
    const ds: DatasetRec = { project, id: ref.datasetId, body: strip(body), createdAt: world.now(), tables: new Map() };
    world.datasets.set(key, ds);
    return c.json(renderDataset(c, ds));
  });

  app.get(`${root}/:dataset`, (c) => {
    const project = guardBq(world, c, 'bigquery.datasets.get');
    return c.json(renderDataset(c, findDataset(world, project, c.req.param('dataset'))));
  });

  // datasets.patch / tables.patch: only what is sent changes; labels merge (null removes one).
  app.patch(`${root}/:dataset`, async (c) => {
    const project = guardBq(world, c, 'bigquery.datasets.update');
    const body = await readBody(c, bigqueryDataset, 'dataset');
    const ds = findDataset(world, project, c.req.param('dataset'));
    if (Object.keys(body).some((k) => k !== 'labels')) throw invalidArgument('This sandbox patches only the labels of a dataset.');
    ds.body = { ...ds.body, labels: mergedLabels(ds.body.labels, body.labels, 'dataset.labels') };
    return c.json(renderDataset(c, ds));
  });

  app.delete(`${root}/:dataset`, (c) => {
    const project = guardBq(world, c, 'bigquery.datasets.delete');
    const ds = findDataset(world, project, c.req.param('dataset'));
    if (ds.tables.size > 0 && c.req.query('deleteContents') !== 'true') {
      throw new GoogleApiError(400, 'FAILED_PRECONDITION', `Dataset ${project}:${ds.id} is still in use`, {
        reason: 'resourceInUse',
      });
    }
    world.datasets.delete(`${project}:${ds.id}`);
    return c.body(null, 204);
  });

  app.post(`${root}/:dataset/tables`, async (c) => {
    const project = guardBq(world, c, 'bigquery.tables.create');
    const body = await readBody(c, bigqueryTable, 'table');
    const ds = findDataset(world, project, c.req.param('dataset'));
    const ref = (body.tableReference ?? {}) as { tableId?: string; datasetId?: string; projectId?: string };
    if (!ref.tableId || !TABLE_ID.test(ref.tableId)) throw invalidArgument(`Invalid table ID "${ref.tableId ?? ''}".`);
    if ((ref.datasetId && ref.datasetId !== ds.id) || (ref.projectId && ref.projectId !== project)) {
      throw invalidArgument('tableReference does not match the dataset named in the URL.');
    }
    checkSchemaFields((body.schema as { fields?: unknown } | undefined)?.fields);
    checkLabels(body.labels, 'table.labels');
    if (ds.tables.has(ref.tableId)) throw duplicate(`Table ${project}:${ds.id}.${ref.tableId}`);
    const t: SimpleRec = { project, id: ref.tableId, body: strip(body), createdAt: world.now() };
    ds.tables.set(t.id, t);
    return c.json(renderTable(c, ds, t));
  });

  const findTable = (c: Ctx, verb: string) => {
    const project = guardBq(world, c, `bigquery.tables.${verb}`);
    const ds = findDataset(world, project, c.req.param('dataset')!);
    const tableId = c.req.param('table')!;
    const t = ds.tables.get(tableId);
    if (!t) throw notFound(`Not found: Table ${project}:${ds.id}.${tableId}`);
    return { ds, t };
  };

  app.get(`${root}/:dataset/tables/:table`, (c) => {
    const { ds, t } = findTable(c, 'get');
    return c.json(renderTable(c, ds, t));
  });

  app.patch(`${root}/:dataset/tables/:table`, async (c) => {
    const body = await readBody(c, bigqueryTable, 'table');
    const { ds, t } = findTable(c, 'update');
    if (Object.keys(body).some((k) => k !== 'labels')) throw invalidArgument('This sandbox patches only the labels of a table.');
    t.body = { ...t.body, labels: mergedLabels(t.body.labels, body.labels, 'table.labels') };
    return c.json(renderTable(c, ds, t));
  });

  app.delete(`${root}/:dataset/tables/:table`, (c) => {
    const { ds, t } = findTable(c, 'delete');
    ds.tables.delete(t.id);
    return c.body(null, 204);
  });

  return addNotFound(app);
}
