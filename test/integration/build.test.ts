import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAZY_PACKAGES, PRODUCTION_EXTERNALS, SERVICE_SCRIPT, bundleServer, writeCodeCache } from '../../api/scripts/build.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

/**
 * The production artifact (`npm run build`, what the Dockerfile runs) started as production starts
 * it: plain `node dist/server.js`, from the code cache the build makes. Proves what only the bundle
 * can get wrong — module order (zod's OpenAPI extension), what starts on first use (the local
 * engine, the sandbox, the packages loaded from node_modules), finding `workflows/` and the
 * assets from the output folder — and that a cache V8 refuses costs time, not service.
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
  let stderr: string[];

  beforeAll(async () => {
    metafile = await bundleServer(outdir);
    await writeCodeCache(outdir);
    ({ server, baseUrl, listening, stderr } = await startBuilt({ PROFILE: 'local', DATA_DIR: dataDir, SANDBOX_TIME_SCALE: '0.001' }));
  });

  /**
   * `node <from>/server.js` on a free port; resolves with the address its "listening" log line
   * names, that line's fields, how long ago (by this process's clock) the server was spawned, and
   * what it writes to stderr.
   */
  async function startBuilt(env: Record<string, string>, from = outdir) {
    const spawned = performance.now();
    const child = spawn(process.execPath, [join(from, 'server.js')], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', RECONCILE_INTERVAL_SECONDS: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr.push(chunk);
      process.stderr.write(chunk);
    });
    for await (const line of createInterface({ input: child.stdout! })) {
      const port = /"port":(\d+)/.exec(line)?.[1];
      if (line.includes('listening on') && port) {
        const fields = JSON.parse(line) as { startupMs?: unknown };
        return { server: child, baseUrl: `http://127.0.0.1:${port}`, listening: { ...fields, spawnedMsAgo: performance.now() - spawned }, stderr };
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

  it('puts the service in one script that starts only what serving needs; what some requests use starts on first use', () => {
    const [script, output] = Object.entries(metafile.outputs).find(([file]) => file.endsWith(SERVICE_SCRIPT))!;
    const modules = Object.keys(output.inputs);
    expect(modules).toContain('api/app.ts');
    // Loaded from node_modules, by the code that uses them: not in the script.
    const packages = [...PRODUCTION_EXTERNALS, ...LAZY_PACKAGES].map((name) => name.replace('/*', '/'));
    expect(modules.filter((module) => packages.some((name) => module.includes(`node_modules/${name}`)))).toEqual([]);
    // esbuild turns a module reached only through import() into `var init_x = __esm({...})`, run
    // when that import() runs; the script's top level runs the rest. Which inits run at start: those
    // called at the top level, and those their bodies call (an import() inside one is written
    // `(init_x(), x_exports)` and runs later).
    const text = readFileSync(script, 'utf8');
    const bodies = new Map<string, string>();
    for (const [, name, body] of text.matchAll(/^var (init_\w+) = __esm\(\{\n([\s\S]*?)\n\}\);$/gm)) bodies.set(name!, body!);
    const calls = (code: string) => [...code.matchAll(/(?<![\w$])(init_\w+)\(\)(?!, \w+_exports\))/g)].map((match) => match[1]!);
    const started = new Set<string>();
    const visit = (name: string) => {
      if (started.has(name)) return;
      started.add(name);
      calls(bodies.get(name) ?? '').forEach(visit);
    };
    // The init of a module: declared in its own section (up to the next module's `// path` line).
    const initOf = (module: string) => {
      const at = text.indexOf(`// ${module}\n`);
      expect([module, at]).not.toEqual([module, -1]);
      const section = text.slice(at + module.length + 4).split(/^\/\/ \S+\.(?:[cm]?js|tsx?|json)$/m)[0]!;
      return /^var (init_\w+) = __esm\(/m.exec(section)?.[1];
    };
    // A module without an init is part of the script's top level.
    const startsAtStart = (module: string) => {
      const init = initOf(module);
      return init === undefined || started.has(init);
    };
    calls(text.split('\n').filter((line) => /^init_\w+\(\);$/.test(line)).join('\n')).forEach(visit);
    // The local composition is imported as soon as the profile is known, before listening.
    visit(initOf('api/compose/local.ts')!);
    expect(startsAtStart('api/domain/spec.ts')).toBe(true);
    expect(startsAtStart('api/app.ts')).toBe(true);
    const onFirstUse = [
      'api/notify/url-safety.ts', 'api/notify/channels.ts', 'api/notify/http-post.ts', 'api/notify/dispatcher.ts',
      'api/sandbox/index.ts', 'api/sandbox/persistence.ts', 'api/engine/local/index.ts', 'api/kubernetes/kube.ts', 'api/page/pages.tsx', 'api/openapi-yaml.ts',
    ];
    expect(onFirstUse.filter(startsAtStart)).toEqual([]);
    expect(startsAtStart('api/store/sqlite.ts')).toBe(true);
  });

  it('starts from its code cache, and without a usable one says so and still serves', async () => {
    expect(stderr.join('')).not.toContain('SAXML_CODE_CACHE_REJECTED');
    const copy = mkdtempSync(join('node_modules', '.cache', 'build-test-copy-'));
    try {
      for (const file of ['server.js', SERVICE_SCRIPT]) copyFileSync(join(outdir, file), join(copy, file));
      writeFileSync(join(copy, `${SERVICE_SCRIPT}.cache`), 'not a code cache');
      const stale = await startBuilt({ PROFILE: 'local', DATA_DIR: mkdtempSync(join(dataDir, 'stale-')) }, copy);
      try {
        expect((await fetch(`${stale.baseUrl}/healthz`)).status).toBe(200);
        expect(stale.stderr.join('')).toContain('SAXML_CODE_CACHE_REJECTED');
      } finally {
        stale.server.kill('SIGTERM');
        await once(stale.server, 'exit');
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
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

  it('serves the status page from the bundle: the page (started on first use) and its files', async () => {
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
