import { afterEach, describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS } from '../../../api/domain/notifications/delivery.js';
import type { DispatchSummary } from '../../../api/notify/dispatcher.js';
import type { NotifierOptions } from '../../../api/notify/notifier.js';
import { buildTestApp, INTERNAL_SECRET, tableResolver, testNotifier } from '../../support/app.js';
import { jsonOf } from '../../support/bodies.js';
import { created, dataOf, errorOf, typedClient, type EnvironmentSpec } from '../../support/client.js';
import { SMALLEST_SPEC } from '../../support/fixtures.js';
import { signedPayload, startReceiver, verified, type Receiver, type Received } from '../../support/receiver.js';

/**
 * The dispatcher end to end on the embedded app: environments with notification targets, the
 * outbox in SQLite, the internal route Cloud Scheduler calls, and receivers on 127.0.0.1. The
 * clock is the app's (the store's too), moved by the test to reach retry times.
 */

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
async function receiver(options?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(options);
  receivers.push(r);
  return r;
}

type Targets = EnvironmentSpec['notifications'];

function world(notify: Partial<NotifierOptions> = {}) {
  let offset = 0;
  // Real time plus what the test skipped: webhook timestamps stay within the receivers' 5-minute window.
  const now = () => new Date(Date.now() + offset);
  const built = buildTestApp({ now, notify: testNotifier({ now, ...notify }) });
  const { app } = built;
  const client = typedClient(app);
  return {
    client,
    ...built,
    now,
    advance: (ms: number) => { offset += ms; },
    /** What Cloud Scheduler calls. */
    async run(): Promise<DispatchSummary> {
      const res = await app.request('/internal/deliveries:run', { method: 'POST', headers: { authorization: `Bearer ${INTERNAL_SECRET}` } });
      expect(res.status).toBe(200);
      return jsonOf<DispatchSummary>(res);
    },
    create: async (notifications: Targets, name = 'demo') => created(client, { ...SMALLEST_SPEC, name, notifications }),
    /** Cancel then retry: operation.cancelled, environment.failed, environment.creating. */
    async cancelAndRetry(id: string) {
      dataOf(await client.POST('/environments/{id}/cancel', { params: { path: { id } } }), 200);
      dataOf(await client.POST('/environments/{id}/retry', { params: { path: { id } } }), 202);
    },
    deliveries: async (id: string) =>
      dataOf(await client.GET('/environments/{id}/deliveries', { params: { path: { id }, query: { pageSize: 100 } } }), 200).deliveries,
    events: async (id: string) =>
      dataOf(await client.GET('/environments/{id}/events', { params: { path: { id }, query: { pageSize: 100 } } }), 200).events,
    redeliver: (id: string, deliveryId: string) =>
      client.POST('/environments/{id}/deliveries/{deliveryId}:redeliver', { params: { path: { id, deliveryId } } }),
  };
}

const payloads = (secret: string, requests: Received[]) => requests.map((r) => signedPayload(secret, r) as { type: string; data: { seq: number } });

describe('webhook deliveries', () => {
  it('are signed the Standard Webhooks way (the standardwebhooks library verifies them) and carry the payload', async () => {
    const hook = await receiver();
    const w = world();
    const env = await w.create([{ type: 'webhook', url: hook.url() }]);
    const secret = env.notifications[0]!.secret!;
    expect(await w.run()).toMatchObject({ attempted: 1, delivered: 1 });
    const [request] = await hook.waitFor(1);
    expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': `${env.id}.dlv-0000000002-t1` });
    expect(Number(request!.headers['webhook-timestamp'])).toBe(Math.floor(w.now().getTime() / 1000));
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verified(secret, request!)).toMatchObject({
      type: 'environment.creating', version: 1,
      data: { environment: { id: env.id, name: 'demo', project: 'my-project-1', state: 'CREATING', url: `http://127.0.0.1:8080/environments/${env.id}` }, seq: 2 },
    });
    // Another secret does not verify it.
    expect(() => verified(`whsec_${Buffer.alloc(32, 9).toString('base64')}`, request!)).toThrow(/No matching signature/);
    const [delivery] = await w.deliveries(env.id);
    expect(delivery).toMatchObject({ id: 'dlv-0000000002-t1', state: 'DELIVERED', outcome: 'delivered (HTTP 200)', attempts: [{ statusCode: 200 }] });
    expect(delivery).not.toHaveProperty('body');
    expect(delivery).not.toHaveProperty('sealedTarget');
  });

  it('reach a receiver that was down for a while: every event, in order, retries with the same webhook-id', async () => {
    const hook = await receiver();
    const w = world();
    let up = false;
    hook.respond(() => (up ? { status: 204 } : { status: 503, body: 'maintenance' }));
    const env = await w.create([{ type: 'webhook', url: hook.url() }]);
    const secret = env.notifications[0]!.secret!;
    // Events keep happening while the receiver is down: they queue behind the first one.
    await w.cancelAndRetry(env.id);
    await w.cancelAndRetry(env.id);
    for (const delay of RETRY_DELAYS_MS.slice(0, 3)) {
      await w.run();
      w.advance(delay * 1.2);
    }
    // Then it is gone altogether (connections refused) for one more attempt …
    const port = hook.port;
    await hook.close();
    receivers.splice(receivers.indexOf(hook), 1);
    expect(await w.run()).toMatchObject({ attempted: 1, retrying: 1 });
    const [head] = (await w.deliveries(env.id)).filter((d) => d.event.seq === 2);
    expect(head!.attempts.map((a) => a.statusCode ?? a.error)).toEqual([503, 503, 503, 'connection refused']);
    expect(head!.state).toBe('PENDING');
    // … and back.
    const back = await receiver({ port });
    w.advance(RETRY_DELAYS_MS[3] * 1.2);
    const run = await w.run();
    expect(run).toMatchObject({ delivered: 7, retrying: 0, failed: 0 });
    const arrived = payloads(secret, [...hook.received, ...back.received]);
    const events = (await w.events(env.id)).filter((e) => ['environment.creating', 'environment.failed', 'operation.cancelled'].includes(e.type));
    // Every event at least once, in seq order; duplicates only of the head, under its one webhook-id.
    const seqs = arrived.map((p) => p.data.seq);
    expect([...new Set(seqs)]).toEqual(events.map((e) => e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const ids = [...hook.received, ...back.received].filter((_, i) => seqs[i] === 2).map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(1);
  });

  it('answer 429 → the next attempt waits as long as Retry-After says', async () => {
    const hook = await receiver();
    hook.respond(() => ({ status: 429, headers: { 'retry-after': '120' } }));
    const w = world();
    const env = await w.create([{ type: 'webhook', url: hook.url() }]);
    await w.run();
    const [delivery] = await w.deliveries(env.id);
    expect(delivery!.attempts).toEqual([expect.objectContaining({ statusCode: 429, error: 'HTTP 429' })]);
    expect(Date.parse(delivery!.nextAttemptTime!) - Date.parse(delivery!.attempts[0]!.time)).toBe(120_000);
  });

  it('never follow a redirect', async () => {
    const elsewhere = await receiver();
    const hook = await receiver();
    hook.respond(() => ({ status: 307, headers: { location: elsewhere.url() } }));
    const w = world();
    const env = await w.create([{ type: 'webhook', url: hook.url() }]);
    expect(await w.run()).toMatchObject({ retrying: 1 });
    expect(elsewhere.received).toEqual([]);
    expect((await w.deliveries(env.id))[0]!.attempts[0]).toMatchObject({ statusCode: 307, error: 'HTTP 307 (redirects are not followed)' });
  });

  it('read at most a few KB of an answer, and give up on a receiver that does not answer within the timeout', async () => {
    const endless = await receiver();
    // 8 KB of body, then the response never ends: only the first 4 KB are read, and the attempt is over.
    endless.respond((_req, res) => { res.writeHead(500); res.write('e'.repeat(8192)); return 'handled'; });
    const silent = await receiver();
    silent.respond(() => 'handled');
    const w = world({ timeoutMs: 300 });
    const a = await w.create([{ type: 'webhook', url: endless.url() }], 'alpha');
    const b = await w.create([{ type: 'webhook', url: silent.url() }], 'beta');
    expect(await w.run()).toMatchObject({ attempted: 2, retrying: 2 });
    const [first] = (await w.deliveries(a.id))[0]!.attempts;
    expect(first).toMatchObject({ statusCode: 500 });
    expect(first!.error!.length).toBeLessThan(140);
    expect((await w.deliveries(b.id))[0]!.attempts[0]).toMatchObject({ error: 'no answer within 0.3 s' });
  });

  it('connect to the address that was checked, not to what DNS answers next', async () => {
    // The checked answer for "localhost" is 127.0.0.2, where the receiver listens; the system resolver would say 127.0.0.1.
    const hook = await receiver({ host: '127.0.0.2' });
    const w = world({ resolver: tableResolver({ localhost: ['127.0.0.2'] }) });
    const env = await w.create([{ type: 'webhook', url: `http://localhost:${hook.port}/hook` }]);
    expect(await w.run()).toMatchObject({ delivered: 1 });
    expect(hook.received).toHaveLength(1);
    expect((await w.deliveries(env.id))[0]!.state).toBe('DELIVERED');
  });

  it('check the URL again at send time: a name that now points elsewhere gets nothing sent', async () => {
    const table: Record<string, string[]> = { localhost: ['127.0.0.1'] };
    const hook = await receiver();
    const w = world({ resolver: tableResolver(table) });
    const env = await w.create([{ type: 'webhook', url: `http://localhost:${hook.port}/hook` }]);
    table.localhost = ['93.184.216.34'];
    expect(await w.run()).toMatchObject({ retrying: 1 });
    expect(hook.received).toEqual([]);
    expect((await w.deliveries(env.id))[0]!.attempts[0]!.error).toBe('not sent: the URL localhost resolves to 93.184.216.34, which is not loopback');
  });

  it('are sent once each when two dispatchers run at the same time', async () => {
    const hook = await receiver();
    const w = world();
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await w.create([{ type: 'webhook', url: hook.url(), events: ['*'] }], name);
    const runs = await Promise.all([w.run(), w.run(), w.run()]);
    const total = runs.reduce((sum, r) => sum + r.delivered, 0);
    expect(total).toBe(15); // operation.started, environment.creating and preflight.skipped of each
    const ids = hook.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(15);
  });

  it('a 410 Gone disables the target: the event says so, nothing more is sent to it', async () => {
    const gone = await receiver();
    gone.respond(() => ({ status: 410 }));
    const other = await receiver();
    const w = world();
    const env = await w.create([{ type: 'webhook', url: gone.url() }, { type: 'webhook', url: other.url() }]);
    await w.run();
    const view = dataOf(await w.client.GET('/environments/{id}', { params: { path: { id: env.id } } }), 200);
    expect(view.notifications[0]).toMatchObject({ id: 't1', disabled: { reason: 'HTTP 410 (the receiver asked to stop)' } });
    await w.cancelAndRetry(env.id);
    await w.run();
    expect(gone.received).toHaveLength(1);
    const types = payloads(env.notifications[1]!.secret!, other.received).map((p) => p.type);
    expect(types).toEqual(['environment.creating', 'notification.disabled', 'operation.cancelled', 'environment.failed', 'environment.creating']);
  });
});

describe('Slack deliveries', () => {
  /** Slack's path shape on the loopback receiver (the local profile accepts loopback Slack targets). */
  const slackPath = '/services/T000/B000/XXXXXXXX';

  it('post the message and its blocks; a permanent error disables the target, cancels what waits for it, and says so', async () => {
    const slack = await receiver();
    slack.respond(() => ({ status: 404, body: 'channel_not_found' }));
    const hook = await receiver();
    const w = world();
    const env = await w.create([{ type: 'slack', url: slack.url(slackPath) }, { type: 'webhook', url: hook.url() }]);
    await w.cancelAndRetry(env.id); // more Slack messages wait behind the first
    await w.run();

    const [message] = slack.received;
    expect(message!.path).toBe(slackPath);
    expect(JSON.parse(message!.body)).toMatchObject({ text: 'demo: environment is CREATING', blocks: expect.arrayContaining([expect.objectContaining({ type: 'section' })]) });
    expect(message!.headers).not.toHaveProperty('webhook-signature');
    expect(slack.received).toHaveLength(1);

    const deliveries = await w.deliveries(env.id);
    const slackOnes = deliveries.filter((d) => d.target.id === 't1');
    expect(slackOnes.find((d) => d.event.seq === 2)).toMatchObject({ state: 'FAILED', outcome: 'target disabled: HTTP 404: channel_not_found' });
    expect(slackOnes.filter((d) => d.event.seq > 2).map((d) => d.state)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(slackOnes.every((d) => d.target.url === `http://127.0.0.1:${slack.port}/…`)).toBe(true);

    const disabled = (await w.events(env.id)).filter((e) => e.type === 'notification.disabled');
    expect(disabled.map((e) => e.message)).toEqual([`notifications to slack target t1 (http://127.0.0.1:${slack.port}/…) are disabled: HTTP 404: channel_not_found`]);
    expect(payloads(env.notifications[1]!.secret!, hook.received).map((p) => p.type)).toContain('notification.disabled');
    // Later events are not even queued for it.
    await w.cancelAndRetry(env.id);
    expect((await w.deliveries(env.id)).filter((d) => d.target.id === 't1')).toHaveLength(slackOnes.length);
    // Nothing of the Slack URL's secret part is in any log line.
    expect(w.logs.join('\n')).not.toContain('XXXXXXXX');
  });

  it.each([['invalid_token', 403], ['channel_is_archived', 410], ['no_service', 404], ['action_prohibited', 403]])(
    'treat %s (HTTP %i) as permanent', async (answer, status) => {
      const slack = await receiver();
      slack.respond(() => ({ status, body: answer }));
      const w = world();
      const env = await w.create([{ type: 'slack', url: slack.url(slackPath) }]);
      await w.run();
      expect((await w.events(env.id)).map((e) => e.type)).toContain('notification.disabled');
    },
  );

  it('send at most one message a second to one webhook: the rest wait, unsent', async () => {
    const slack = await receiver();
    const w = world({ slackIntervalMs: 1000 });
    const a = await w.create([{ type: 'slack', url: slack.url(slackPath) }], 'alpha');
    const b = await w.create([{ type: 'slack', url: slack.url(slackPath) }], 'beta');
    expect(await w.run()).toMatchObject({ delivered: 1, deferred: 1 });
    const waiting = [...await w.deliveries(a.id), ...await w.deliveries(b.id)].find((d) => d.state === 'PENDING')!;
    expect(waiting.attempts).toEqual([]);
    w.advance(1000);
    expect(await w.run()).toMatchObject({ delivered: 1, deferred: 0 });
    expect(slack.received).toHaveLength(2);
  });

  it('a payload Slack refuses (400 invalid_payload) fails that message only', async () => {
    const slack = await receiver();
    slack.respond(() => ({ status: 400, body: 'invalid_payload' }));
    const w = world();
    const env = await w.create([{ type: 'slack', url: slack.url(slackPath) }]);
    expect(await w.run()).toMatchObject({ failed: 1 });
    expect((await w.deliveries(env.id))[0]).toMatchObject({ state: 'FAILED', outcome: 'refused: HTTP 400: invalid_payload' });
    expect((await w.events(env.id)).map((e) => e.type)).not.toContain('notification.disabled');
  });
});

describe('redelivery', () => {
  it('sends a delivered notification again with the same webhook-id; refuses one still queued', async () => {
    const hook = await receiver();
    const w = world();
    const env = await w.create([{ type: 'webhook', url: hook.url() }]);
    await w.run();
    await w.cancelAndRetry(env.id);
    // Queued behind the new head: refused, it is on its way in order.
    // (3 is the create's preflight.skipped, which the default filter does not send; 4 cancelled is the head.)
    expect(errorOf(await w.redeliver(env.id, 'dlv-0000000005-t1'), 409).detail).toMatch(/waits for an earlier delivery/);

    expect(dataOf(await w.redeliver(env.id, 'dlv-0000000002-t1'), 202)).toMatchObject({ id: 'dlv-0000000002-t1', state: 'PENDING', redelivery: true, webhookId: `${env.id}.dlv-0000000002-t1` });
    await w.run();
    const ids = hook.received.map((r) => r.headers['webhook-id']);
    expect(ids.filter((id) => id === `${env.id}.dlv-0000000002-t1`)).toHaveLength(2);
    expect(payloads(env.notifications[0]!.secret!, hook.received).map((p) => p.data.seq).filter((s) => s === 2)).toHaveLength(2);
    const delivery = (await w.deliveries(env.id)).find((d) => d.id === 'dlv-0000000002-t1')!;
    expect(delivery).toMatchObject({ state: 'DELIVERED', redelivery: true });
    expect(delivery.attempts).toHaveLength(2);

    expect(errorOf(await w.redeliver(env.id, 'dlv-0000000099-t1'), 404).code).toBe('NOT_FOUND');
    expect(errorOf(await w.redeliver(env.id, 'nope'), 400).code).toBe('INVALID_ARGUMENT');
  });
});
