import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * The baseline: a bare Hono app answering a fixed JSON, built and started the same way as our
 * server (one script run through V8 with its code cache). `BARE_BODY` (JSON) makes it answer that
 * body instead — our environment's, to separate the cost of the payload from ours.
 * bare-libs-server.ts is the same app loading the mandated libraries first.
 */
const app = new Hono();
const body: unknown = process.env.BARE_BODY ? JSON.parse(process.env.BARE_BODY) : { id: 'env-01jd8m3q4b5c6d7e8f9g0h1j2k', state: 'ACTIVE', name: 'demo' };
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.get('/fixed', (c) => c.json(body as object));
app.post('/fixed', (c) => c.json(body as object));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
