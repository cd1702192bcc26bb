import type { AttemptResult, Delivery } from '../domain/notifications/delivery.js';
import type { NotificationSpec, NotificationTarget, TargetType } from '../domain/notifications/targets.js';
import type { Outbox } from '../store/port.js';

/**
 * The Notifier port (api/notify/notifier.ts): everything about notifications that needs a key,
 * DNS or the network. Services register targets through it, the store writes its outbox, the
 * dispatcher sends through it.
 */
export interface Notifier {
  /** Why a target URL may not be used (its form, then every address it resolves to), or undefined. */
  problemWith(type: TargetType, url: string): Promise<string | undefined>;
  /**
   * The spec's targets as the record keeps them (t1, t2, … with URL and secret sealed) and the
   * signing secrets of webhook targets, which the create response shows once.
   */
  seal(targets: readonly NotificationSpec[]): { targets: NotificationTarget[]; secrets: Record<string, string> };
  /** The deliveries that events cause, for the environment's targets and the service's defaults. */
  outbox: Outbox;
  /** One attempt: checks the URL again, connects to the checked address, classifies the answer. Never throws. */
  send(delivery: Delivery): Promise<AttemptResult>;
}
