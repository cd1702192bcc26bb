import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../support/app.js';

/**
 * What a new user does (review M9): generate types from the served document with
 * openapi-typescript's default options, write a script with openapi-fetch that sends the README's
 * smallest body, compile it with tsc (strict), and run it against a local server.
 */

/** The script a user writes; `BODY` is replaced by each case's request body. */
const SCRIPT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const client = createClient<paths>({ baseUrl: process.argv[2] });
const body = BODY;

// The validate-only answer and the created environment share the call: \`kind\` tells them apart.
const preview = await client.POST('/environments', { body, params: { query: { validateOnly: true } } });
if (preview.error) throw new Error(preview.error.detail);
if (preview.data.kind !== 'ValidateOnlyResult') throw new Error('expected the validate-only result');
// In answers the spec is normalised, so defaulted fields are typed as present.
const tpuDiskSizeGb: number = preview.data.spec.cluster.tpuNodePools[0]!.diskSizeGb;
const planSteps: number = preview.data.plan.steps.length;

const created = await client.POST('/environments', { body, params: { header: { 'idempotency-key': 'sdk-test-1' } } });
if (created.error) throw new Error(created.error.detail);
if (created.data.kind !== 'Environment') throw new Error('expected the environment');
const id: string = created.data.id;
const etag = created.response.headers.get('ETag') ?? '';

const unchanged = await client.GET('/environments/{id}', { params: { path: { id }, header: { 'if-none-match': etag } } });

// Problems are typed: \`code\` is an enum a switch can be exhaustive over.
const missing = await client.GET('/environments/{id}', { params: { path: { id: 'env-00000000000000000000000000' } } });
let advice = '';
if (missing.error) {
  switch (missing.error.code) {
    case 'NOT_FOUND': advice = 'list environments to find the id'; break;
    default: advice = missing.error.detail;
  }
}
console.log(JSON.stringify({ state: created.data.state, tpuDiskSizeGb, planSteps, etag, notModified: unchanged.response.status, advice, type: missing.error?.type }));
`;

/** The README's smallest body ("Try it"). */
const SMALLEST = `{
  name: 'sdk-demo', project: 'my-project-1', region: 'us-west1', saxml: { enabled: false },
  cluster: { tpuNodePools: [{ name: 'tpu-v5e-4', tpuType: 'v5litepod-4', zones: ['us-west1-c'] }] },
}`;

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, types: ['node'],
};

describe('a TypeScript client generated with openapi-typescript\'s default options', () => {
  // Inside the repository, so that the script finds openapi-fetch in node_modules.
  mkdirSync(join('node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join('node_modules', '.cache', 'sdk-ts-'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
  let server: ServerType;
  let baseUrl = '';

  beforeAll(async () => {
    const { app } = buildTestApp();
    baseUrl = await new Promise<string>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
    });
    const served = await (await fetch(`${baseUrl}/openapi.yaml`)).text();
    writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(served)));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Compiles the script with `body` (emitting JS into the folder) and returns tsc's messages. */
  function compile(body: string): string[] {
    writeFileSync(join(dir, 'script.ts'), SCRIPT.replace('BODY', body));
    const program = ts.createProgram([join(dir, 'script.ts')], { ...COMPILER_OPTIONS, outDir: dir });
    const emitted = program.emit();
    return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  it('compiles a script that sends the smallest body and narrows the answers, and the script works', async () => {
    expect(compile(SMALLEST)).toEqual([]);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'script.js'), baseUrl]);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ state: 'CREATING', tpuDiskSizeGb: 200, notModified: 304, advice: 'list environments to find the id', type: '/problems/not-found' });
    expect(result.planSteps).toBeGreaterThan(0);
    expect(result.etag).toMatch(/^"/);
  });

  it('refuses a body without a required field, and a misspelt one', () => {
    expect(compile(SMALLEST.replace("name: 'sdk-demo', ", '')).join('\n')).toContain("Property 'name' is missing");
    expect(compile(SMALLEST.replace('tpuNodePools', 'tpuNodePool')).join('\n')).toContain("Property 'tpuNodePools' is missing");
  });
});
