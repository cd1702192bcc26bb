import { describe, expect, it } from 'vitest';
import { UnsafeUrlError, addressProblem, checkUrl, checkUrlForm, type UrlPolicy } from '../../../api/notify/url-safety.js';
import { tableResolver } from '../../support/app.js';

/**
 * The URL rules, as tables. Nothing here sends a packet: DNS answers come from a table and no
 * connection is made (sending is tested against receivers on 127.0.0.1).
 */

const CLOUD: UrlPolicy = { allowLoopback: false };
const LOCAL: UrlPolicy = { allowLoopback: true };

/** One address of every range a target may not resolve to, with the range's name in the reason. */
const BLOCKED: [address: string, reason: RegExp][] = [
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['10.0.0.1', /private/],
  ['10.255.255.255', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.254', /private/],
  ['192.168.1.1', /private/],
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['169.254.169.254', /link-local \(this includes the metadata server/],
  ['169.254.0.1', /link-local/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.127.255.254', /carrier-grade NAT/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['240.0.0.1', /reserved/],
  ['192.0.0.8', /reserved/],
  ['192.0.2.1', /reserved/],
  ['198.18.0.1', /reserved/],
  ['198.51.100.1', /reserved/],
  ['203.0.113.1', /reserved/],
  ['192.88.99.1', /reserved/],
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['fe80::1', /link-local/],
  ['fc00::1', /unique local/],
  ['fd00:ec2::254', /unique local/],
  ['fd20:ce::254', /unique local/],
  ['ff02::1', /multicast/],
  ['fec0::1', /site-local/],
  ['64:ff9b::a9fe:a9fe', /NAT64/],
  ['64:ff9b::808:808', /NAT64/],
  ['64:ff9b:1::1', /NAT64/],
  ['2002:a00:1::1', /6to4/],
  ['2001:0:4136:e378::1', /Teredo/],
  ['2001:db8::1', /reserved/],
  ['100::1', /discard/],
  ['::ffff:0:a00:1', /IPv4-translated/],
  // IPv4-mapped IPv6 is judged by the IPv4 address it carries.
  ['::ffff:127.0.0.1', /loopback/],
  ['::ffff:10.0.0.1', /private/],
  ['::ffff:169.254.169.254', /link-local/],
  ['::ffff:100.64.0.1', /carrier-grade NAT/],
];
const ALLOWED = ['8.8.8.8', '1.1.1.1', '34.117.59.81', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '::ffff:8.8.8.8'];

describe('addresses a target may resolve to', () => {
  it.each(BLOCKED)('refuses %s', (address, reason) => {
    expect(addressProblem(address)).toMatch(reason);
  });

  it.each(ALLOWED)('allows public unicast %s', (address) => {
    expect(addressProblem(address)).toBeUndefined();
  });
});

describe('the form of a target URL', () => {
  const refused: [url: string, type: 'webhook' | 'slack', reason: RegExp][] = [
    ['http://receiver.example.com/hook', 'webhook', /must use https/],
    ['ftp://receiver.example.com/hook', 'webhook', /must use https/],
    ['https://user:pass@receiver.example.com/hook', 'webhook', /must not contain credentials/],
    ['https://token@receiver.example.com/hook', 'webhook', /must not contain credentials/],
    ['https://receiver.example.com:8443/hook', 'webhook', /default https port, not 8443/],
    ['https://receiver.example.com/hook#x', 'webhook', /fragment/],
    ['https://93.184.216.34/hook', 'webhook', /not an IP address/],
    ['https://[2606:4700::1]/hook', 'webhook', /not an IP address/],
    ['https://2130706433/hook', 'webhook', /this machine|not an IP address/],
    ['https://0x7f.1/hook', 'webhook', /this machine|not an IP address/],
    ['https://[::ffff:127.0.0.1]/hook', 'webhook', /not an IP address/],
    ['https://localhost/hook', 'webhook', /this machine/],
    ['http://127.0.0.1:8080/hook', 'webhook', /loopback targets are allowed only in the local profile/],
    ['https://metadata.google.internal/computeMetadata/v1/', 'webhook', /internal network/],
    ['https://metadata/computeMetadata/v1/', 'webhook', /not a fully qualified public host name/],
    ['https://printer.local/hook', 'webhook', /internal network/],
    ['https://app.localhost/hook', 'webhook', /internal network/],
    ['https://receiver.example.com./hook', 'webhook', /fully qualified/],
    ['not a url', 'webhook', /is not a URL/],
    ['https://receiver.example.com/services/T/B/x', 'slack', /Slack incoming-webhook URL/],
    ['https://hooks.slack.com.evil.example/services/T/B/x', 'slack', /Slack incoming-webhook URL/],
  ];

  it.each(refused)('refuses %s (%s)', (url, type, reason) => {
    expect(() => checkUrlForm(url, type, CLOUD)).toThrow(reason);
  });

  it('accepts https on the default port, and Slack only on its hosts', () => {
    expect(checkUrlForm('https://receiver.example.com/hook?x=1', 'webhook', CLOUD).hostname).toBe('receiver.example.com');
    expect(checkUrlForm('https://receiver.example.com:443/hook', 'webhook', CLOUD).port).toBe('');
    expect(checkUrlForm('https://hooks.slack.com/services/T000/B000/XXXX', 'slack', CLOUD).hostname).toBe('hooks.slack.com');
    expect(checkUrlForm('https://hooks.slack-gov.com/services/T000/B000/XXXX', 'slack', CLOUD).hostname).toBe('hooks.slack-gov.com');
  });

  it('accepts loopback targets, plain http and any port, only in the local profile', () => {
    for (const url of ['http://127.0.0.1:4000/hook', 'http://localhost:4000/hook', 'http://[::1]:4000/hook', 'https://127.0.0.1:8443/']) {
      expect(checkUrlForm(url, 'webhook', LOCAL).href).toBe(new URL(url).href);
      expect(() => checkUrlForm(url, 'webhook', CLOUD)).toThrow(/only in the local profile/);
    }
    // The exception is for loopback only: everything else follows the cloud's rules.
    expect(() => checkUrlForm('http://receiver.example.com/hook', 'webhook', LOCAL)).toThrow(/must use https/);
    expect(() => checkUrlForm('https://10.0.0.1/hook', 'webhook', LOCAL)).toThrow(/not an IP address/);
  });
});

describe('the metadata server', () => {
  // Every spelling of Google's metadata server a caller might try: refused by the URL's form alone,
  // so the service never even asks DNS about it (nor, therefore, connects), in either profile.
  const SPELLINGS = [
    'https://169.254.169.254/computeMetadata/v1/',
    'https://2852039166/computeMetadata/v1/',
    'https://0xa9fea9fe/computeMetadata/v1/',
    'https://169.254.43518/computeMetadata/v1/',
    'https://[::ffff:169.254.169.254]/computeMetadata/v1/',
    'https://[::ffff:a9fe:a9fe]/computeMetadata/v1/',
    'https://[fd20:ce::254]/computeMetadata/v1/',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://METADATA.GOOGLE.INTERNAL/computeMetadata/v1/',
    'https://metadata.google.internal./computeMetadata/v1/',
    'https://metadata.google.internal:443/computeMetadata/v1/',
    'https://metadata/computeMetadata/v1/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://169.254.169.254/computeMetadata/v1/',
  ];

  it('is refused in every spelling before any DNS lookup, in both profiles', async () => {
    const asked: string[] = [];
    const recording = async (hostname: string) => {
      asked.push(hostname);
      return ['93.184.216.34'];
    };
    for (const policy of [CLOUD, LOCAL]) {
      for (const url of SPELLINGS) {
        await expect(checkUrl(url, 'webhook', policy, recording), url).rejects.toBeInstanceOf(UnsafeUrlError);
      }
    }
    expect(asked).toEqual([]);
  });
});

describe('resolution', () => {
  const resolver = tableResolver({
    'public.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'mixed.example.com': ['93.184.216.34', '10.0.0.7'],
    'metadata-alias.example.com': ['169.254.169.254'],
    'mapped.example.com': ['::ffff:192.168.0.1'],
    'localhost': ['127.0.0.1', '::1'],
    'rebound.localhost.example.com': ['127.0.0.1'],
  });

  it('returns every address when all are public', async () => {
    expect((await checkUrl('https://public.example.com/hook', 'webhook', CLOUD, resolver)).addresses).toEqual(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
  });

  it('refuses a host when any one of its addresses is not public (a client may pick any)', async () => {
    await expect(checkUrl('https://mixed.example.com/hook', 'webhook', CLOUD, resolver)).rejects.toThrow('mixed.example.com resolves to 10.0.0.7, a private (RFC 1918) address');
    await expect(checkUrl('https://metadata-alias.example.com/', 'webhook', CLOUD, resolver)).rejects.toThrow(/169\.254\.169\.254, a link-local/);
    await expect(checkUrl('https://mapped.example.com/', 'webhook', CLOUD, resolver)).rejects.toThrow(/private/);
    await expect(checkUrl('https://rebound.localhost.example.com/', 'webhook', CLOUD, resolver)).rejects.toThrow(/loopback/);
  });

  it('says when a name does not resolve', async () => {
    await expect(checkUrl('https://nowhere.example.com/', 'webhook', CLOUD, resolver)).rejects.toThrow('nowhere.example.com does not resolve');
  });

  it('lets local loopback names resolve to loopback addresses only', async () => {
    expect((await checkUrl('http://localhost:4000/', 'webhook', LOCAL, resolver)).addresses).toEqual(['127.0.0.1', '::1']);
    const evil = tableResolver({ localhost: ['93.184.216.34'] });
    await expect(checkUrl('http://localhost:4000/', 'webhook', LOCAL, evil)).rejects.toThrow('localhost resolves to 93.184.216.34, which is not loopback');
  });
});
