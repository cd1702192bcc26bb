import { readFileSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLIENT_TYPES_PATH, generatedClientTypes, generatedOpenApiYaml } from '../../api/scripts/write-openapi.js';
import { buildTestApp } from '../support/app.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import type { paths } from '@saxml-environments/client';

const committed = readFileSync('openapi.yaml', 'utf8');

describe('openapi.yaml', () => {
  it('is exactly what the routes generate (run `npm run openapi` after changing a route)', () => {
    const generated = generatedOpenApiYaml();
    expect(parse(generated)).toEqual(parse(committed));
    expect(generated).toBe(committed);
  });

  it('is what the running app serves', async () => {
    const { app } = buildTestApp();
    expect(await (await app.request('/openapi.yaml')).text()).toBe(committed);
  });

  it('documents every public operation with problem responses, and no internal route', () => {
    const doc = parse(committed) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual([
      'DELETE /environments/{id}', 'DELETE /projects/{project}/bootstrap', 'GET /environments', 'GET /environments/{id}', 'GET /environments/{id}/deliveries', 'GET /environments/{id}/events',
      'GET /environments/{id}/events:watch', 'GET /environments/{id}/plan',
      'PATCH /environments/{id}', 'POST /environments', 'POST /environments/{id}/cancel',
      'POST /environments/{id}/deliveries/{deliveryId}:redeliver', 'POST /environments/{id}/retry',
    ]);
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods)) expect(op.responses['401']?.content).toHaveProperty(['application/problem+json']);
    }
  });
});

describe('a TypeScript client generated from openapi.yaml (openapi-typescript + openapi-fetch)', () => {
  let server: ServerType;
  let baseUrl: string;

  beforeAll(async () => {
    const { app } = buildTestApp();
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        baseUrl = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('regenerates offline to the committed types the client below is compiled against', async () => {
    expect(await generatedClientTypes(committed)).toBe(readFileSync(CLIENT_TYPES_PATH, 'utf8'));
  });

  it('drives create, get, list and delete', async () => {
    const client = createClient<paths>({ baseUrl });
    const created = await client.POST('/environments', { body: SMALLEST_SPEC, params: { query: {} } });
    expect(created.response.status).toBe(202);
    // 200 (validateOnly) and 202 share the call; `kind` tells them apart.
    if (created.data?.kind !== 'Environment') throw new Error('expected the 202 body');
    const id = created.data.id;

    const got = await client.GET('/environments/{id}', { params: { path: { id } } });
    expect(got.data?.spec.cluster.tpuNodePools[0]?.tpuType).toBe('v5litepod-4');

    const listed = await client.GET('/environments', { params: { query: { project: 'my-project-1' } } });
    expect(listed.data?.environments.map((e) => e.id)).toEqual([id]);

    const blocked = await client.DELETE('/environments/{id}', { params: { path: { id }, query: {} } });
    expect(blocked.response.status).toBe(409);
    expect(blocked.error?.code).toBe('OPERATION_IN_PROGRESS');

    const deleted = await client.DELETE('/environments/{id}', { params: { path: { id }, query: { force: true } } });
    expect(deleted.data?.state).toBe('DELETING');
  });
});
