import { describe, expect, it } from 'vitest';
import type { EnvironmentEvent, EnvironmentRecord } from '../../../api/domain/environment.js';
import { plannedDeliveries } from '../../../api/domain/notifications/outbox.js';
import { escapeMrkdwn, slackMessage } from '../../../api/domain/notifications/slack.js';
import {
  DEFAULT_EVENT_FILTER, EventFilterSchema, matchesFilter, NotificationSpecSchema, redactUrl, type NotificationTarget,
} from '../../../api/domain/notifications/targets.js';
import { newEnvironmentRecord } from '../../support/fixtures.js';

const T = '2030-01-01T00:00:00.000Z';
const BASE = 'https://saxml.example.com';

const target = (id: string, type: 'webhook' | 'slack', events: readonly string[] = DEFAULT_EVENT_FILTER): NotificationTarget =>
  ({ id, type, url: 'https://receiver.example.com/…', events: [...events], sealed: `sealed-${id}` });

const event = (seq: number, type: EnvironmentEvent['type'], extra: Partial<EnvironmentEvent> = {}): EnvironmentEvent =>
  ({ environmentId: 'x', seq, time: T, type, message: `${type} happened`, ...extra });

describe('event filters', () => {
  it('match an exact type, a prefix, or everything', () => {
    expect(matchesFilter('stage.failed', ['stage.failed'])).toBe(true);
    expect(matchesFilter('stage.failed', ['stage.*'])).toBe(true);
    expect(matchesFilter('stage.failed', ['step.*', 'environment.active'])).toBe(false);
    expect(matchesFilter('step.started', ['*'])).toBe(true);
    // "stage.*" is a prefix of a type's dotted name, not of any string.
    expect(matchesFilter('stage.failed', ['stag.*'])).toBe(false);
  });

  it('by default send the lifecycle, not every step', () => {
    const sent = (type: EnvironmentEvent['type']) => matchesFilter(type, DEFAULT_EVENT_FILTER);
    for (const type of ['environment.creating', 'environment.active', 'environment.failed', 'environment.deleting', 'environment.deleted',
      'stage.succeeded', 'stage.failed', 'operation.cancelled', 'bootstrap.kept', 'resource.kept', 'notification.disabled'] as const) expect(sent(type)).toBe(true);
    for (const type of ['step.started', 'step.succeeded', 'step.failed', 'stage.started', 'operation.started', 'report.ignored', 'saxml.changed'] as const) expect(sent(type)).toBe(false);
    expect(NotificationSpecSchema.parse({ type: 'slack', url: 'https://hooks.slack.com/services/a' }).events).toEqual([...DEFAULT_EVENT_FILTER]);
  });

  it('refuse what names no event type', () => {
    for (const ok of ['*', 'stage.*', 'environment.active', 'notification.disabled']) expect(EventFilterSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['stage', 'stage.running', 'nothing.*', 'environment.*.x', '']) expect(EventFilterSchema.safeParse(bad).success).toBe(false);
  });

  it('accept a secret on webhooks only, in the whsec_ format', () => {
    const secret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    expect(NotificationSpecSchema.safeParse({ type: 'webhook', url: 'https://r.example.com/', secret }).success).toBe(true);
    expect(NotificationSpecSchema.safeParse({ type: 'webhook', url: 'https://r.example.com/', secret: 'whsec_short' }).success).toBe(false);
    expect(NotificationSpecSchema.safeParse({ type: 'slack', url: 'https://hooks.slack.com/services/a', secret }).success).toBe(false);
  });
});

describe('redacted URLs', () => {
  it('keep scheme and host; whatever may be a credential is gone', () => {
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX')).toBe('https://hooks.slack.com/…');
    expect(redactUrl('https://receiver.example.com/hook?token=abc')).toBe('https://receiver.example.com/…');
    expect(redactUrl('https://receiver.example.com')).toBe('https://receiver.example.com/');
    expect(redactUrl('http://127.0.0.1:4000/x')).toBe('http://127.0.0.1:4000/…');
  });
});

describe('which deliveries events cause', () => {
  const record = (overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord => ({
    ...newEnvironmentRecord({ state: 'ACTIVE' }),
    notifications: [target('t1', 'webhook'), target('t2', 'slack', ['stage.*'])],
    ...overrides,
  });

  it('one per event and target that wants it, including the service defaults, in event order', () => {
    const r = record();
    const deliveries = plannedDeliveries(r, [event(7, 'stage.succeeded', { stage: 'base' }), event(8, 'step.started'), event(9, 'environment.active')],
      [target('default-1a2b3c4d', 'slack', ['environment.*'])], BASE);
    expect(deliveries.map((d) => d.id)).toEqual(['dlv-0000000007-t1', 'dlv-0000000007-t2', 'dlv-0000000009-t1', 'dlv-0000000009-default-1a2b3c4d']);
    expect(deliveries[0]).toMatchObject({ environmentId: r.id, event: { seq: 7, type: 'stage.succeeded' }, target: { id: 't1', type: 'webhook', url: 'https://receiver.example.com/…' }, sealedTarget: 'sealed-t1', createTime: T });
  });

  it('none to a disabled target', () => {
    const r = record({ disabledTargets: { t1: { time: T, reason: 'HTTP 410' } } });
    expect(plannedDeliveries(r, [event(3, 'stage.failed')], [], BASE).map((d) => d.target.id)).toEqual(['t2']);
  });

  it('a webhook body is the versioned Standard Webhooks payload, with the error and its hint', () => {
    const r = record({
      state: 'FAILED',
      operation: { id: 'op-1', kind: 'create', target: 'create', state: 'FAILED', startTime: T, endTime: T, error: { code: 'GCE_STOCKOUT', message: 'no TPUs', hint: 'try us-west4-a' } },
    });
    const [delivery] = plannedDeliveries(r, [event(12, 'environment.failed', { operationId: 'op-1' })], [], BASE);
    expect(JSON.parse(delivery!.body)).toEqual({
      type: 'environment.failed', timestamp: T, version: 1,
      data: {
        environment: { id: r.id, name: 'demo', project: 'my-project-1', state: 'FAILED', url: `${BASE}/environments/${r.id}` },
        seq: 12, message: 'environment.failed happened', operation: { id: 'op-1', kind: 'create' },
        error: { code: 'GCE_STOCKOUT', message: 'no TPUs', hint: 'try us-west4-a' },
      },
    });
  });
});

describe('Slack messages', () => {
  it('have a text fallback and blocks: headline with emoji, fields, the error with its hint, a link', () => {
    const r = { ...newEnvironmentRecord(), state: 'FAILED' as const };
    const stage = r.stages.find((s) => s.name === 'base')!;
    stage.state = 'FAILED';
    const message = slackMessage(r, event(5, 'stage.failed', {
      stage: 'base', message: 'stage base FAILED', details: { error: { code: 'QUOTA_EXCEEDED', message: 'quota <TPUS> & more', hint: 'ask for quota' } },
    }), BASE);
    expect(message.text).toBe('demo: stage base FAILED (QUOTA_EXCEEDED)');
    expect(message.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: ':x: *demo*: stage base FAILED' } },
      { type: 'section', fields: [
        { type: 'mrkdwn', text: `*Environment*\n<${BASE}/environments/${r.id}|demo>` },
        { type: 'mrkdwn', text: '*Project*\nmy-project-1' },
        { type: 'mrkdwn', text: '*State*\n:red_circle: FAILED' },
        { type: 'mrkdwn', text: '*Stage*\n:x: base FAILED' },
      ] },
      { type: 'section', text: { type: 'mrkdwn', text: ':warning: *QUOTA_EXCEEDED*: quota &lt;TPUS&gt; &amp; more\n*What to do:* ask for quota' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `stage.failed · event 5 · <${BASE}/environments/${r.id}|${r.id}>` }] },
    ]);
  });

  it('escape what Slack would read as markup', () => {
    expect(escapeMrkdwn('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });
});
