import type { Deps } from '../../deps.js';
import { estimateCost } from '../../domain/cost/estimate.js';
import type { CostEstimate, CostSoFar } from '../../domain/cost/schemas.js';
import { costSoFar } from '../../domain/cost/so-far.js';
import type { EnvironmentRecord, Operation } from '../../domain/environment.js';
import { webhookId, type Delivery } from '../../domain/notifications/delivery.js';
import type { NotificationTarget } from '../../domain/notifications/targets.js';
import { DomainError } from '../../domain/errors.js';
import type { NormalisedSpec } from '../../domain/spec.js';
import { actionsFor, type Actions } from '../../domain/state-machine.js';

/**
 * The public representation of an environment: the record without storage internals, plus etag
 * and actions, and `kind` (which tells it from the other answer of a create, a validate-only
 * result, without guessing), and cost. Step progress is shown by GET /environments/{id}/plan, next to the steps it describes.
 */
export type EnvironmentView = { kind: 'Environment' } & Omit<EnvironmentRecord, 'version' | 'progress' | 'notifications' | 'disabledTargets' | 'stateTimes' | 'expiryNotices' | 'operation'> & {
  operation?: Omit<Operation, 'update'>;
  notifications: TargetView[];
  etag: string;
  actions: Actions;
  cost: { estimate: CostEstimate; soFar: CostSoFar };
};

/** The cost so far is computed for the minute of the read, so a view can be reused within it. */
export const minuteOf = (now: Date): string => new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();

/** A target as responses show it: redacted URL, never the sealed secret; `disabled` after a permanent error. */
export type TargetView = Omit<NotificationTarget, 'sealed'> & { disabled?: { time: string; reason: string } };

/** Strong ETag of one version of one environment. */
export const etagOf = (record: Pick<EnvironmentRecord, 'id' | 'version'>): string => `"${record.id.slice(-8)}-${record.version}"`;

/**
 * `If-Match` (RFC 9110 §13.1.1): the version the caller last saw, which the write then requires
 * (the store refuses if the record moved meanwhile). Absent or `*`: no condition. A list matches
 * when one of its entity tags is the current one; weak tags never match.
 */
export function expectedVersion(record: Pick<EnvironmentRecord, 'id' | 'version'>, ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  if (ifMatch.split(',').some((tag) => tag.trim() === etagOf(record))) return record.version;
  throw new DomainError('ETAG_MISMATCH', `environment ${record.id} is at ETag ${etagOf(record)}, not ${ifMatch.trim()}; GET it and decide again`);
}

export function toView(record: EnvironmentRecord, deps: Pick<Deps, 'prices' | 'now'>): EnvironmentView {
  const { version: _version, progress: _progress, notifications, disabledTargets, stateTimes: _stateTimes, expiryNotices: _notices, ...rest } = record;
  // A record holds the spec its create normalised (create.ts); the stored schema cannot say so.
  const estimate = estimateCost(record.spec as NormalisedSpec, deps.prices());
  // What an update converges from is the plan's business (GET …/plan shows the plan), not the view's.
  const { update: _base, ...operation } = record.operation ?? {};
  return {
    kind: 'Environment',
    ...rest,
    ...(record.operation && { operation: operation as Omit<Operation, 'update'> }),
    notifications: notifications.map(({ sealed: _sealed, ...target }) =>
      (disabledTargets[target.id] ? { ...target, disabled: disabledTargets[target.id] } : target)),
    etag: etagOf(record),
    actions: actionsFor(record.state, record.operation, record.spec.deletionProtection),
    cost: { estimate, soFar: costSoFar(record, estimate, minuteOf(deps.now())) },
  };
}

/** A delivery as responses show it: what was sent where and how it went — not the body or the sealed target. */
export type DeliveryView = Omit<Delivery, 'sealedTarget' | 'body' | 'claim' | 'scheduleStart' | 'environmentId'> & { webhookId?: string };

export function toDeliveryView(delivery: Delivery): DeliveryView {
  const { sealedTarget: _sealed, body: _body, claim: _claim, scheduleStart: _start, environmentId: _env, ...rest } = delivery;
  return delivery.target.type === 'webhook' ? { ...rest, webhookId: webhookId(delivery) } : rest;
}
