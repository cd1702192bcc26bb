import { Webhook } from 'standardwebhooks';
import { webhookId, type AttemptResult, type Delivery } from '../domain/notifications/delivery.js';
import type { PostResult } from './http-post.js';

/**
 * The two channels: how a delivery becomes an HTTP request, and what the answer means for it
 * (delivered, retry, give up on this message, or disable the target). Sending itself is
 * notifier.ts's (URL checks, the checked connection, pacing).
 */

export interface OpenedTarget {
  url: string;
  /** Webhook targets: the whsec_ signing secret. */
  secret?: string;
}

export interface Request {
  headers: Record<string, string>;
  body: string;
}

const USER_AGENT = 'saxml-environments-notifier/1';

/**
 * Standard Webhooks: `webhook-id` (the same on every retry), `webhook-timestamp` (of this
 * attempt, for the receiver's replay window) and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * id.timestamp.body>` — signed by the `standardwebhooks` library, the reference implementation.
 */
export function webhookRequest(delivery: Delivery, target: OpenedTarget, now: Date): Request {
  if (!target.secret) throw new Error(`webhook target ${delivery.target.id} has no signing secret`);
  const id = webhookId(delivery);
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(target.secret).sign(id, now, delivery.body),
    },
    body: delivery.body,
  };
}

export const slackRequest = (delivery: Delivery): Request => ({
  headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
  body: delivery.body,
});

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(value: string | string[] | undefined, now: Date): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** A short, printable excerpt of what the receiver said. */
const excerpt = (body: string) => body.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 120);
const httpError = (res: PostResult) => `HTTP ${res.status}${excerpt(res.body) ? `: ${excerpt(res.body)}` : ''}`;

/** Standard Webhooks receivers: 2xx is delivered, 410 Gone means "stop sending", anything else is retried. */
export function classifyWebhook(res: PostResult, durationMs: number, now: Date): AttemptResult {
  const statusCode = res.status;
  if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', statusCode, durationMs };
  if (statusCode === 410) return { outcome: 'disable', statusCode, error: `${httpError(res)} (the receiver asked to stop)`, durationMs };
  const redirect = statusCode >= 300 && statusCode < 400 ? ' (redirects are not followed)' : '';
  return { outcome: 'retry', statusCode, error: `${httpError(res)}${redirect}`, durationMs, retryAfterMs: statusCode === 429 ? retryAfterMs(res.headers['retry-after'], now) : undefined };
}

/**
 * Slack's answers to incoming webhooks (its "Handling errors" list): `ok`; errors named in the
 * body with 400/403/404/410; 429 with Retry-After. Those that mean the webhook is gone for good
 * disable the target; a payload Slack refuses fails this message only.
 */
const SLACK_PERMANENT = ['invalid_token', 'channel_not_found', 'channel_is_archived', 'no_service', 'action_prohibited', 'team_disabled', 'no_team'];

export function classifySlack(res: PostResult, durationMs: number, now: Date): AttemptResult {
  const statusCode = res.status;
  const answer = excerpt(res.body);
  if (statusCode === 200) return { outcome: 'delivered', statusCode, durationMs };
  const error = httpError(res);
  if (SLACK_PERMANENT.includes(answer) || statusCode === 404 || statusCode === 410) return { outcome: 'disable', statusCode, error, durationMs };
  if (statusCode === 429) return { outcome: 'retry', statusCode, error, durationMs, retryAfterMs: retryAfterMs(res.headers['retry-after'], now) };
  if (statusCode === 400) return { outcome: 'failed', statusCode, error, durationMs };
  return { outcome: 'retry', statusCode, error, durationMs };
}
