import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { buildForBench, load, medianStartupsMs, ratio, rssMb, startServer } from './support.js';

/**
 * Issue 2's benchmark: our server (local profile, embedded SQLite) against a bare Hono app on the
 * same machine in the same run. Prints figures and ratios; never fails on time.
 */
export async function apiBenchmark(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'saxml-bench-'));
  const entries = await buildForBench();
  const bare = await startServer(entries.bare);
  let ours: Awaited<ReturnType<typeof startServer>> | undefined;
  let sameBody: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    ours = await startServer(entries.server, { PROFILE: 'local', DATA_DIR: dataDir, RECONCILE_INTERVAL_SECONDS: '0' });
    const created = await fetch(`${ours.baseUrl}/environments`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...SMALLEST_SPEC, saxml: { enabled: false } }),
    });
    const { id } = (await created.json()) as { id: string };
    // Measure reads of a settled environment, not while its create still runs in the same process.
    for (;;) {
      const env = (await (await fetch(`${ours.baseUrl}/environments/${id}`)).json()) as { operation: { state: string } };
      if (env.operation.state !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const body = JSON.stringify(SMALLEST_SPEC);
    sameBody = await startServer(entries.bare, { BARE_BODY: await (await fetch(`${ours.baseUrl}/environments/${id}`)).text() });

    await load({ url: `${bare.baseUrl}/fixed`, amount: 2000 }); // warm-up both
    await load({ url: `${ours.baseUrl}/environments/${id}`, amount: 2000 });
    const bareGet = await load({ url: `${bare.baseUrl}/fixed`, seconds: 5 });
    const sameBodyGet = await load({ url: `${sameBody.baseUrl}/fixed`, seconds: 5 });
    const ourGet = await load({ url: `${ours.baseUrl}/environments/${id}`, seconds: 5 });
    const barePost = await load({ url: `${bare.baseUrl}/fixed`, method: 'POST', body, seconds: 5 });
    const ourPost = await load({ url: `${ours.baseUrl}/environments?validateOnly=true`, method: 'POST', body, seconds: 5 });

    // RSS after (at least) 10 000 requests on each.
    await load({ url: `${bare.baseUrl}/fixed`, amount: 10_000 });
    await load({ url: `${ours.baseUrl}/environments/${id}`, amount: 10_000 });
    const bareRss = rssMb(bare.child.pid!);
    const ourRss = rssMb(ours.child.pid!);

    const row = (name: string, o: { requestsPerSecond: number; p50: number; p99: number; errors: number }, b: { requestsPerSecond: number; p50: number; p99: number }) =>
      `${name.padEnd(42)} ${o.requestsPerSecond.toFixed(0).padStart(7)} req/s (${ratio(o.requestsPerSecond, b.requestsPerSecond)}× bare)  p50 ${o.p50} ms  p99 ${o.p99} ms (bare p50 ${b.p50} / p99 ${b.p99})${o.errors ? `  errors ${o.errors}` : ''}`;
    console.log('\n== API benchmark (production bundle, local profile, SQLite; 10 connections) ==');
    console.log(row('GET /environments/{id}', ourGet, bareGet));
    console.log(row('  reference: bare app, same body as ours', sameBodyGet, bareGet));
    console.log(row('POST /environments?validateOnly=true', ourPost, barePost));
    const startup = await medianStartupsMs({
      bare: { entry: entries.bare },
      libs: { entry: entries.bareLibs },
      ours: { entry: entries.server, env: { PROFILE: 'local', DATA_DIR: join(dataDir, 'startup'), RECONCILE_INTERVAL_SECONDS: '0' } },
    });
    console.log(`${'start-up to first 200 on /healthz (median of 9, interleaved)'.padEnd(42)} ${startup.ours.toFixed(0)} ms (${ratio(startup.ours, startup.bare)}× bare ${startup.bare.toFixed(0)} ms)`);
    console.log(`${'  reference: bare app + mandated libraries'.padEnd(42)} ${startup.libs.toFixed(0)} ms (${ratio(startup.libs, startup.bare)}× bare)`);
    console.log(`${'RSS after 10 000+ requests'.padEnd(42)} ${ourRss.toFixed(0)} MB (${ratio(ourRss, bareRss)}× bare ${bareRss.toFixed(0)} MB)`);
    console.log('targets: GET throughput ≥ 0.5× bare, start-up ≤ 1.5× bare, RSS ≤ 120 MB');
  } finally {
    bare.child.kill();
    for (const server of [ours, sameBody]) server?.child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
