import { buildForBench, medianStartupMs } from './support.js';
const entries = await buildForBench();
const env = { PROFILE: 'local', DATA_DIR: '/tmp/su-data', RECONCILE_INTERVAL_SECONDS: '0' };
for (let r = 0; r < 3; r++) {
  const out = [];
  for (const [name, entry, e] of [['bare', entries.bare, {}], ['ours', entries.server, env]] as const) out.push(`${name} ${(await medianStartupMs(entry, e as Record<string, string>, 7)).toFixed(0)}`);
  console.log(out.join('  '));
}
