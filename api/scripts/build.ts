import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { freePort } from './net.js';

/**
 * zod exports every locale's error messages through its `z.locales` namespace (more than 60
 * modules), so no bundler can drop them; the service answers in English only, which zod registers
 * itself. Substituting the index with English alone removes about a third of the code loaded at
 * start-up.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(esbuild) {
    const locales = dirname(fileURLToPath(import.meta.resolve('zod/v4/locales/en.js')));
    esbuild.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.startsWith(dirname(locales)) ? { path: 'zod-locales', namespace: 'zod-english-only' } : undefined);
    esbuild.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: locales,
    }));
  },
};

/**
 * The CLI's build: one ES module with its chunks under `outdir`, every dependency but Google's
 * libraries bundled (`external` to change that).
 */
export async function bundle(options: { entry: string; outdir: string; external?: string[] }): Promise<Metafile> {
  rmSync(options.outdir, { recursive: true, force: true });
  const { metafile } = await build({
    ...COMMON,
    entryPoints: [options.entry],
    outdir: options.outdir,
    splitting: true,
    format: 'esm',
    external: options.external ?? PRODUCTION_EXTERNALS,
    // Bundled CommonJS dependencies call `require` for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return metafile;
}

/** What every build shares. */
const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // ESM builds first: a package's CommonJS build would bring a second copy of zod, the one
  // @hono/zod-openapi's extension never reaches.
  mainFields: ['module', 'main'],
  plugins: [zodEnglishOnly],
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
} satisfies BuildOptions;

/**
 * Loaded from node_modules at run time: Google's libraries read their own files (protos,
 * package.json) relative to where they are installed. better-sqlite3's JavaScript is bundled; its
 * native addon is loaded from node_modules by path (api/store/sqlite.ts).
 */
export const PRODUCTION_EXTERNALS = ['@google-cloud/*', 'google-auth-library'];

/**
 * Also loaded from node_modules, by `require` (Node ≥ 20.19 requires ES modules too), and only by
 * the parts that use them, on first use: the Kubernetes client (the deployer, the sandbox's
 * clusters), the certificate libraries (the sandbox's clusters) and YAML (the local engine,
 * `/openapi.yaml`). Together 3 MB of the 4.7 MB the script would be: kept in it, their text
 * would stay in memory in every process.
 */
export const LAZY_PACKAGES = ['@kubernetes/client-node', '@peculiar/x509', 'yaml'];

/**
 * The production build of a server (`npm run build`, run by the Dockerfile): `entry` and all it
 * imports as ONE CommonJS script, `outdir/service.cjs`, started by `outdir/server.js` (api/launch.ts)
 * through V8 with the code cache `writeCodeCache` makes. One script rather than ES module chunks:
 * Node 20 has no code cache for ES modules, and without one V8 parses and compiles at every cold
 * start what a cache hands it ready (README › Benchmarks: 1.40× the bare app's start-up instead of
 * 1.79×). What only some requests use is in the script but runs on first use (esbuild initialises
 * a module reached only by `import()` when that import runs), or is a package left outside it
 * (LAZY_PACKAGES). Returns what went into the script (test/integration/build.test.ts checks it).
 */
export async function bundleService(options: { entry: string; outdir: string }): Promise<Metafile> {
  rmSync(options.outdir, { recursive: true, force: true });
  await build({ ...COMMON, metafile: false, entryPoints: ['api/launch.ts'], outfile: join(options.outdir, 'server.js'), format: 'esm' });
  const { metafile } = await build({
    ...COMMON,
    entryPoints: [options.entry],
    outfile: join(options.outdir, SERVICE_SCRIPT),
    format: 'cjs',
    external: [...PRODUCTION_EXTERNALS, ...LAZY_PACKAGES],
    // One `import.meta.url` for the whole script: its own file, beside which (as beside the source
    // modules) the service finds its assets, `workflows/` above and node_modules.
    define: { 'import.meta.url': '__import_meta_url' },
    banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  });
  return metafile;
}

/** The service script in the output folder; its code cache is this name plus `.cache`. */
export const SERVICE_SCRIPT = 'service.cjs';

/**
 * The service (`dist/server.js` and `dist/service.cjs`) with the status page's script and
 * stylesheet beside it: the page serves them from `assets/` next to its module, which in the
 * bundle is the output folder.
 */
export async function bundleServer(outdir: string): Promise<Metafile> {
  const metafile = await bundleService({ entry: 'api/server.ts', outdir });
  for (const file of ['page.js', 'page.css']) cpSync(join('api/page/assets', file), join(outdir, 'assets', file));
  return metafile;
}

/**
 * Makes `outdir/service.cjs.cache`: starts the built server once (local profile, a throw-away data
 * folder), asks for `/healthz`, stops it, and the launcher writes what V8 compiled meanwhile. V8
 * accepts the cache only from the same Node under the same V8 flags, so this runs under the
 * NODE_OPTIONS the server will run with (the Dockerfile runs the build under the image's).
 */
export async function writeCodeCache(outdir: string, env: Record<string, string> = {}): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'code-cache-'));
  // Told its port: the bare baseline logs nothing to read one from.
  const port = await freePort();
  const child = spawn(process.execPath, [join(outdir, 'server.js')], {
    env: { ...process.env, ...env, CODE_CACHE: 'write', PROFILE: 'local', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', RECONCILE_INTERVAL_SECONDS: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(child, 'exit');
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${outdir}/server.js exited with ${child.exitCode} before it served /healthz`);
      if (Date.now() > deadline) throw new Error(`${outdir}/server.js did not serve /healthz within 60 s`);
      if (await fetch(`http://127.0.0.1:${port}/healthz`).then((res) => res.ok, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (!existsSync(join(outdir, `${SERVICE_SCRIPT}.cache`))) throw new Error(`${outdir}/server.js exited without writing its code cache`);
}

/** The `saxenv` CLI (the package's `bin`): one executable file, `dist/cli/saxenv.js`. */
export async function bundleCli(outdir: string): Promise<string> {
  await bundle({ entry: 'clients/cli/saxenv.ts', outdir });
  const file = join(outdir, 'saxenv.js');
  chmodSync(file, 0o755);
  return file;
}

// `npm run build`: the service and the CLI; `npm run build -- service`: the service alone (the image).
if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2];
  if (only !== undefined && only !== 'service') throw new Error(`build: "${only}" is not a part; use "service" or nothing`);
  await bundleServer('dist');
  await writeCodeCache('dist');
  if (only === undefined) await bundleCli('dist/cli');
}
