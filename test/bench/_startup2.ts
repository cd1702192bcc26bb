import { build } from 'esbuild';
import { bundle } from '../../api/scripts/build.js';
import { medianStartupMs } from './support.js';
await bundle({ entry: 'api/server.ts', outdir: '.bench/dist' });
await bundle({ entry: 'test/bench/bare-server.ts', outdir: '.bench/bare' });
// variant: minified
const base = { entryPoints: ['api/server.ts'], bundle: true, splitting: true, format: 'esm' as const, platform: 'node' as const, target: 'node20', mainFields: ['module', 'main'], external: ['better-sqlite3', '@google-cloud/*', 'google-auth-library'], banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }, logLevel: 'warning' as const, inject: [] };
await build({ ...base, outdir: '.bench/min', minify: true, plugins: [] }).catch(console.error);
const env = { PROFILE: 'local', DATA_DIR: '/tmp/su-data', RECONCILE_INTERVAL_SECONDS: '0' };
for (let r = 0; r < 3; r++) {
  const out = [];
  for (const [name, entry, e] of [['bare', '.bench/bare/bare-server.js', {}], ['ours', '.bench/dist/server.js', env], ['min', '.bench/min/server.js', env]] as const) out.push(`${name} ${(await medianStartupMs(entry, e as Record<string, string>, 7)).toFixed(0)}`);
  console.log(out.join('  '));
}
