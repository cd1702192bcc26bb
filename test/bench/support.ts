import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../../api/scripts/net.js';
import autocannon from 'autocannon';
import { bundleServer, bundleService, writeCodeCache } from '../../api/scripts/build.js';

export interface Started {
  child: ChildProcess;
  baseUrl: string;
  /** ms from spawn to the first 200 on /healthz. */
  startupMs: number;
}

/**
 * Builds the service and the bare baselines under `.bench/` with the production build (one script
 * each, run by the same launcher from the code cache a warm-up start made under the image's memory
 * settings), so start-up and memory are measured as production runs them and every server gets
 * the same treatment. The bare app with the mandated libraries is a build of its own, so that the
 * plain one's script does not carry them.
 */
export async function buildForBench(): Promise<{ server: string; bare: string; bareLibs: string }> {
  await bundleServer('.bench/dist');
  await writeCodeCache('.bench/dist', IMAGE_MEMORY_ENV);
  for (const [entry, outdir] of [['test/bench/bare-server.ts', '.bench/bare'], ['test/bench/bare-libs-server.ts', '.bench/bare-libs']] as const) {
    await bundleService({ entry, outdir });
    await writeCodeCache(outdir, IMAGE_MEMORY_ENV);
  }
  return { server: '.bench/dist/server.js', bare: '.bench/bare/server.js', bareLibs: '.bench/bare-libs/server.js' };
}

/**
 * The memory settings of the container image, applied to both servers alike: read from the
 * Dockerfile's runtime `ENV`, so the benchmark measures what the image runs.
 */
const IMAGE_MEMORY_ENV = imageEnv(readFileSync('Dockerfile', 'utf8'), ['NODE_OPTIONS', 'MALLOC_ARENA_MAX']);

/**
 * Values of `names` set by `ENV` instructions (`NAME=value` or `NAME="value"`, `\`-continued) in
 * the last stage, with `$ARG`s replaced by their global defaults. Two values of our own
 * Dockerfile: a Dockerfile parser would be a dependency for that.
 */
function imageEnv(dockerfile: string, names: string[]): Record<string, string> {
  const lines = dockerfile.replace(/\\\n/g, ' ');
  const assignments = (line: string) => [...line.matchAll(/([A-Z_][A-Z0-9_]*)=(?:"([^"]*)"|(\S+))/g)].map(([, name, quoted, bare]) => [name!, quoted ?? bare!] as const);
  // Build arguments declared before the first stage, with their defaults: ENV values may name them.
  const args = new Map(assignments(lines.slice(0, lines.search(/^FROM /m))));
  const lastStage = lines.slice(lines.lastIndexOf('\nFROM '));
  const found: Record<string, string> = {};
  for (const env of lastStage.matchAll(/^ENV\s+(.*)$/gm)) {
    for (const [name, value] of assignments(env[1]!)) {
      if (names.includes(name)) found[name] = value.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, arg: string) => args.get(arg) ?? '');
    }
  }
  const missing = names.filter((name) => !(name in found));
  if (missing.length > 0) throw new Error(`Dockerfile: the runtime stage sets no ${missing.join(', ')}`);
  return found;
}

/** Spawns `node <entry>` on a free loopback port and waits for /healthz. */
export async function startServer(entry: string, env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...IMAGE_MEMORY_ENV, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', METADATA_SERVER_DETECTION: 'none' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { child, baseUrl, startupMs: performance.now() - started };
}

export const rssMb = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
};

export interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

export async function load(options: { url: string; method?: 'GET' | 'POST'; body?: string; seconds?: number; amount?: number }): Promise<Load> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    body: options.body,
    headers: options.body ? { 'content-type': 'application/json' } : {},
    connections: 10,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 5 }),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
  };
}

export const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(2));

/**
 * Median start-up of each server over `runs` rounds; every round starts each server once, one
 * after the other, so a change of load on the machine reaches all of them alike (starting one
 * server five times and then the next moved the ratio by up to 0.4 between runs).
 */
export async function medianStartupsMs<K extends string>(servers: Record<K, { entry: string; env?: Record<string, string> }>, runs = 9): Promise<Record<K, number>> {
  const names = Object.keys(servers) as K[];
  const times = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < runs; round++) {
    for (const name of names) {
      const started = await startServer(servers[name].entry, servers[name].env);
      times.get(name)!.push(started.startupMs);
      started.child.kill();
      await new Promise((resolve) => started.child.once('exit', resolve));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return Object.fromEntries(names.map((name) => [name, median(times.get(name)!)])) as Record<K, number>;
}
