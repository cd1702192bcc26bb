import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { SlackMessage } from '../../api/domain/notifications/slack.js';
import { environmentOf, jsonOf, type Environment, type Schemas } from '../support/bodies.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { startLocalWorld, worldPerTest, type LocalWorld } from '../support/local-world.js';
import { startReceiver, verified, type Receiver } from '../support/receiver.js';
import { slackAsText } from '../support/slack-text.js';

/**
 * Notifications on the whole local profile: the real workflow on the in-process engine against
 * the sandbox cloud, the outbox in SQLite, the dispatcher started by startServer, and receivers on
 * 127.0.0.1 (the local profile accepts loopback targets, and only it).
 */

const SPEC = { ...SMALLEST_SPEC, saxml: { enabled: false } };
const SLACK_PATH = '/services/T000/B000/XXXXXXXXXXXXXXXX';

const world = worldPerTest();
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function create(w: LocalWorld, spec: object): Promise<Environment> {
  const res = await w.request('/environments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  expect(res.status).toBe(202);
  return environmentOf(res);
}

/** The whole history, read as a polling client does: `after` the last seq seen. */
async function eventsOf(w: LocalWorld, id: string): Promise<Schemas['Event'][]> {
  const all: Schemas['Event'][] = [];
  for (;;) {
    const page = (await jsonOf<Schemas['EventList']>(await w.request(`/environments/${id}/events?pageSize=100&after=${all.at(-1)?.seq ?? 0}`))).events;
    if (!page.length) return all;
    all.push(...page);
  }
}

/**
 * What differs between runs — ids, times, ports, event numbers (step events of parallel lanes
 * interleave differently) — becomes a placeholder; everything else is the golden content.
 */
const normaliseText = (text: string): string => text
  .replace(/env-[0-9a-hjkmnp-tv-z]{26}/g, '<environment id>')
  .replace(/op-[0-9a-hjkmnp-tv-z]{26}/g, '<operation id>')
  .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
  .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
  .replace(/event \d+ ·/g, 'event <seq> ·');
const normalise = (value: unknown): unknown =>
  JSON.parse(normaliseText(JSON.stringify(value, (key, v) => (key === 'seq' && typeof v === 'number' ? '<seq>' : v))));

/** Compares with a golden file; `UPDATE_GOLDEN=1` (re)writes it — then review the diff like code. */
function expectGolden(file: string, actual: string): void {
  const path = new URL(`./golden/${file}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(existsSync(path), `golden file ${file} (write it with UPDATE_GOLDEN=1)`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('e2e: notifications of a full create and delete', () => {
  it('reach a webhook (signed) and Slack in event order, one message per lifecycle event (golden files)', async () => {
    const hook = await receiver();
    const slack = await receiver();
    const w = await world();
    const env = await create(w, { ...SPEC, notifications: [{ type: 'webhook', url: hook.url() }, { type: 'slack', url: slack.url(SLACK_PATH) }] });
    const secret = env.notifications[0]!.secret!;
    expect((await w.settle(env.id)).state).toBe('ACTIVE');
    await w.server.deliverNow();
    expect((await w.request(`/environments/${env.id}`, { method: 'DELETE' })).status).toBe(202);
    expect((await w.settle(env.id)).state).toBe('DELETED');
    await w.server.deliverNow();

    const webhooks = hook.received.map((r) => verified(secret, r) as { type: string; data: { seq: number } });
    const messages = slack.received.map((r) => JSON.parse(r.body) as SlackMessage);
    const lifecycle: string[] = ['environment.creating', 'stage.succeeded', 'stage.succeeded', 'stage.succeeded', 'environment.active',
      'environment.deleting', 'stage.succeeded', 'stage.succeeded', 'environment.deleted', 'bootstrap.kept'];
    expect(webhooks.map((p) => p.type)).toEqual(lifecycle);
    expect(messages).toHaveLength(lifecycle.length);
    // In order of the environment's events, each once.
    const seqs = webhooks.map((p) => p.data.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const events = await eventsOf(w, env.id);
    expect(seqs).toEqual(events.filter((e) => lifecycle.includes(e.type)).map((e) => e.seq));
    expect(new Set(hook.received.map((r) => r.headers['webhook-id'])).size).toBe(lifecycle.length);

    expectGolden('webhook.create-delete.json', `${JSON.stringify(normalise(webhooks), null, 2)}\n`);
    expectGolden('slack.create-delete.json', `${JSON.stringify(normalise(messages), null, 2)}\n`);
    expectGolden('slack.create-delete.txt', `${normaliseText(messages.map(slackAsText).join('\n\n'))}\n`);

    const { deliveries } = await jsonOf<Schemas['DeliveryList']>(await w.request(`/environments/${env.id}/deliveries?pageSize=100`));
    expect(deliveries).toHaveLength(2 * lifecycle.length);
    expect(deliveries.every((d) => d.state === 'DELIVERED')).toBe(true);
    // The Slack URL's secret part is never written to the log.
    expect(w.logs.join('\n')).not.toContain('XXXXXXXXXXXXXXXX');
  });

  it('follow a PATCH that replaces the targets: later events go to the new target only, signed with the secret shown once in the PATCH answer', async () => {
    const before = await receiver();
    const after = await receiver();
    const w = await world();
    const env = await create(w, { ...SPEC, notifications: [{ type: 'webhook', url: before.url() }] });
    expect((await w.settle(env.id)).state).toBe('ACTIVE');
    await w.server.deliverNow();
    const heardBefore = before.received.length;
    expect(heardBefore).toBeGreaterThan(0);

    const replaced = await w.request(`/environments/${env.id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ notifications: [{ type: 'webhook', url: after.url() }] }),
    });
    expect(replaced.status).toBe(200);
    const secret = (await environmentOf(replaced)).notifications[0]!.secret!;
    expect(secret).toMatch(/^whsec_/);
    expect((await w.request(`/environments/${env.id}`, { method: 'DELETE' })).status).toBe(202);
    expect((await w.settle(env.id)).state).toBe('DELETED');
    await w.server.deliverNow();

    expect(before.received).toHaveLength(heardBefore);
    const types = after.received.map((r) => (verified(secret, r) as { type: string }).type);
    expect(types).toEqual(['environment.deleting', 'stage.succeeded', 'stage.succeeded', 'environment.deleted', 'bootstrap.kept']);
  });

  it('tell what failed and what to do about it (golden files of a TPU stockout)', async () => {
    const hook = await receiver();
    const slack = await receiver();
    const w = await world();
    w.sandbox.faults.set({ tpuStockoutZones: ['us-west1-c'] });
    const env = await create(w, { ...SPEC, notifications: [{ type: 'webhook', url: hook.url(), events: ['stage.failed', 'environment.failed'] }, { type: 'slack', url: slack.url(SLACK_PATH) }] });
    expect((await w.settle(env.id)).state).toBe('FAILED');
    await w.server.deliverNow();
    const webhooks = hook.received.map((r) => verified(env.notifications[0]!.secret!, r) as { type: string; data: { error?: { code: string } } });
    expect(webhooks.map((p) => [p.type, p.data.error?.code])).toEqual([['stage.failed', 'GCE_STOCKOUT'], ['environment.failed', 'GCE_STOCKOUT']]);
    const messages = slack.received.map((r) => JSON.parse(r.body) as SlackMessage);
    expectGolden('webhook.stockout.json', `${JSON.stringify(normalise(webhooks), null, 2)}\n`);
    expectGolden('slack.stockout.txt', `${normaliseText(messages.map(slackAsText).join('\n\n'))}\n`);
  });

  it('keep each environment\'s order while several operations run at once and the timer sends', async () => {
    const hook = await receiver();
    const w = await world({ deliveryIntervalSeconds: 0.05 });
    // Every event, steps included: hundreds of deliveries racing with the workflows that cause them.
    const envs = await Promise.all(['alpha', 'beta', 'gamma'].map((name) =>
      create(w, { ...SPEC, name, notifications: [{ type: 'webhook', url: hook.url(`/${name}`), events: ['*'] }] })));
    for (const env of envs) expect((await w.settle(env.id)).state).toBe('ACTIVE');
    await w.server.deliverNow();
    for (const env of envs) {
      const secret = env.notifications[0]!.secret!;
      const seqs = hook.received.filter((r) => r.headers['webhook-id']!.startsWith(env.id))
        .map((r) => (verified(secret, r) as { data: { seq: number } }).data.seq);
      const all = (await eventsOf(w, env.id)).map((e) => e.seq);
      expect(all.length).toBeGreaterThan(40);
      expect(seqs).toEqual(all);
    }
  });

  it('lose nothing when the process stops mid-create: after a restart on the same DATA_DIR every notification arrives', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'saxml-notify-restart-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const hook = await receiver();
    const first = await startLocalWorld({ dataDir });
    const env = await create(first, { ...SPEC, notifications: [{ type: 'webhook', url: hook.url(), events: ['*'] }] });
    const secret = env.notifications[0]!.secret!;
    await first.waitFor(env.id, (r) => r.progress.create['bootstrap.automation-sa']?.state === 'SUCCEEDED');
    await first.server.deliverNow(); // some delivered …
    const before = hook.received.length;
    expect(before).toBeGreaterThan(0);
    await first.waitFor(env.id, (r) => r.progress.create['base.network']?.state === 'SUCCEEDED');
    const sandbox = first.sandbox;
    await first.stop(); // … the rest still in the outbox

    const second = await world({ dataDir, sandbox });
    // The start-up reconcile settles the interrupted create: its events join the outbox too.
    await second.waitFor(env.id, (r) => r.operation?.state !== 'RUNNING');
    await second.server.deliverNow();
    const seqs = hook.received.map((r) => (verified(secret, r) as { data: { seq: number } }).data.seq);
    const events = await eventsOf(second, env.id);
    expect(events.at(-1)!.type).toBe('environment.failed');
    // Every event, in order; a delivery interrupted by the stop may arrive twice (same webhook-id).
    expect([...new Set(seqs)]).toEqual(events.map((e) => e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(hook.received.length).toBeGreaterThan(before);
  });
});
