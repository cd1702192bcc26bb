import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../api/scripts/build.js';
import { SMALLEST_SPEC } from '../support/app.js';

/**
 * The production artifact (`npm run build`, what the Dockerfile runs) started as production starts
 * it: plain `node dist/server.js`. Proves what only the bundle can get wrong — module order (zod's
 * OpenAPI extension), the lazily loaded chunks (YAML, the local engine, the sandbox) and finding
 * `workflows/` from the output folder.
 */
describe('production build', () => {
  // Inside the repository, as `dist/` is: `workflows/` and node_modules are found upwards from it.
  mkdirSync(join('node_modules', '.cache'), { recursive: true });
  const outdir = mkdtempSync(join('node_modules', '.cache', 'build-test-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'build-test-data-'));
  let server: ChildProcess;
  let baseUrl: string;

  beforeAll(async () => {
    await bundle({ entry: 'api/server.ts', outdir });
    server = spawn(process.execPath, [join(outdir, 'server.js')], {
      env: { ...process.env, PROFILE: 'local', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', SANDBOX_TIME_SCALE: '0.001', RECONCILE_INTERVAL_SECONDS: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The server says where it listens in its first log line; read lines until then.
    for await (const line of createInterface({ input: server.stdout! })) {
      const port = /"port":(\d+)/.exec(line)?.[1];
      if (line.includes('listening on') && port) {
        baseUrl = `http://127.0.0.1:${port}`;
        break;
      }
    }
    if (!baseUrl) throw new Error('the built server exited before listening');
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    rmSync(outdir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the committed OpenAPI document, byte for byte', async () => {
    const res = await fetch(`${baseUrl}/openapi.yaml`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(readFileSync('openapi.yaml', 'utf8'));
  });

  it('starts an operation on the local engine and serves the sandbox, both loaded on first use', async () => {
    const created = await fetch(`${baseUrl}/environments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...SMALLEST_SPEC, saxml: { enabled: false } }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const env = (await (await fetch(`${baseUrl}/environments/${id}`)).json()) as { operation: { executionName?: string } };
    expect(env.operation.executionName).toMatch(/^projects\/local\/locations\/local\/workflows\/saxml-environment\/executions\//);
    expect((await fetch(`${baseUrl}/_sandbox/inventory`)).status).toBe(200);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    server.kill('SIGTERM');
    const [code] = await once(server, 'exit');
    expect(code).toBe(0);
  });
});
