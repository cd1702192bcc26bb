'use strict';
// A tripwire for every test process and every process a test starts (loaded by setup.ts and,
// through NODE_OPTIONS, by their children): an attempt to reach Google's metadata server — a
// connection to its address or name, or a DNS lookup of its name — throws before any packet is
// sent, and is recorded so that setup.ts fails the test that made it even when the caller
// swallowed the error (google-auth-library's metadata detection does).
//
// Plain CommonJS on purpose: `node --require` loads it into child processes (the built server, the
// CLI, `npm start` under tsx) without a TypeScript loader.
const net = require('node:net');
const dns = require('node:dns');

const NAMES = new Set(['metadata.google.internal', 'metadata.google.internal.', 'metadata']);
// 169.254.169.254 as IPv4, IPv4-mapped IPv6, and Google's IPv6 metadata address.
const ADDRESSES = new Set(['169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fd20:ce::254']);

const isMetadata = (host) => typeof host === 'string' && (NAMES.has(host.toLowerCase()) || ADDRESSES.has(host.replace(/^\[|\]$/g, '').toLowerCase()));

/** What was attempted, oldest first (setup.ts reads and clears it after each test). */
const attempts = [];

/** Records the attempt and returns the error that refuses it. */
function refusal(what, host) {
  attempts.push(`${what} ${host}`);
  const message = `test tripwire: ${what} ${host} refused — nothing may contact the metadata server`;
  process.emitWarning(message);
  return Object.assign(new Error(message), { code: 'EMETADATATRIPWIRE' });
}

// Every TCP and TLS client connection (http, https, fetch/undici, gRPC) ends in Socket#connect.
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const [first, second] = args;
  const options = Array.isArray(first) ? first[0] : first;
  const host = typeof options === 'object' && options !== null ? options.host : second;
  if (isMetadata(host)) throw refusal('connection to', host);
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  if (isMetadata(hostname)) throw refusal('DNS lookup of', hostname);
  return lookup.call(this, hostname, ...rest);
};
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = function (hostname, ...rest) {
  if (isMetadata(hostname)) return Promise.reject(refusal('DNS lookup of', hostname));
  return lookupPromise.call(this, hostname, ...rest);
};
// ES modules that imported `lookup` by name see the wrapped functions too.
require('node:module').syncBuiltinESMExports();

module.exports = { attempts };
