import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { NotificationSpec } from '../../api/domain/notifications/targets.js';
import { buildTestApp, json, tableResolver, testNotifier } from '../support/app.js';
import { environmentOf, jsonOf, problemOf, type Schemas } from '../support/bodies.js';
import { dataOf, typedClient } from '../support/client.js';
import { body } from '../support/fixtures.js';

/**
 * Notification targets through the public API: registration (URL safety, 422s), what responses
 * show (redacted URLs, the signing secret once), what is stored (sealed), and reading events
 * incrementally. Sending is tested in test/integration/notify.
 */

const SLACK = 'https://hooks.slack.com/services/T000/B000/SLACKSECRETPART';
const HOOK = 'https://receiver.example.com/hooks/saxml?token=HOOKSECRETPART';
const PUBLIC_DNS = { 'receiver.example.com': ['93.184.216.34'], 'hooks.slack.com': ['34.236.30.200'], 'internal.example.com': ['10.1.2.3'] };

/** The app with DNS from PUBLIC_DNS; every host name it looks up is added to `asked`. */
function app(defaults: NotificationSpec[] = [], asked: string[] = []) {
  const table = tableResolver(PUBLIC_DNS);
  return buildTestApp({ notify: testNotifier({ resolver: (hostname) => (asked.push(hostname), table(hostname)), defaults }) });
}
const create = (a: ReturnType<typeof app>, notifications: unknown[], headers: Record<string, string> = {}) =>
  a.app.request('/environments', json(body({ notifications }), headers));

/** Every row the SQLite store holds, as text. */
function storedText(a: ReturnType<typeof app>): string {
  const db = (a.store as unknown as { db: Database.Database }).db;
  return ['environments', 'events', 'deliveries', 'idempotency']
    .flatMap((table) => db.prepare(`SELECT * FROM ${table}`).all().map((row) => JSON.stringify(row)))
    .join('\n');
}

describe('registering targets', () => {
  it('returns a webhook target\'s generated signing secret once, in the create response, and never again', async () => {
    const a = app();
    const res = await create(a, [{ type: 'webhook', url: HOOK }, { type: 'slack', url: SLACK, events: ['stage.*'] }]);
    expect(res.status).toBe(202);
    const created = await environmentOf(res);
    expect(created.notifications).toEqual([
      { id: 't1', type: 'webhook', url: 'https://receiver.example.com/…', events: ['environment.*', 'stage.succeeded', 'stage.failed', 'operation.cancelled', 'bootstrap.kept', 'bootstrap.removed', 'resource.kept', 'notification.disabled'], secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) },
      { id: 't2', type: 'slack', url: 'https://hooks.slack.com/…', events: ['stage.*'] },
    ]);
    expect(Buffer.from(created.notifications[0]!.secret!.slice(6), 'base64')).toHaveLength(32);
    expect(created.spec.notifications).toEqual([
      { type: 'webhook', url: 'https://receiver.example.com/…', events: created.notifications[0]!.events },
      { type: 'slack', url: 'https://hooks.slack.com/…', events: ['stage.*'] },
    ]);

    const shown = await environmentOf(await a.app.request(`/environments/${created.id}`));
    expect(shown.notifications).toEqual(created.notifications.map(({ secret: _s, ...t }) => t));
    const listed = JSON.stringify(await jsonOf(await a.app.request('/environments')));
    for (const text of [JSON.stringify(shown), listed, a.logs.join('\n')]) {
      for (const secret of [created.notifications[0]!.secret!, 'HOOKSECRETPART', 'SLACKSECRETPART', '"sealed"']) expect(text).not.toContain(secret);
    }
  });

  it('keeps URLs and secrets sealed at rest: nothing of them is in the store in clear', async () => {
    const a = app();
    const created = await environmentOf(await create(a, [{ type: 'webhook', url: HOOK }, { type: 'slack', url: SLACK }], { 'idempotency-key': 'k1' }));
    const stored = storedText(a);
    expect(stored).toContain(created.id);
    expect(stored).toContain('dlv-0000000002-t1'); // the outbox is there, its targets sealed
    const secret = created.notifications[0]!.secret!;
    for (const text of [secret, secret.slice(6), 'HOOKSECRETPART', 'SLACKSECRETPART', 'hooks/saxml']) {
      expect(stored).not.toContain(text);
    }
  });

  it('answers an Idempotency-Key replay without the secret', async () => {
    const a = app();
    const first = await environmentOf(await create(a, [{ type: 'webhook', url: HOOK }], { 'idempotency-key': 'k2' }));
    const replay = await create(a, [{ type: 'webhook', url: HOOK }], { 'idempotency-key': 'k2' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const replayed = await environmentOf(replay);
    expect(replayed.id).toBe(first.id);
    expect(replayed.notifications[0]).not.toHaveProperty('secret');
    expect(first.notifications[0]!.secret).toMatch(/^whsec_/);
  });

  it('uses a secret the caller gives (so that a caller can keep it without reading the response)', async () => {
    const secret = `whsec_${Buffer.alloc(24, 5).toString('base64')}`;
    const created = await environmentOf(await create(app(), [{ type: 'webhook', url: HOOK, secret }]));
    expect(created.notifications[0]!.secret).toBe(secret);
  });

  it('refuses unsafe URLs with 422, naming the rule (never the URL) for each target', async () => {
    const asked: string[] = [];
    const a = app([], asked);
    const res = await create(a, [
      { type: 'webhook', url: 'http://receiver.example.com/x?token=LEAK1' },
      { type: 'webhook', url: 'https://internal.example.com/x?token=LEAK2' },
      { type: 'webhook', url: 'https://169.254.169.254/computeMetadata/v1/' },
      { type: 'webhook', url: 'https://receiver.example.com:8443/x' },
      { type: 'slack', url: 'https://receiver.example.com/services/T/B/LEAK3' },
      { type: 'webhook', url: 'https://nowhere.example.com/x' },
      { type: 'webhook', url: 'https://metadata.google.internal/x' },
    ]);
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors).toEqual([
      { path: '$.notifications[0].url', message: 'must use https' },
      { path: '$.notifications[1].url', message: 'internal.example.com resolves to 10.1.2.3, a private (RFC 1918) address' },
      { path: '$.notifications[2].url', message: 'must name a host, not an IP address' },
      { path: '$.notifications[3].url', message: 'must use the default https port, not 8443' },
      { path: '$.notifications[4].url', message: 'a Slack target must be a Slack incoming-webhook URL (https://hooks.slack.com/…), not receiver.example.com' },
      { path: '$.notifications[5].url', message: 'nowhere.example.com does not resolve' },
      { path: '$.notifications[6].url', message: 'metadata.google.internal is a name of an internal network' },
    ]);
    // Only names whose form is allowed reach DNS: never the metadata server's (it is refused first).
    expect(asked.sort()).toEqual(['internal.example.com', 'nowhere.example.com']);
    expect(JSON.stringify(problem)).not.toMatch(/LEAK/);
    expect(a.logs.join('\n')).not.toMatch(/LEAK/);
    expect((await jsonOf<Schemas['EnvironmentList']>(await a.app.request('/environments'))).environments).toEqual([]);
  });

  it('refuses unknown event filters, a secret on a Slack target, and a malformed secret', async () => {
    const res = await create(app(), [
      { type: 'webhook', url: HOOK, events: ['stage.running', 'stage.*'] },
      { type: 'slack', url: SLACK, secret: `whsec_${Buffer.alloc(24).toString('base64')}` },
      { type: 'webhook', url: HOOK, secret: 'hunter2' },
    ]);
    expect(res.status).toBe(422);
    const paths = (await problemOf(res)).errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['$.notifications[0].events[0]', '$.notifications[1].secret', '$.notifications[2].secret']));
  });

  it('checks targets on validateOnly too, and shows them redacted', async () => {
    const a = app();
    const ok = await a.app.request('/environments?validateOnly=true', json(body({ notifications: [{ type: 'slack', url: SLACK }] })));
    expect(ok.status).toBe(200);
    expect((await jsonOf<Schemas['ValidateOnlyResult']>(ok)).spec.notifications).toEqual([{ type: 'slack', url: 'https://hooks.slack.com/…', events: expect.any(Array) }]);
    const bad = await a.app.request('/environments?validateOnly=true', json(body({ notifications: [{ type: 'webhook', url: 'https://internal.example.com/' }] })));
    expect(bad.status).toBe(422);
  });

  it('sends every environment\'s events to the service\'s default targets too', async () => {
    const a = app([{ type: 'slack', url: SLACK, events: ['environment.*'] }]);
    const created = await environmentOf(await create(a, []));
    const { deliveries } = dataOf(await typedClient(a.app).GET('/environments/{id}/deliveries', { params: { path: { id: created.id } } }), 200);
    expect(deliveries).toEqual([expect.objectContaining({
      id: expect.stringMatching(/^dlv-0000000002-default-[0-9a-f]{8}$/), event: { seq: 2, type: 'environment.creating' },
      target: { id: expect.stringMatching(/^default-/), type: 'slack', url: 'https://hooks.slack.com/…' }, state: 'PENDING', attempts: [],
    })]);
    expect(created.notifications).toEqual([]);
  });
});

describe('reading events incrementally', () => {
  it('?after=<seq> returns only what is newer; order=desc newest first', async () => {
    const a = app();
    const env = await environmentOf(await create(a, []));
    await a.app.request(`/environments/${env.id}/cancel`, { method: 'POST' });
    const client = typedClient(a.app);
    type Query = { after?: number; order?: 'asc' | 'desc'; pageSize?: number; pageToken?: string };
    const events = async (query: Query = {}) =>
      dataOf(await client.GET('/environments/{id}/events', { params: { path: { id: env.id }, query } }), 200);
    expect((await events()).events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await events({ after: 2 })).events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect((await events({ after: 5 })).events).toEqual([]);
    const newest = await events({ order: 'desc', pageSize: 3 });
    expect(newest.events.map((e) => e.seq)).toEqual([5, 4, 3]);
    const rest = await events({ order: 'desc', pageSize: 3, pageToken: newest.nextPageToken });
    expect(rest.events.map((e) => e.seq)).toEqual([2, 1]);
    expect((await a.app.request(`/environments/${env.id}/events?order=newest`)).status).toBe(400);
  });
});
