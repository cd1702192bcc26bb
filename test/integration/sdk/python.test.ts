import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALLEST_SPEC } from '../../support/fixtures.js';
import { startLocalWorld, type LocalWorld } from '../../support/local-world.js';

/**
 * What a Python user does: generate a client from the served document with a standard generator
 * (openapi-python-client, installed into a fresh virtualenv — from the package index, or from its
 * vendored source in vendor/openapi-python-client when the index this machine reaches lacks it),
 * then create → poll → delete against a local server with it. Skipped, with the reason printed, when
 * Python, or the generator's dependencies, cannot be had on this machine. `SDK_PYTHON_VENV` names a
 * virtualenv that already has openapi-python-client and python-dateutil.
 */

const exec = promisify(execFile);
const TOKEN = 'python-sdk-token-0123456789';

const VENDORED_GENERATOR = fileURLToPath(new URL('../../../vendor/openapi-python-client', import.meta.url));

/** What to pip-install the generator from (the index, else the vendored source), or why the test cannot run here. */
function generatorSource(): { install: string } | { skip: string } {
  if (process.env.SDK_PYTHON_VENV) return { install: 'openapi-python-client' };
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.status !== 0) return { skip: 'Python 3 is not installed (python3 --version failed)' };
  const probe = mkdtempSync(join(tmpdir(), 'pip-probe-'));
  try {
    // The package index as pip is configured on this machine; no retries, so an unreachable one fails fast.
    const pip = (...args: string[]) => spawnSync('python3', ['-m', 'pip', 'download', '--retries', '0', '--timeout', '15', '--dest', probe, ...args], { encoding: 'utf8' });
    if (pip('--no-deps', 'openapi-python-client').status === 0) return { install: 'openapi-python-client' };
    // Not on the index: the vendored source builds with hatchling, and its dependencies must be reachable.
    const deps = pip('--only-binary', ':all:', 'hatchling', 'jinja2', 'typer', 'httpx', 'attrs', 'pydantic', 'python-dateutil', 'ruamel.yaml', 'shellingham', 'ruff');
    if (deps.status === 0) return { install: VENDORED_GENERATOR };
    const last = `${deps.stderr}`.trim().split('\n').filter((l) => l.startsWith('ERROR')).at(-1) ?? `exit ${deps.status}`;
    return { skip: `openapi-python-client's dependencies cannot be downloaded from the package index this machine reaches (pip download: ${last})` };
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const source = generatorSource();
const skipReason = 'skip' in source ? source.skip : undefined;

if (skipReason) console.warn(`skipping the Python client test: ${skipReason}`);

/** The user's script: the generated client, the README's smallest body, create → poll → delete. */
const SCRIPT = `
import json, sys, time
from saxenv_client import AuthenticatedClient
from saxenv_client.api.environments import create_environment, delete_environment, get_environment
from saxenv_client.models import CreateEnvironmentBody, Environment, EnvironmentState, Problem

base_url, token, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)

created = create_environment.sync(client=client, body=CreateEnvironmentBody.from_dict(spec))
if not isinstance(created, Environment):
    sys.exit(f"create refused: {created}")

def poll(until):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        env = get_environment.sync(client=client, id=created.id)
        if env.state in until:
            return env
        time.sleep(0.2)
    sys.exit(f"{created.id} did not reach {until}")

active = poll({EnvironmentState.ACTIVE, EnvironmentState.FAILED})
deleting = delete_environment.sync(client=client, id=created.id, delete_bootstrap=True)
deleted = poll({EnvironmentState.DELETED, EnvironmentState.FAILED})
missing = get_environment.sync(client=client, id="env-00000000000000000000000000")
print(json.dumps({
    "created": str(created.state), "active": str(active.state), "cluster": active.outputs.cluster_name,
    "tpuDiskSizeGb": active.spec.cluster.tpu_node_pools[0].disk_size_gb,
    "deleting": str(deleting.state), "deleted": str(deleted.state),
    "missing": str(missing.code) if isinstance(missing, Problem) else None,
}))
`;

describe.skipIf(skipReason)('a Python client generated with openapi-python-client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdk-python-'));
  const venv = process.env.SDK_PYTHON_VENV ?? join(dir, 'venv');
  let world: LocalWorld;

  beforeAll(async () => {
    world = await startLocalWorld({ env: { API_TOKEN: TOKEN } });
    if (!process.env.SDK_PYTHON_VENV) {
      await exec('python3', ['-m', 'venv', venv]);
      await exec(join(venv, 'bin', 'pip'), ['install', '--retries', '0', '--timeout', '30', 'install' in source ? source.install : '', 'python-dateutil']);
    }
    writeFileSync(join(dir, 'openapi.yaml'), await (await world.request('/openapi.yaml')).text());
    await exec(join(venv, 'bin', 'openapi-python-client'), [
      'generate', '--path', join(dir, 'openapi.yaml'), '--output-path', join(dir, 'saxenv_client'), '--meta', 'none',
    ]);
  }, 300_000);
  afterAll(async () => {
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates with the smallest body, polls until ACTIVE, deletes until DELETED, and reads a problem', async () => {
    writeFileSync(join(dir, 'script.py'), SCRIPT);
    const spec = { ...SMALLEST_SPEC, name: 'python', saxml: { enabled: false } };
    const { stdout } = await exec(join(venv, 'bin', 'python'), [join(dir, 'script.py'), world.baseUrl, TOKEN, JSON.stringify(spec)], {
      env: { ...process.env, PYTHONPATH: dir },
      timeout: 120_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      created: 'CREATING', active: 'ACTIVE', cluster: 'python-saxml-gke-cluster', tpuDiskSizeGb: 200,
      deleting: 'DELETING', deleted: 'DELETED', missing: 'NOT_FOUND',
    });
  });
});
