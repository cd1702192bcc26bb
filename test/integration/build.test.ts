import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleServer } from '../../api/scripts/build.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

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
  let baseUrl = '';
  let metafile: Metafile;
  let listening: { startupMs?: unknown; spawnedMsAgo: number };

  beforeAll(async () => {
    metafile = await bundleServer(outdir);
    ({ server, baseUrl, listening } = await startBuilt({ PROFILE: 'local', DATA_DIR: dataDir, SANDBOX_TIME_SCALE: '0.001' }));
  });

  /**
   * `node <outdir>/server.js` on a free port; resolves with the address its "listening" log line
   * names, that line's fields, and how long ago (by this process's clock) the server was spawned.
   */
  async function startBuilt(env: Record<string, string>) {
    const spawned = performance.now();
    const child = spawn(process.execPath, [join(outdir, 'server.js')], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', RECONCILE_INTERVAL_SECONDS: '0', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for await (const line of createInterface({ input: child.stdout! })) {
      const port = /"port":(\d+)/.exec(line)?.[1];
      if (line.includes('listening on') && port) {
        const fields = JSON.parse(line) as { startupMs?: unknown };
        return { server: child, baseUrl: `http://127.0.0.1:${port}`, listening: { ...fields, spawnedMsAgo: performance.now() - spawned } };
      }
    }
    throw new Error('the built server exited before listening');
  }

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    rmSync(outdir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads at start only what serving needs: the parts used by some requests are loaded by the first of them', () => {
    // What `node server.js` loads before it listens in the local profile: the entry's static
    // imports, and the local composition's (imported as soon as the profile is known).
    const outputs = Object.entries(metafile.outputs);
    const roots = outputs.filter(([, output]) => output.entryPoint === 'api/server.ts' || output.entryPoint === 'api/compose/local.ts').map(([file]) => file);
    expect(roots).toHaveLength(2);
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const entry of metafile.outputs[file]!.imports) if (entry.kind === 'import-statement' && !entry.external) visit(entry.path);
    };
    roots.forEach(visit);
    const modules = new Set([...loaded].flatMap((file) => Object.keys(metafile.outputs[file]!.inputs)));
    expect(modules).toContain('api/app.ts');
    expect(modules).toContain('api/store/sqlite.ts');
    const onFirstUse = [
      'api/notify/url-safety.ts', 'node_modules/ipaddr.js/lib/ipaddr.js', 'api/notify/channels.ts', 'api/notify/http-post.ts', 'api/notify/dispatcher.ts',
      'api/sandbox/index.ts', 'api/sandbox/persistence.ts', 'api/engine/local/index.ts', 'api/kubernetes/kube.ts', 'api/page/pages.tsx', 'api/openapi-yaml.ts',
    ];
    expect(onFirstUse.filter((module) => modules.has(module))).toEqual([]);
    // Each of them is in the bundle, in a chunk of its own loading.
    const bundled = new Set(outputs.flatMap(([, output]) => Object.keys(output.inputs)));
    expect(onFirstUse.filter((module) => !bundled.has(module))).toEqual([]);
  });

  it('says in its "listening" line how long the process took to start', () => {
    // Counted from the process's own start, so it is positive and no more than the time since
    // this test spawned it.
    expect(listening.startupMs).toEqual(expect.any(Number));
    expect(listening.startupMs).toBeGreaterThan(0);
    expect(listening.startupMs).toBeLessThanOrEqual(listening.spawnedMsAgo);
  });

  it('serves the committed OpenAPI document, byte for byte, and the reference\'s renderer from node_modules', async () => {
    const res = await fetch(`${baseUrl}/openapi.yaml`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(readFileSync('openapi.yaml', 'utf8'));
    const renderer = await fetch(`${baseUrl}/docs/swagger-ui-bundle.js`);
    expect(renderer.status).toBe(200);
    expect((await renderer.text()).length).toBeGreaterThan(100_000);
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

  it('serves the status page from the bundle: the page (a chunk loaded on first use) and its files', async () => {
    const page = await fetch(`${baseUrl}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Environments</h1>');
    const parser = join(dirname(createRequire(import.meta.url).resolve('eventsource-parser/package.json')), 'dist', 'index.js');
    for (const [name, source] of [['page.js', 'api/page/assets/page.js'], ['page.css', 'api/page/assets/page.css'], ['eventsource-parser.js', parser]] as const) {
      const res = await fetch(`${baseUrl}/ui/assets/${name}`);
      expect([name, res.status]).toEqual([name, 200]);
      expect(await res.text()).toBe(readFileSync(source, 'utf8'));
    }
  });

  it('starts the cloud profile from the same bundle (Google\'s libraries load from node_modules)', async () => {
    // Nothing is contacted: Firestore and the ID-token certificates are only reached on first use.
    const cloud = await startBuilt({
      PROFILE: 'cloud', GOOGLE_CLOUD_PROJECT: 'demo-project', WORKFLOW_LOCATION: 'us-central1', FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
      WORKFLOW_SERVICE_ACCOUNT: 'wf@demo-project.iam.gserviceaccount.com', RUNTIME_SERVICE_ACCOUNT: 'api@demo-project.iam.gserviceaccount.com', API_AUDIENCE: 'https://api.example.com',
      ALLOWED_PRINCIPALS: 'domain:example.com', PUBLIC_URL: 'https://api.example.com', HOST: '127.0.0.1',
      NOTIFY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    try {
      expect((await fetch(`${cloud.baseUrl}/healthz`)).status).toBe(200);
      const res = await fetch(`${cloud.baseUrl}/environments`);
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([401, 'UNAUTHENTICATED']);
    } finally {
      cloud.server.kill('SIGTERM');
      await once(cloud.server, 'exit');
    }
  });

  it('drains and exits 0 on SIGTERM', async () => {
    server.kill('SIGTERM');
    const [code] = await once(server, 'exit');
    expect(code).toBe(0);
  });
});
