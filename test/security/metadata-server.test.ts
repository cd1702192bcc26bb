import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { GoogleAuth } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { post } from '../../api/notify/http-post.js';

/**
 * Nothing may contact Google's metadata server (169.254.169.254, metadata.google.internal): the
 * only mentions in the service are the notification URL rules that refuse it
 * (api/notify/url-safety.ts). The test setup arms a tripwire in every test process and its
 * children (test/support/metadata-tripwire.cjs) and fails any test that attempts it; these tests
 * prove the tripwire catches what would otherwise have gone out.
 */
const { attempts } = createRequire(import.meta.url)('../support/metadata-tripwire.cjs') as { attempts: string[] };

describe('the metadata server tripwire', () => {
  it('refuses a connection to its address and a lookup of its name before anything is sent, and records both', async () => {
    await expect(fetch('http://169.254.169.254/computeMetadata/v1/')).rejects.toMatchObject({ cause: { code: 'EMETADATATRIPWIRE' } });
    await expect(fetch('http://metadata.google.internal/computeMetadata/v1/')).rejects.toMatchObject({ cause: { code: 'EMETADATATRIPWIRE' } });
    const { lookup } = await import('node:dns/promises');
    await expect(lookup('metadata.google.internal')).rejects.toMatchObject({ code: 'EMETADATATRIPWIRE' });
    // Taken so that the setup's check after this test passes: these attempts were the test's own.
    expect(attempts.splice(0)).toEqual([
      'connection to 169.254.169.254', 'connection to metadata.google.internal', 'DNS lookup of metadata.google.internal',
    ]);
  });

  it('refuses a name that only resolves to it — a numeric host, or a lookup that pins its address — before connecting', async () => {
    // getaddrinfo reads 2852039166 as 169.254.169.254 without asking anyone: judged by what it resolves to.
    const { lookup } = await import('node:dns/promises');
    await expect(lookup('2852039166')).rejects.toMatchObject({ code: 'EMETADATATRIPWIRE' });
    // The notifier connects to the addresses it checked, through a lookup that answers only those
    // (http-post.ts): were one the metadata server's, the connection would be refused all the same.
    await expect(post(new URL('https://receiver.example.com/hook'), '{}', {}, { addresses: ['169.254.169.254'], timeoutMs: 5_000, maxResponseBytes: 1024 }))
      .rejects.toThrow(/EMETADATATRIPWIRE|metadata server/);
    expect(attempts.splice(0)).toEqual([
      'DNS lookup of 2852039166 (169.254.169.254)', 'connection to receiver.example.com (169.254.169.254)',
    ]);
  });

  it('catches Google’s auth library when it goes looking for the metadata server (which the setup forbids it to)', async () => {
    expect(process.env.METADATA_SERVER_DETECTION).toBe('none');
    // As the setup leaves it: no credentials, no detection — nothing is attempted.
    await expect(new GoogleAuth().getAccessToken()).rejects.toThrow(/default credentials/i);
    expect(attempts).toEqual([]);
    // Told the metadata server is there, the library calls it: the tripwire stops the call.
    process.env.METADATA_SERVER_DETECTION = 'assume-present';
    try {
      await expect(new GoogleAuth().getAccessToken()).rejects.toThrow();
    } finally {
      process.env.METADATA_SERVER_DETECTION = 'none';
    }
    expect(attempts.splice(0).length).toBeGreaterThan(0);
  });

  it('is armed in the processes tests start too', () => {
    const child = spawnSync(process.execPath, ['-e', "fetch('http://169.254.169.254/').catch((e) => { console.log(e.cause.code); process.exit(3); })"], { encoding: 'utf8' });
    expect(child.status).toBe(3);
    expect(child.stdout.trim()).toBe('EMETADATATRIPWIRE');
  });
});
