import { chmodSync, cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

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
 * The production build (`npm run build`, run by the Dockerfile): `api/server.ts` (and the CLI) bundled with
 * esbuild into ESM chunks under `dist/`. Bundled, the service starts in about two thirds of the
 * time it takes as one file per module (Node resolves, reads and compiles each ESM file separately,
 * and zod alone is a hundred of them) — Cloud Run cold starts pay that on every new instance.
 * Code splitting keeps each profile's adapters lazy: the cloud never loads the local engine or the
 * sandbox, the laptop never loads the Google client libraries. Returns what went into which output
 * file (test/integration/build.test.ts checks what start-up loads).
 */
export async function bundle(options: { entry: string; outdir: string; external?: string[] }): Promise<Metafile> {
  rmSync(options.outdir, { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: [options.entry],
    outdir: options.outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // ESM builds first: a package's CommonJS build would bring a second copy of zod, the one
    // @hono/zod-openapi's extension never reaches.
    mainFields: ['module', 'main'],
    // Loaded from node_modules at run time: Google's libraries read their own files (protos,
    // package.json) relative to where they are installed. better-sqlite3's JavaScript is bundled;
    // its native addon is loaded from node_modules by path (api/store/sqlite.ts).
    external: options.external ?? PRODUCTION_EXTERNALS,
    // Bundled CommonJS dependencies call `require` for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [zodEnglishOnly],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  return metafile;
}

export const PRODUCTION_EXTERNALS = ['@google-cloud/*', 'google-auth-library'];

/**
 * The service (`dist/server.js`) with the status page's script and stylesheet beside it: the page
 * serves them from `assets/` next to its module, which in the bundle is the output folder.
 */
export async function bundleServer(outdir: string): Promise<Metafile> {
  const metafile = await bundle({ entry: 'api/server.ts', outdir });
  for (const file of ['page.js', 'page.css']) cpSync(join('api/page/assets', file), join(outdir, 'assets', file));
  return metafile;
}

/** The `saxenv` CLI (the package's `bin`): one executable file, `dist/cli/saxenv.js`. */
export async function bundleCli(outdir: string): Promise<string> {
  await bundle({ entry: 'clients/cli/saxenv.ts', outdir });
  const file = join(outdir, 'saxenv.js');
  chmodSync(file, 0o755);
  return file;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await bundleServer('dist');
  await bundleCli('dist/cli');
}
