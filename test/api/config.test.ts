import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPrices } from '../../api/compose/runtime.js';
import { ConfigError, StartupError, loadConfig } from '../../api/config.js';
import { DEFAULT_PRICES } from '../../api/domain/cost/prices.js';
import { SqliteEnvironmentStore } from '../../api/store/sqlite.js';
import { tableResolver } from '../support/app.js';

describe('loadConfig', () => {
  it('defaults to the local profile on 127.0.0.1:8080 with embedded parts', () => {
    expect(loadConfig({})).toMatchObject({ PROFILE: 'local', PORT: 8080, HOST: '127.0.0.1', DATA_DIR: '.data', SANDBOX_TIME_SCALE: 0.01 });
  });

  it('binds 0.0.0.0 by default in the cloud profile and parses the allow-list', () => {
    const config = loadConfig({
      PROFILE: 'cloud', GOOGLE_CLOUD_PROJECT: 'svc', WORKFLOW_LOCATION: 'us-central1', WORKFLOW_SERVICE_ACCOUNT: 'wf@svc.iam.gserviceaccount.com', RUNTIME_SERVICE_ACCOUNT: 'api@svc.iam.gserviceaccount.com',
      API_AUDIENCE: 'https://x-123.us-central1.run.app, https://x-abc-uc.a.run.app', ALLOWED_PRINCIPALS: 'domain:example.com, my-project-1/user:bob@example.com', PORT: '9090',
      PUBLIC_URL: 'https://x-123.us-central1.run.app',
      NOTIFY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
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
        'PUBLIC_URL: is required',
        'RUNTIME_SERVICE_ACCOUNT: is required',
        expect.stringMatching(/^WORKFLOW_SERVICE_ACCOUNT: must be a service account email/),
        expect.stringMatching(/^ALLOWED_PRINCIPALS\.0: entries look like/),
      ]));
    }
    try {
      loadConfig({ PROFILE: 'cloud', PUBLIC_URL: 'http://x.run.app' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toContain(
        'PUBLIC_URL: must be the https URL Cloud Workflows calls this service at (its Cloud Run URL) (got "http://x.run.app")',
      );
    }
    try {
      loadConfig({ API_TOKEN: 'short' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(['API_TOKEN: must be at least 16 characters (got "<redacted>")']);
    }
  });
});

describe('notification settings', () => {
  const SLACK = 'https://hooks.slack.com/services/T000/B000/CONFIGSECRET';

  it('parse service-wide default targets, with the lifecycle events unless told otherwise', () => {
    const config = loadConfig({ NOTIFY_DEFAULT_TARGETS: JSON.stringify([{ type: 'slack', url: SLACK }]) });
    expect(config.NOTIFY_DEFAULT_TARGETS).toEqual([{ type: 'slack', url: SLACK, events: expect.arrayContaining(['environment.*']) }]);
    expect(loadConfig({}).DELIVERY_INTERVAL_SECONDS).toBe(2);
  });

  it('name every problem with the default targets and the key, never echoing either', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems;
      }
      throw new Error('expected a ConfigError');
    };
    expect(problems({ NOTIFY_DEFAULT_TARGETS: `not json ${SLACK}` })).toEqual([expect.stringMatching(/^NOTIFY_DEFAULT_TARGETS: must be a JSON array like .*\(got "<redacted>"\)$/)]);
    const webhookWithoutSecret = problems({ NOTIFY_DEFAULT_TARGETS: JSON.stringify([{ type: 'webhook', url: 'https://r.example.com/x?k=CONFIGSECRET' }]) });
    expect(webhookWithoutSecret).toEqual([expect.stringMatching(/^NOTIFY_DEFAULT_TARGETS\.0: a default webhook target needs its "secret"/)]);
    const shortKey = problems({ NOTIFY_ENCRYPTION_KEY: Buffer.alloc(16, 1).toString('base64') });
    expect(shortKey).toEqual(['NOTIFY_ENCRYPTION_KEY: must be the base64 of 32 random bytes (openssl rand -base64 32) (got "<redacted>")']);
    for (const lines of [webhookWithoutSecret, shortKey]) expect(lines.join('\n')).not.toMatch(/CONFIGSECRET|AQEB/);
  });

  it('require the key in the cloud profile', () => {
    const cloud = { PROFILE: 'cloud', GOOGLE_CLOUD_PROJECT: 'svc', WORKFLOW_LOCATION: 'us-central1', WORKFLOW_SERVICE_ACCOUNT: 'wf@svc.iam.gserviceaccount.com', RUNTIME_SERVICE_ACCOUNT: 'api@svc.iam.gserviceaccount.com', API_AUDIENCE: 'https://x.run.app', PUBLIC_URL: 'https://x.run.app', ALLOWED_PRINCIPALS: 'domain:example.com' };
    expect(() => loadConfig(cloud)).toThrow(/NOTIFY_ENCRYPTION_KEY: is required/);
    expect(loadConfig({ ...cloud, NOTIFY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') }).DELIVERY_INTERVAL_SECONDS).toBe(0);
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

  it('a default target whose URL is refused is one line naming its position, not the URL, and exit 1', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'default-target-'));
    try {
      const result = start({ PORT: '0', DATA_DIR: dataDir, NOTIFY_DEFAULT_TARGETS: JSON.stringify([{ type: 'slack', url: 'http://hooks.slack.com/services/T/B/CONFIGSECRET' }]) });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe('NOTIFY_DEFAULT_TARGETS[0].url must use https');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps the local notification key in DATA_DIR, readable by its owner only', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'notify-key-'));
    try {
      const { buildRuntime } = await import('../../api/compose/index.js');
      const { createLogger } = await import('../../api/logger.js');
      const logger = createLogger({ sink: () => {} });
      // DNS from an empty table: nothing is looked up for real.
      const options = { resolver: tableResolver() };
      const runtime = await buildRuntime(loadConfig({ PORT: '0', DATA_DIR: dataDir }), logger, options);
      const sealed = runtime.deps.notify.seal([{ type: 'slack', url: 'https://hooks.slack.com/services/T/B/KEPT', events: ['*'] }]).targets[0]!;
      await runtime.close();
      const { statSync } = await import('node:fs');
      expect(statSync(join(dataDir, 'notify-encryption.key')).mode & 0o777).toBe(0o600);
      // The next start opens what the previous one sealed: a delivery to it reaches the sending stage.
      const again = await buildRuntime(loadConfig({ PORT: '0', DATA_DIR: dataDir }), logger, options);
      const result = await again.deps.notify.send({
        id: 'dlv-0000000001-t1', environmentId: 'env-1', event: { seq: 1, type: 'environment.active' }, target: { id: 't1', type: 'slack', url: sealed.url },
        sealedTarget: sealed.sealed, body: '{}', state: 'PENDING', attempts: [], redelivery: false, scheduleStart: new Date().toISOString(), createTime: new Date().toISOString(),
      });
      await again.close();
      // Opened, then stopped by the (empty) DNS table: not "cannot be read".
      expect(result).toMatchObject({ outcome: 'retry', error: 'not sent: the URL hooks.slack.com does not resolve' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
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

describe('PRICES_FILE', () => {
  it('replaces the price table with a file of the same shape, and stops with one line when the file is not one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    try {
      const good = join(dir, 'good.json');
      const table = structuredClone(DEFAULT_PRICES);
      table.families.gke.clusterManagementFee = 0.2;
      writeFileSync(good, JSON.stringify(table));
      expect(readPrices(good).families.gke.clusterManagementFee).toBe(0.2);

      const noSource = join(dir, 'no-source.json');
      const { source: _source, ...gke } = table.families.gke;
      writeFileSync(noSource, JSON.stringify({ ...table, families: { ...table.families, gke } }));
      expect(() => readPrices(noSource)).toThrow(StartupError);
      expect(() => readPrices(noSource)).toThrow(/PRICES_FILE .*no-source\.json is not a price table: families\.gke\.source/);

      const notJson = join(dir, 'not-json.json');
      writeFileSync(notJson, '{');
      expect(() => readPrices(notJson)).toThrow(/cannot be read as JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
