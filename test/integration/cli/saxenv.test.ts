import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bundleCli } from '../../../api/scripts/build.js';
import { SMALLEST_SPEC } from '../../support/fixtures.js';
import { startLocalWorld, type LocalWorld } from '../../support/local-world.js';

/**
 * The real `saxenv` binary (the esbuild bundle `npm run build` writes to dist/cli) run as a user
 * runs it, against the whole local profile served over HTTP: what it prints on a pipe (snapshot),
 * on a terminal (a pseudo-terminal from util-linux's `script`), in JSON, and the exit code of each
 * class of failure.
 */

const TOKEN = 'cli-test-token-0123456789abcdef';
mkdirSync(join('node_modules', '.cache'), { recursive: true });
const dir = mkdtempSync(join('node_modules', '.cache', 'cli-test-'));
let saxenv = '';
let world: LocalWorld;

beforeAll(async () => {
  saxenv = await bundleCli(join(dir, 'bin'));
  world = await startLocalWorld({ env: { API_TOKEN: TOKEN } });
});
afterAll(async () => {
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run { code: number; stdout: string; stderr: string }

/** Runs saxenv with the world's URL and token in its environment (as a user's shell would have them). */
function run(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [saxenv, ...args], {
      env: { ...process.env, SAXENV_API_URL: world.baseUrl, SAXENV_TOKEN: TOKEN, ...env },
    }, (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** A spec file like a user writes it (YAML). */
function specFile(name: string, overrides: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify({ ...SMALLEST_SPEC, name, saxml: { enabled: false }, ...overrides }));
  return file;
}

/** What varies between runs: times, ids, durations, the simulated cluster's address (the sandbox's has a port). */
const normalised = (text: string) => text
  .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
  .replace(/env-[0-9a-z]{26}/g, 'env-<id>')
  .replace(/took \d+(m\d\ds|s)/g, 'took <duration>')
  .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<ip>');

it('is the package\'s bin, as `npm run build` writes it', async () => {
  const { bin } = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> };
  expect(bin).toEqual({ saxenv: 'dist/cli/saxenv.js' });
  expect(readFileSync(saxenv, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  expect(statSync(saxenv).mode & 0o111).toBe(0o111);
});

describe('saxenv on a pipe', () => {
  it('create --wait: timestamped lines per stage and operation, then the outputs and how to use them (snapshot)', async () => {
    // perf off: its stage runs beside base, and the snapshot needs one order of lines.
    const result = await run(['create', '-f', specFile('piped', { perf: { enabled: false } }), '--wait']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await expect(normalised(result.stdout)).toMatchFileSnapshot('__snapshots__/create-wait.txt');
  });

  it('--output json prints only the API\'s JSON: the final environment', async () => {
    const result = await run(['--output', 'json', 'create', '-f', specFile('json'), '--wait']);
    expect(result.code).toBe(0);
    const env = JSON.parse(result.stdout);
    expect(env).toMatchObject({ kind: 'Environment', name: 'json', state: 'ACTIVE' });
    const listed = JSON.parse((await run(['-o', 'json', 'list', '--project', 'my-project-1'])).stdout);
    expect(listed.environments.map((e: { id: string }) => e.id)).toContain(env.id);
  });

  it('get, plan, events and delete --wait describe and end an environment', async () => {
    const id = JSON.parse((await run(['-o', 'json', 'create', '-f', specFile('reads'), '--wait'])).stdout).id;
    const got = await run(['get', id]);
    expect(got.stdout).toContain(`reads  ${id}  ACTIVE`);
    expect(got.stdout).toContain('gcloud container clusters get-credentials reads-saxml-gke-cluster --region us-west1 --project my-project-1');
    expect(got.stdout).toContain('possible now: delete');
    const plan = await run(['plan', id]);
    expect(plan.stdout).toMatch(/^create plan, \d+ steps\n {2}SUCCEEDED {2}bootstrap\.services\.1 /);
    const events = await run(['events', id]);
    expect(events.stdout.split('\n')[0]).toMatch(/ {2}create operation started$/);
    expect(events.stdout.trim().split('\n').at(-1)).toMatch(/ {2}environment is ACTIVE$/);
    const deleted = await run(['delete', id, '--delete-bootstrap', '--wait']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/delete operation started[^\n]*\n[\s\S]*reads is DELETED \(delete took \d+s\)\n$/);
  });

  it('events --follow streams the events of a running operation as they happen, and can stop at its end', async () => {
    const created = JSON.parse((await run(['-o', 'json', 'create', '-f', specFile('follow')])).stdout);
    const followed = await run(['events', created.id, '--follow', '--until-operation-end']);
    expect(followed.code).toBe(0);
    const lines = followed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/ {2}create operation started$/);
    expect(lines).toContainEqual(expect.stringMatching(/Create the GKE cluster follow-saxml-gke-cluster .*: succeeded$/));
    expect(lines.at(-1)).toBe('follow is ACTIVE; no operation is running');
  });

  it('a failed create exits 1 with the error and its hint; retry --wait after the fault clears exits 0', async () => {
    await world.request('/_sandbox/_faults', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ tpuStockoutZones: ['us-west1-c'] }) });
    let id: string;
    try {
      const failed = await run(['create', '-f', specFile('stockout'), '--wait']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^stockout is FAILED: GCE_STOCKOUT at base \/ base\.tpu-pool\.tpu-v5e-4\n/);
      expect(failed.stderr).toMatch(/\nhint: .*zone/);
      id = /env-[0-9a-z]{26}/.exec(failed.stdout)![0];
    } finally {
      await world.request('/_sandbox/_faults', { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    }
    const retried = await run(['retry', id, '--wait']);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('stockout is ACTIVE');
  });

  it('Ctrl-C stops the wait, not the operation: exit 130 and how to pick it up', async () => {
    const child = spawn(process.execPath, [saxenv, 'create', '-f', specFile('interrupted'), '--wait'], {
      env: { ...process.env, SAXENV_API_URL: world.baseUrl, SAXENV_TOKEN: TOKEN },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Interrupted once it is following: after its first line.
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve();
    }));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    const id = /env-[0-9a-z]{26}/.exec(stdout)![0];
    expect(stderr).toContain(`stopped following ${id}; it goes on: saxenv events ${id} --follow`);
    expect((await world.settle(id)).state).toBe('ACTIVE');
  });
});

describe('saxenv exit codes', () => {
  it.each([
    ['2: a spec file that does not exist', ['create', '-f', '/nonexistent/spec.yaml'], {}, 2, /^error: cannot read \/nonexistent\/spec\.yaml: ENOENT/],
    ['2: an unknown option', ['list', '--colour'], {}, 2, /unknown option '--colour'/],
    ['3: an invalid spec, naming the field and the problem page', ['create', '-f', '-'], {}, 3, /\$\.region: must be a region like us-west1.*\(VALIDATION_FAILED, HTTP 422\)\nsee http:\/\/127\.0\.0\.1:\d+\/problems\/validation-failed/],
    ['4: no token', ['list'], { SAXENV_TOKEN: '' }, 4, /Authentication required|UNAUTHENTICATED/],
    ['5: an unknown environment', ['get', 'env-01jd8m3q4b5c6d7e8f9g0h1j2k'], {}, 5, /not found \(NOT_FOUND, HTTP 404\)/],
    ['6: nobody listening', ['list'], { SAXENV_API_URL: 'http://127.0.0.1:9' }, 6, /cannot reach the API at http:\/\/127\.0\.0\.1:9/],
  ] as const)('%s', async (_name, args, env, code, stderr) => {
    const result = await run([...args], env, '{name: bad, project: my-project-1, region: nowhere, cluster: {tpuNodePools: [{name: p, tpuType: v5litepod-4, zones: [us-west1-c]}]}}');
    expect(result.stderr).toMatch(stderr);
    expect(result.code).toBe(code);
  });

  it('patch: refused while the create runs (3); then --validate-only shows what changes and the update plan', async () => {
    const id = JSON.parse((await run(['-o', 'json', 'create', '-f', specFile('patched')])).stdout).id;
    const busy = await run(['patch', id, '-f', '-'], {}, '{labels: {team: a}}');
    expect(busy.code).toBe(3);
    expect(busy.stderr).toMatch(/\(create\) is running.*\(OPERATION_IN_PROGRESS, HTTP 409\)/s);
    await world.settle(id);
    const preview = await run(['patch', id, '--validate-only', '-f', '-'], {}, '{labels: {team: a}}');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/^changes: labels\.team\nthe update would run \d+ steps:\n/);
    expect(preview.stdout).toContain('Set the labels of the GKE cluster patched-saxml-gke-cluster');
  });
});

const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('skipping the terminal test: util-linux `script` is not installed (apt-get install util-linux)');

describe.skipIf(!hasScript)('saxenv on a terminal', () => {
  it('create --wait redraws one line per stage with a bar, steps done/total, running steps and elapsed time', async () => {
    const file = specFile('terminal');
    // util-linux `script` gives the command a pseudo-terminal; -e passes its exit code on.
    const command = `stty cols 120 rows 40; exec ${process.execPath} ${saxenv} create -f ${file} --wait`;
    const result = await new Promise<Run>((resolve) => {
      execFile('script', ['-qfec', command, '/dev/null'], {
        env: { ...process.env, SAXENV_API_URL: world.baseUrl, SAXENV_TOKEN: TOKEN },
      }, (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }));
    });
    expect(result.code).toBe(0);
    const screen = result.stdout;
    // Redrawn in place: the cursor moves up over the previous frame.
    expect(screen).toMatch(/\x1b\[\d+A/);
    // A frame while base ran: its bar part full, steps done/total, the running steps and elapsed time.
    expect(screen).toMatch(/ {2}base {7}█*░+ {2}\d+\/\d+ +RUNNING +\d+s {2}base\.[a-z]/);
    // The last frame: everything done, then the outputs.
    expect(screen).toMatch(/terminal {2}env-[0-9a-z]{26} {2}ACTIVE {2}\(create SUCCEEDED, \d+s\)/);
    expect(screen).toMatch(/ {2}bootstrap {2}█{20} {2}\d+\/\d+ +SUCCEEDED/);
    expect(screen).toMatch(/ {2}saxml {6}·{20} {2}0\/0 +SKIPPED/);
    expect(screen).toContain('terminal is ACTIVE (create took');
    expect(screen).toContain('gcloud container clusters get-credentials terminal-saxml-gke-cluster');
  });
});
