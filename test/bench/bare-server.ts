import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** The baseline: a bare Hono app answering a fixed JSON, started the same way as our server. */
const app = new Hono();
const body = { id: 'env-01jd8m3q4b5c6d7e8f9g0h1j2k', state: 'ACTIVE', name: 'demo' };
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.get('/fixed', (c) => c.json(body));
app.post('/fixed', (c) => c.json(body));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
