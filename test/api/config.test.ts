import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/config.js';
import { SqliteEnvironmentStore } from '../../api/store/sqlite.js';

describe('loadConfig', () => {
  it('defaults to the local profile on 127.0.0.1:8080 with embedded parts', () => {
    expect(loadConfig({})).toMatchObject({ PROFILE: 'local', PORT: 8080, HOST: '127.0.0.1', DATA_DIR: '.data', SANDBOX_TIME_SCALE: 0.01 });
  });

  it('binds 0.0.0.0 by default in the cloud profile and parses the allow-list', () => {
    const config = loadConfig({
      PROFILE: 'cloud', GOOGLE_CLOUD_PROJECT: 'svc', WORKFLOW_LOCATION: 'us-central1', WORKFLOW_SERVICE_ACCOUNT: 'wf@svc.iam.gserviceaccount.com',
      API_AUDIENCE: 'https://x-123.us-central1.run.app, https://x-abc-uc.a.run.app', ALLOWED_PRINCIPALS: 'domain:example.com, my-project-1/user:bob@example.com', PORT: '9090',
    });
    expect(config).toMatchObject({
      HOST: '0.0.0.0', PORT: 9090, ALLOWED_PRINCIPALS: ['domain:example.com', 'my-project-1/user:bob@example.com'],
      // Both URLs Cloud Run serves the service at.
      API_AUDIENCE: ['https://x-123.us-central1.run.app', 'https://x-abc-uc.a.run.app'],
    });
  });

  it('lists every problem, one line each, without echoing secrets', () => {
    try {
      loadConfig({ PROFILE: 'cloud', PORT: 'eighty', ALLOWED_PRINCIPALS: 'bob', WORKFLOW_SERVICE_ACCOUNT: 'nope' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toEqual(expect.arrayContaining([
        'PORT: must be a number (got "eighty")',
        'GOOGLE_CLOUD_PROJECT: is required',
        'WORKFLOW_LOCATION: is required',
        'API_AUDIENCE: is required',
        expect.stringMatching(/^WORKFLOW_SERVICE_ACCOUNT: must be a service account email/),
        expect.stringMatching(/^ALLOWED_PRINCIPALS\.0: entries look like/),
      ]));
    }
    try {
      loadConfig({ API_TOKEN: 'short' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(['API_TOKEN: must be at least 16 characters (got "<redacted>")']);
    }
  });
});

describe('server start-up', () => {
  const start = (env: Record<string, string>) => spawnSync(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    env: { PATH: process.env.PATH, PROFILE: 'local', METADATA_SERVER_DETECTION: 'none', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });

  it('SANDBOX_TIME_SCALE must be greater than 0', () => {
    const result = start({ SANDBOX_TIME_SCALE: '0' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('invalid configuration:\n  SANDBOX_TIME_SCALE: must be greater than 0 (got "0")');
  });

  it('a port already in use is one readable line and exit 1', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    const dataDir = mkdtempSync(join(tmpdir(), 'port-taken-'));
    try {
      const result = start({ PORT: String(port), DATA_DIR: dataDir });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(`port ${port} on 127.0.0.1 is already in use: stop the other process or set PORT`);
    } finally {
      holder.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a DATA_DIR that cannot be used is one readable line and exit 1', () => {
    const parent = mkdtempSync(join(tmpdir(), 'data-file-'));
    const notAFolder = join(parent, 'file');
    writeFileSync(notAFolder, 'not a folder');
    try {
      const result = start({ PORT: '0', DATA_DIR: notAFolder });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toMatch(new RegExp(`^DATA_DIR ${notAFolder} cannot be used \\((ENOTDIR|EEXIST)\\): it must be a folder this process can write; set DATA_DIR to one$`));
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('exits with code 1 and one readable line per problem when the configuration is invalid', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      env: { PATH: process.env.PATH, PROFILE: 'local', PORT: '-1', SANDBOX_TIME_SCALE: 'fast', METADATA_SERVER_DETECTION: 'none' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT:');
    expect(result.stderr).toContain('SANDBOX_TIME_SCALE: must be a number (got "fast")');
    expect(result.stderr).not.toContain('    at ');
  });

  it('exits with code 1 and one readable line when another process owns the data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'owned-data-'));
    const owner = new SqliteEnvironmentStore({ path: join(dataDir, 'environments.sqlite') });
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
        env: { PATH: process.env.PATH, PROFILE: 'local', PORT: '0', DATA_DIR: dataDir, METADATA_SERVER_DETECTION: 'none' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(`${join(dataDir, 'environments.sqlite')} is in use by another process: one service at a time may own a data folder (DATA_DIR)`);
    } finally {
      await owner.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
