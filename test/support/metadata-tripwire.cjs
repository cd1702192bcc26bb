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

/**
 * `lookup` (dns.lookup's signature, with or without `all`), answering as before unless an address
 * it found is the metadata server's: then the error that refuses it. Names that only resolve there
 * (a numeric host like 2852039166, a DNS alias, a `lookup` that pins an address) are caught by
 * what they resolve to.
 */
const GUARDED = Symbol('metadata tripwire');
function guarded(lookup) {
  if (lookup[GUARDED]) return lookup;
  const wrapped = function (hostname, options, callback) {
    const done = typeof options === 'function' ? options : callback;
    const answer = (error, address, family) => {
      if (error) return done(error);
      const found = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      const metadata = found.find(isMetadata);
      if (metadata !== undefined) return done(refusal('connection to', `${hostname} (${metadata})`));
      return done(null, address, family);
    };
    return typeof options === 'function' ? lookup.call(this, hostname, answer) : lookup.call(this, hostname, options, answer);
  };
  wrapped[GUARDED] = true;
  return wrapped;
}

const lookup = dns.lookup;
dns.lookup = guarded(function (hostname, ...rest) {
  if (isMetadata(hostname)) throw refusal('DNS lookup of', hostname);
  return lookup.call(this, hostname, ...rest);
});
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = async function (hostname, ...rest) {
  if (isMetadata(hostname)) throw refusal('DNS lookup of', hostname);
  const result = await lookupPromise.call(this, hostname, ...rest);
  const metadata = (Array.isArray(result) ? result : [result]).map((entry) => entry.address).find(isMetadata);
  if (metadata !== undefined) throw refusal('DNS lookup of', `${hostname} (${metadata})`);
  return result;
};

// Every TCP and TLS client connection (http, https, fetch/undici, gRPC) ends in Socket#connect: an
// address host is judged as it is, a name by every address its lookup (the caller's own, or DNS)
// answers, before the socket connects to it.
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const [first, second] = args;
  // connect(port[, host][, listener]) becomes connect(options[, listener]); connect(path) is IPC.
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const host = typeof second === 'string' ? second : 'localhost';
    args = [{ port: first, host }, ...args.slice(typeof second === 'string' ? 2 : 1)];
  }
  const options = Array.isArray(args[0]) ? args[0][0] : args[0];
  // Options may carry `path` (http's request path rides along): net ignores `lookup` for IPC paths.
  if (typeof options === 'object' && options !== null) {
    if (isMetadata(options.host)) throw refusal('connection to', options.host);
    options.lookup = guarded(options.lookup ?? dns.lookup);
  }
  return connect.apply(this, args);
};
// ES modules that imported `lookup` by name see the wrapped functions too.
require('node:module').syncBuiltinESMExports();

module.exports = { attempts };
