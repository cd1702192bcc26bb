import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import type { TargetType } from '../domain/notifications/targets.js';

/**
 * The service must never become a way to reach what it should not: a notification URL is
 * checked when it is registered and again before every send, and the connection goes to the
 * address that was checked (http-post.ts), so DNS cannot change the answer in between.
 *
 * Rules: https on the default port, a DNS name (no IP literal, no credentials), not a name that
 * only exists inside a network (`localhost`, `*.internal` — which includes
 * `metadata.google.internal` — `*.local`, single labels), and every address the name resolves
 * to is public unicast: not loopback, private, link-local (the metadata server 169.254.169.254),
 * carrier-grade NAT, multicast, reserved, or an IPv6 form of those (IPv4-mapped, NAT64, 6to4,
 * Teredo, unique local…). Address ranges come from ipaddr.js (`range()`), a maintained library.
 * Slack targets must be Slack's incoming-webhook hosts.
 *
 * The local profile (and only it) also accepts loopback targets — `http://127.0.0.1:<port>`,
 * `localhost`, `[::1]` — so that tests and receivers on the laptop work.
 */

export interface UrlPolicy {
  /** Local profile: loopback targets (any scheme and port) are allowed. */
  allowLoopback: boolean;
}

/** Resolves a host name to its addresses (node's dns.lookup in production; tests pass a table). */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export class UnsafeUrlError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnsafeUrlError';
  }
}

const SLACK_HOSTS = new Set(['hooks.slack.com', 'hooks.slack-gov.com']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local (this includes the metadata server 169.254.169.254)',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  private: 'private (RFC 1918)',
  reserved: 'reserved',
  as112: 'reserved (AS112)',
  amt: 'reserved (AMT)',
  uniqueLocal: 'unique local (fc00::/7)',
  ipv4Mapped: 'IPv4-mapped',
  deprecatedSiteLocal: 'site-local (fec0::/10)',
  discard: 'discard-only (100::/64)',
  rfc6145: 'IPv4-translated (RFC 6145)',
  rfc6052: 'NAT64 (64:ff9b::/96)',
  '6to4': '6to4 (2002::/16)',
  teredo: 'Teredo (2001::/32)',
  benchmarking: 'benchmarking',
  as112v6: 'reserved (AS112)',
  deprecatedOrchid: 'ORCHID',
  orchid2: 'ORCHIDv2',
  droneRemoteIdProtocolEntityTags: 'reserved (DRIP)',
  segmentRouting: 'segment routing (5f00::/16)',
};

/**
 * Why an address may not be contacted ("a private (RFC 1918) address"), or undefined when it is
 * public unicast. IPv4-mapped IPv6 addresses are judged by the IPv4 address they carry.
 */
export function addressProblem(text: string): string | undefined {
  if (!ipaddr.isValid(text)) return 'not an IP address';
  let address = ipaddr.parse(text);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  const range = address.range();
  return range === 'unicast' ? undefined : `a ${RANGE_NAMES[range] ?? range} address`;
}

const isLoopbackHost = (hostname: string) => LOOPBACK_NAMES.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);

/** The URL, parsed, if its form is allowed (no DNS yet); UnsafeUrlError naming the rule otherwise. */
export function checkUrlForm(raw: string, type: TargetType, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('is not a URL');
  }
  if (url.username || url.password) throw new UnsafeUrlError('must not contain credentials (user:password@)');
  if (url.hash) throw new UnsafeUrlError('must not contain a #fragment');
  const host = url.hostname.toLowerCase();
  if (isLoopbackHost(host)) {
    if (policy.allowLoopback && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
    throw new UnsafeUrlError(`must not point at this machine (${host}); loopback targets are allowed only in the local profile`);
  }
  if (url.protocol !== 'https:') throw new UnsafeUrlError('must use https');
  if (url.port) throw new UnsafeUrlError(`must use the default https port, not ${url.port}`);
  // The WHATWG parser has already turned forms like 2130706433 or 0x7f.1 into dotted addresses.
  if (ipaddr.isValid(host.replace(/^\[|\]$/g, ''))) throw new UnsafeUrlError('must name a host, not an IP address');
  if (!host.includes('.') || host.endsWith('.')) throw new UnsafeUrlError(`${host} is not a fully qualified public host name`);
  if (/(^|\.)(localhost|internal|local)$/.test(host)) throw new UnsafeUrlError(`${host} is a name of an internal network`);
  if (type === 'slack' && !SLACK_HOSTS.has(host)) throw new UnsafeUrlError(`a Slack target must be a Slack incoming-webhook URL (https://hooks.slack.com/…), not ${host}`);
  return url;
}

/**
 * The addresses a checked URL's host may be contacted at: all of them must be allowed (an
 * attacker controls which one a client picks). Loopback URLs of the local profile resolve to
 * loopback addresses only.
 */
export async function resolveChecked(url: URL, policy: UrlPolicy, resolver: Resolver): Promise<string[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = policy.allowLoopback && isLoopbackHost(url.hostname.toLowerCase());
  let addresses: string[];
  if (ipaddr.isValid(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await resolver(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UnsafeUrlError(code === 'ENOTFOUND' || code === 'ENODATA' ? `${host} does not resolve` : `${host} could not be resolved (${code ?? 'DNS error'})`);
    }
  }
  if (!addresses.length) throw new UnsafeUrlError(`${host} does not resolve`);
  for (const address of addresses) {
    if (loopback) {
      if (ipaddr.parse(address).range() !== 'loopback') throw new UnsafeUrlError(`${host} resolves to ${address}, which is not loopback`);
      continue;
    }
    const problem = addressProblem(address);
    if (problem) throw new UnsafeUrlError(`${host} resolves to ${address}, ${problem}`);
  }
  return addresses;
}

/** Registration and send time alike: the form, then every resolved address. */
export async function checkUrl(raw: string, type: TargetType, policy: UrlPolicy, resolver: Resolver): Promise<{ url: URL; addresses: string[] }> {
  const url = checkUrlForm(raw, type, policy);
  return { url, addresses: await resolveChecked(url, policy, resolver) };
}
