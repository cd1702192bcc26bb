import { apiBenchmark } from './api.bench.js';

/**
 * `npm run bench`: prints figures and ratios against baselines measured in the same run.
 * `npm run bench:api` runs the API part alone (a minute, where provisioning takes several).
 */
process.env.METADATA_SERVER_DETECTION = 'none';
const only = process.argv[2];
if (only !== undefined && only !== 'api') throw new Error(`unknown part ${only}: run all with no argument, or "api"`);
await apiBenchmark();
if (only === undefined) {
  const { provisioningBenchmark } = await import('./provisioning.bench.js');
  await provisioningBenchmark();
}
