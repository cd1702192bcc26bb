import { z } from 'zod';
import { EVENT_TYPES } from '../events.js';
import { TARGET_TYPES } from './targets.js';

/**
 * A delivery: one event for one target, recorded in the outbox in the same transaction as the
 * event, then sent by the dispatcher until it is delivered or given up. Deliveries of one
 * environment to one target form a queue in event order: only its head is PENDING (due to be
 * sent), the others wait QUEUED behind it; the store keeps that order (store/port.ts).
 */

export const DELIVERY_STATES = ['QUEUED', 'PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const Timestamp = z.iso.datetime({ offset: true });

export const AttemptSchema = z.object({
  time: Timestamp,
  statusCode: z.number().int().optional(),
  /** Short and free of secrets: what went wrong, never the URL or the response body in full. */
  error: z.string().max(300).optional(),
  durationMs: z.number().int().nonnegative(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const DeliveryTargetSchema = z.object({ id: z.string(), type: z.enum(TARGET_TYPES), url: z.string() });

export const DeliverySchema = z.object({
  id: z.string(),
  environmentId: z.string(),
  event: z.object({ seq: z.number().int().positive(), type: z.enum(EVENT_TYPES) }),
  target: DeliveryTargetSchema,
  /** The target's `{url, secret?}`, sealed: a delivery can be sent without its environment. */
  sealedTarget: z.string(),
  /** The exact request body, built when the event happened: every attempt sends the same bytes. */
  body: z.string(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.array(AttemptSchema),
  /** PENDING: not before this. */
  nextAttemptTime: Timestamp.optional(),
  /** Set while a dispatcher sends it; another may take over once `until` has passed. */
  claim: z.object({ token: z.string(), until: Timestamp }).optional(),
  /** Sent again on request: outside the queue, which has moved on. */
  redelivery: z.boolean(),
  /** When the current series of attempts began (became PENDING, or was redelivered): the give-up clock. */
  scheduleStart: Timestamp,
  createTime: Timestamp,
  endTime: Timestamp.optional(),
  /** Why it ended, e.g. "delivered (HTTP 200)", "gave up after 8 attempts", "target disabled: …". */
  outcome: z.string().optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/** What an update's events add to the outbox; the store decides QUEUED or PENDING. */
export type NewDelivery = Pick<Delivery, 'id' | 'environmentId' | 'event' | 'target' | 'sealedTarget' | 'body' | 'createTime'>;

/** Ended deliveries are kept this long for GET …/deliveries and redelivery, then dropped. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;

/** QUEUED and PENDING deliveries are open: their queue waits for them. */
export const isOpen = (state: DeliveryState): boolean => state === 'QUEUED' || state === 'PENDING';

/** Sortable by event, then target: `dlv-0000000012-t1`. Unique within an environment. */
export const deliveryId = (seq: number, targetId: string): string => `dlv-${String(seq).padStart(10, '0')}-${targetId}`;
export const DELIVERY_ID = /^dlv-\d{10}-[a-z0-9-]{1,40}$/;

/** The Standard Webhooks `webhook-id`: unique per message, the same on every retry and redelivery. */
export const webhookId = (delivery: Pick<Delivery, 'environmentId' | 'id'>): string => `${delivery.environmentId}.${delivery.id}`;

/** What one try to send a delivery came to (api/notify/ classifies the HTTP answers). */
export type AttemptResult =
  | { outcome: 'delivered'; statusCode: number; durationMs: number }
  /** Worth trying again later; `retryAfterMs` when the receiver said when (429 Retry-After). */
  | { outcome: 'retry'; statusCode?: number; error: string; durationMs: number; retryAfterMs?: number }
  /** This message can never succeed (the receiver refuses its content); the target stays on. */
  | { outcome: 'failed'; statusCode?: number; error: string; durationMs: number }
  /** The target is gone for good (410, Slack's permanent errors): the target is disabled. */
  | { outcome: 'disable'; statusCode?: number; error: string; durationMs: number }
  /** Not sent: our own pacing (at most one message a second per Slack webhook). Not an attempt. */
  | { outcome: 'deferred'; until: string };

/**
 * Delays after the 1st…7th failed attempt: 8 attempts over about 24 hours. Svix's schedule (the
 * authors of Standard Webhooks: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) with the
 * last two steps at 8 h, so that it ends within a day. A table, not a retry library: the schedule
 * is persisted between attempts, which in-process retry helpers do not model.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 28_800_000, 28_800_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Rate-limit answers (429) do not count towards MAX_ATTEMPTS, but nothing is retried past this. */
export const GIVE_UP_AFTER_MS = 26 * 3_600_000;
const RETRY_AFTER_RANGE_MS = [1_000, 3_600_000] as const;
/** Attempts kept per delivery (the oldest are dropped; the count of failures since scheduleStart stays right). */
const KEPT_ATTEMPTS = 50;

const at = (time: string, plusMs: number) => new Date(Date.parse(time) + plusMs).toISOString();

/** ±10 %: receivers that went down together are not all retried in the same second. */
const jittered = (ms: number, random: () => number) => Math.round(ms * (0.9 + 0.2 * random()));

/**
 * The delivery after one attempt: delivered, retried later (exponential backoff with jitter, or
 * when the receiver asked), or ended. Always releases the claim.
 */
export function afterAttempt(delivery: Delivery, result: AttemptResult, now: string, random: () => number): Delivery {
  const { claim: _claim, nextAttemptTime: _next, ...rest } = delivery;
  if (result.outcome === 'deferred') return { ...rest, nextAttemptTime: result.until };
  const attempt: Attempt = {
    time: now,
    durationMs: result.durationMs,
    ...(result.statusCode !== undefined && { statusCode: result.statusCode }),
    ...(result.outcome !== 'delivered' && { error: result.error.slice(0, 300) }),
  };
  const attempts = [...delivery.attempts, attempt].slice(-KEPT_ATTEMPTS);
  const end = (state: 'DELIVERED' | 'FAILED', outcome: string): Delivery => ({ ...rest, attempts, state, endTime: now, outcome });
  switch (result.outcome) {
    case 'delivered': return end('DELIVERED', `delivered (HTTP ${result.statusCode})`);
    case 'failed': return end('FAILED', `refused: ${attempt.error}`);
    case 'disable': return end('FAILED', `target disabled: ${attempt.error}`);
    case 'retry': {
      const since = Date.parse(delivery.scheduleStart);
      const failures = attempts.filter((a) => Date.parse(a.time) >= since && a.statusCode !== 429).length;
      if (Date.parse(now) - since >= GIVE_UP_AFTER_MS) return end('FAILED', `gave up after ${Math.round(GIVE_UP_AFTER_MS / 3_600_000)} hours: ${attempt.error}`);
      if (result.retryAfterMs !== undefined) {
        const wait = Math.min(Math.max(result.retryAfterMs, RETRY_AFTER_RANGE_MS[0]), RETRY_AFTER_RANGE_MS[1]);
        return { ...rest, attempts, nextAttemptTime: at(now, wait) };
      }
      if (failures >= MAX_ATTEMPTS) return end('FAILED', `gave up after ${MAX_ATTEMPTS} attempts: ${attempt.error}`);
      return { ...rest, attempts, nextAttemptTime: at(now, jittered(RETRY_DELAYS_MS[Math.max(failures, 1) - 1]!, random)) };
    }
  }
}
