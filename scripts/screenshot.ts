import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { launchBrowser } from '../test/support/browser.js';
import { created, serverClient } from '../test/support/client.js';
import { SMALLEST_SPEC } from '../test/support/fixtures.js';
import { startLocalWorld } from '../test/support/local-world.js';

/**
 * `npm run screenshot`: the picture of the status page in the README (docs/status-page.png). The
 * whole local profile at `npm start`'s time scale creates the README's curl example (a Saxml cell
 * with its proxy and one LLaMA 7B), and the system's Chromium (as in the browser test)
 * photographs its page once it is ACTIVE.
 */
const OUT = process.argv[2] ?? 'docs/status-page.png';
const SPEC = {
  ...SMALLEST_SPEC,
  labels: { team: 'serving' },
  saxml: {
    proxy: { image: 'us-docker.pkg.dev/my-project-1/demo-serving-images/saxml-proxy:1.0' },
    models: [{ id: 'llama7b', modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e', checkpoint: 'gs://my-checkpoints/llama-7b/checkpoint_00000000', tpuPool: 'tpu-v5e-4' }],
  },
};

const world = await startLocalWorld({ timeScale: 0.01 });
const browser = await launchBrowser({ viewport: { width: 1360, height: 900 }, reducedMotion: 'reduce' });
try {
  const env = await created(serverClient(world.baseUrl), SPEC);
  await world.settle(env.id);
  const page = await browser.context.newPage();
  await page.goto(`${world.baseUrl}/ui/environments/${env.id}`);
  await page.locator('#summary h1 .badge', { hasText: 'ACTIVE' }).waitFor();
  mkdirSync(dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  console.log(`wrote ${OUT}`);
} finally {
  await browser.close();
  await world.stop();
}
