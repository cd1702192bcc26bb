import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/**
 * One POST to a notification target, as the URL rules require (url-safety.ts): the socket
 * connects to an address that was checked (a `lookup` that answers only checked addresses, so
 * there is no second DNS answer to exploit), TLS still verifies the host name, redirects are not
 * followed (node's http client never follows them), the whole exchange is bounded by a timeout,
 * and at most `maxResponseBytes` of the answer are read.
 */

export interface PostResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** The start of the response body (at most maxResponseBytes), as text. */
  body: string;
}

export interface PostOptions {
  /** Addresses the host may be contacted at, already checked; the first one is used. */
  addresses: string[];
  timeoutMs: number;
  maxResponseBytes: number;
}

/** A network failure described without the URL (which may carry a credential). */
export class PostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostError';
  }
}

/** Answers every lookup of the target's host with the checked address (net calls it with or without `all`). */
function checkedLookup(addresses: string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  }) as LookupFunction;
}

function describe(error: NodeJS.ErrnoException, timeoutMs: number): string {
  if (error.name === 'AbortError' || error.code === 'ABORT_ERR') return `no answer within ${timeoutMs / 1000} s`;
  switch (error.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return 'host unreachable';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `TLS certificate not accepted (${error.code})`;
    default: return `network error (${error.code ?? error.name})`;
  }
}

export function post(url: URL, body: string, headers: Record<string, string>, options: PostOptions): Promise<PostResult> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(options.timeoutMs);
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => reject(new PostError(describe(signal.aborted ? Object.assign(new Error('aborted'), { name: 'AbortError' }) : error, options.timeoutMs)));
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: checkedLookup(options.addresses),
      agent: false,
      signal,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, options.maxResponseBytes).toString('utf8') });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Enough to classify the answer: the rest is not read (a receiver cannot make us buffer it).
        if (size >= options.maxResponseBytes) done();
      });
      res.on('end', done);
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}
