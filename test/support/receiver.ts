import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A notification receiver on the loopback interface: records every request and answers as told
 * (by default 200). `waitFor(n)` resolves once n requests have arrived — no sleeping, no polling.
 */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string };
/** An answer, or a handler that writes the response itself (to hang, stream, …). */
export type Responder = (request: Received, res: ServerResponse) => Answer | 'handled';

export interface Receiver {
  host: string;
  port: number;
  url(path?: string): string;
  received: Received[];
  respond(responder: Responder): void;
  waitFor(count: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(options: { host?: string; port?: number } = {}): Promise<Receiver> {
  const host = options.host ?? '127.0.0.1';
  const received: Received[] = [];
  const waiters: { count: number; resolve: (r: Received[]) => void }[] = [];
  let responder: Responder = () => ({ status: 200, body: 'ok' });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: Received = {
        path: req.url ?? '/',
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? ''])),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      for (const w of [...waiters]) if (received.length >= w.count) { waiters.splice(waiters.indexOf(w), 1); w.resolve([...received]); }
      const answer = responder(request, res);
      if (answer === 'handled') return;
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host,
    port,
    url: (path = '/hook') => `http://${host}:${port}${path}`,
    received,
    respond: (next) => { responder = next; },
    waitFor: (count) => (received.length >= count ? Promise.resolve([...received]) : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Verifies a delivery with the `standardwebhooks` library, as a receiver would; returns the payload. */
export function verified(secret: string, request: Received): unknown {
  return new Webhook(secret).verify(request.body, request.headers);
}

/**
 * The signature check alone, for tests that move the sender's clock hours ahead (the library's
 * verify also refuses timestamps more than 5 minutes from the receiver's clock); returns the payload.
 */
export function signedPayload(secret: string, request: Received): unknown {
  const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = request.headers;
  const expected = new Webhook(secret).sign(id!, new Date(Number(timestamp) * 1000), request.body);
  if (signature !== expected) throw new Error(`signature ${signature} is not ${expected}`);
  return JSON.parse(request.body);
}
