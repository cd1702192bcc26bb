import { createHash, randomBytes } from 'node:crypto';
import type { AttemptResult, Delivery } from '../domain/notifications/delivery.js';
import { plannedDeliveries } from '../domain/notifications/outbox.js';
import { redactUrl, specTargetId, type NotificationSpec, type NotificationTarget, type TargetType } from '../domain/notifications/targets.js';
import type { OpenedTarget } from './channels.js';
import type { Notifier } from './port.js';
import type { SecretBox } from './secret-box.js';
import type { Resolver, UrlPolicy } from './url-safety.js';

export interface NotifierOptions {
  box: SecretBox;
  policy: UrlPolicy;
  /** Default: the system's DNS (url-safety.ts `systemResolver`). */
  resolver?: Resolver;
  /** The service's default targets (config); webhook ones carry their secret. */
  defaults: readonly NotificationSpec[];
  /** Where payloads link to (this service's public URL). */
  publicUrl: () => string;
  now: () => Date;
  /** Per attempt, connection to last byte read. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Slack accepts about one message per second per webhook (its rate-limit documentation). */
  slackIntervalMs?: number;
}

/** `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * What checking and sending need — the URL rules with their address ranges (ipaddr.js), Standard
 * Webhooks signing, the HTTP clients — loaded on the first check or send rather than at start
 * (about 65 KB of code): a process may serve for a long while before anything registers or sends
 * a notification.
 */
let network: Promise<[typeof import('./url-safety.js'), typeof import('./http-post.js'), typeof import('./channels.js')]> | undefined;
const loadNetwork = () => (network ??= Promise.all([import('./url-safety.js'), import('./http-post.js'), import('./channels.js')]));

/** Default targets get ids from their URL, so an id stays the same while the configuration does. */
const defaultTargetId = (url: string) => `default-${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;

export function createNotifier(options: NotifierOptions): Notifier {
  const { box, policy, now } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? 4096;
  const slackIntervalMs = options.slackIntervalMs ?? 1000;
  const sealTarget = (id: string, spec: NotificationSpec, secret?: string): NotificationTarget => ({
    id, type: spec.type, url: redactUrl(spec.url), events: spec.events, sealed: box.seal(JSON.stringify({ url: spec.url, ...(secret && { secret }) })),
  });
  const defaults = options.defaults.map((spec) => sealTarget(defaultTargetId(spec.url), spec, spec.type === 'webhook' ? spec.secret : undefined));
  /** Slack webhook (by a hash of its URL) → when it may next be sent to. */
  const slackSlots = new Map<string, number>();

  function paced(url: string): string | undefined {
    const key = createHash('sha256').update(url).digest('hex');
    const at = now().getTime();
    const slot = slackSlots.get(key) ?? 0;
    if (at < slot) return new Date(slot).toISOString();
    if (slackSlots.size >= 10_000) slackSlots.clear(); // bounded: one entry per Slack webhook in use
    slackSlots.set(key, at + slackIntervalMs);
    return undefined;
  }

  async function attempt(delivery: Delivery, type: TargetType, target: OpenedTarget): Promise<AttemptResult> {
    const [{ checkUrl, systemResolver, UnsafeUrlError }, { post, PostError }, { classifySlack, classifyWebhook, slackRequest, webhookRequest }] = await loadNetwork();
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    let checked: Awaited<ReturnType<typeof checkUrl>>;
    try {
      checked = await checkUrl(target.url, type, policy, options.resolver ?? systemResolver);
    } catch (error) {
      if (!(error instanceof UnsafeUrlError)) throw error;
      // Retried rather than given up at once: DNS may be failing for a while. Nothing is sent.
      return { outcome: 'retry', error: `not sent: the URL ${error.reason}`, durationMs: durationMs() };
    }
    const at = now();
    const request = type === 'webhook' ? webhookRequest(delivery, target, at) : slackRequest(delivery);
    try {
      const res = await post(checked.url, request.body, request.headers, { addresses: checked.addresses, timeoutMs, maxResponseBytes });
      return type === 'webhook' ? classifyWebhook(res, durationMs(), at) : classifySlack(res, durationMs(), at);
    } catch (error) {
      if (!(error instanceof PostError)) throw error;
      return { outcome: 'retry', error: error.message, durationMs: durationMs() };
    }
  }

  return {
    async problemWith(type, url) {
      const [{ checkUrl, systemResolver, UnsafeUrlError }] = await loadNetwork();
      try {
        await checkUrl(url, type, policy, options.resolver ?? systemResolver);
        return undefined;
      } catch (error) {
        if (error instanceof UnsafeUrlError) return error.reason;
        throw error;
      }
    },

    seal(targets) {
      const secrets: Record<string, string> = {};
      const sealed = targets.map((spec, i) => {
        const id = specTargetId(i);
        if (spec.type !== 'webhook') return sealTarget(id, spec);
        const secret = spec.secret ?? newWebhookSecret();
        secrets[id] = secret;
        return sealTarget(id, spec, secret);
      });
      return { targets: sealed, secrets };
    },

    outbox: (record, events) => plannedDeliveries(record, events, defaults, options.publicUrl()),

    async send(delivery) {
      let target: OpenedTarget;
      try {
        target = JSON.parse(box.open(delivery.sealedTarget)) as OpenedTarget;
      } catch (error) {
        return { outcome: 'failed', error: `the target cannot be read: ${(error as Error).message}`, durationMs: 0 };
      }
      if (delivery.target.type === 'slack') {
        const until = paced(target.url);
        if (until) return { outcome: 'deferred', until };
      }
      try {
        return await attempt(delivery, delivery.target.type, target);
      } catch (error) {
        // A bug, not the receiver's doing: retried, and the message says what broke (no URL in it).
        return { outcome: 'retry', error: `internal error: ${(error as Error).message}`.slice(0, 300), durationMs: 0 };
      }
    },
  };
}
