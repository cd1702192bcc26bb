import { apiBenchmark } from './api.bench.js';

/** `npm run bench`: prints figures and ratios against baselines measured in the same run. */
process.env.METADATA_SERVER_DETECTION = 'none';
await apiBenchmark();
const { provisioningBenchmark } = await import('./provisioning.bench.js');
await provisioningBenchmark();
