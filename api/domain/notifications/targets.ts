import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../events.js';

/**
 * Notification targets: what the spec accepts (`notifications: [{type, url, events?, secret?}]`)
 * and what the record keeps — the URL and the signing secret sealed (encrypted, api/notify/), a
 * redacted URL to show, and which events the target wants. URL safety needs DNS and the profile,
 * so it is checked by the service (api/notify/url-safety.ts), not here.
 */

export const TARGET_TYPES = ['webhook', 'slack'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/**
 * Sent when a target names no `events`: the lifecycle of the environment, one message per
 * transition that matters to its owner — not every step (a create has hundreds).
 */
export const DEFAULT_EVENT_FILTER = [
  'environment.*',
  'stage.succeeded',
  'stage.failed',
  'operation.cancelled',
  'bootstrap.kept',
  'bootstrap.removed',
  'resource.kept',
  'notification.disabled',
] as const;

const PREFIXES = new Set(EVENT_TYPES.map((type) => type.slice(0, type.indexOf('.'))));

/** `*`, an event type (`stage.failed`) or a prefix (`stage.*`). */
export const EventFilterSchema = z.string().refine(
  (f) => f === '*' || (EVENT_TYPES as readonly string[]).includes(f) || (f.endsWith('.*') && PREFIXES.has(f.slice(0, -2))),
  { message: `must be "*", an event type (e.g. stage.failed) or a prefix like stage.*; prefixes: ${[...PREFIXES].join(', ')}` },
);

export function matchesFilter(type: EventType, filters: readonly string[]): boolean {
  return filters.some((f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))));
}

/** `whsec_` + base64 of 24–64 random bytes (the Standard Webhooks secret format). */
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

const url = z.string().min(1).max(2048).describe('https URL (checked when the environment is created and again at every send)');
const events = z.array(EventFilterSchema).min(1).max(50).default(() => [...DEFAULT_EVENT_FILTER])
  .describe('Event types or prefixes (stage.*) to send; default: the lifecycle events');

/** One target as the spec accepts it. Slack incoming webhooks are not signed: no secret. */
export const NotificationSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    url,
    events,
    secret: z.string().regex(WEBHOOK_SECRET, 'must be whsec_ followed by the base64 of 24–64 random bytes').optional()
      .describe('Standard Webhooks signing secret; generated when absent and returned once, in the create response'),
  }),
  z.strictObject({ type: z.literal('slack'), url: url.describe('Slack incoming-webhook URL (https://hooks.slack.com/services/…)'), events }),
]);
export type NotificationSpec = z.output<typeof NotificationSpecSchema>;

/** What the record keeps of a target: never the URL or the secret in clear. */
export const NotificationTargetSchema = z.object({
  id: z.string(),
  type: z.enum(TARGET_TYPES),
  /** Scheme, host and `/…`: enough to recognise a target, nothing that works as a credential. */
  url: z.string(),
  events: z.array(z.string()),
  /** `{url, secret?}` sealed with the service's key (api/notify/secret-box.ts). */
  sealed: z.string(),
});
export type NotificationTarget = z.infer<typeof NotificationTargetSchema>;

/** Targets turned off after a permanent error, by target id (the environment's own and the service's defaults). */
export const DisabledTargetsSchema = z.record(z.string(), z.object({ time: z.iso.datetime({ offset: true }), reason: z.string() }));

/**
 * A URL as it may be shown in responses, logs and errors: Slack URLs and many webhook URLs carry
 * their credential in the path or query, so only scheme and host remain.
 */
export function redactUrl(raw: string): string {
  try {
    const parsed = new URL(raw);
    const rest = parsed.pathname !== '/' || parsed.search ? '/…' : '/';
    return `${parsed.protocol}//${parsed.host}${rest}`;
  } catch {
    return '[invalid URL]';
  }
}

/** The environment's targets are t1, t2, … in spec order (stable: they are fixed at create). */
export const specTargetId = (index: number): string => `t${index + 1}`;
