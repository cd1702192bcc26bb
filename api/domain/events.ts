/**
 * The stable list of event types (README "Event types"). Each is appended in the same store
 * transaction as the change it describes; notifications are derived from them (notifications/).
 * Append new types; never rename or remove one: receivers filter on them.
 */
export const EVENT_TYPES = [
  'environment.creating',
  'environment.active',
  'environment.failed',
  'environment.deleting',
  'environment.deleted',
  'operation.started',
  'operation.succeeded',
  'operation.failed',
  'operation.cancelled',
  'stage.started',
  'stage.succeeded',
  'stage.failed',
  'stage.skipped',
  'step.started',
  'step.succeeded',
  'step.failed',
  'report.ignored',
  'bootstrap.kept',
  'notification.disabled',
  'environment.expiring',
  'environment.expired',
  'environment.expiry_blocked',
  'preflight.passed',
  'preflight.failed',
  'preflight.skipped',
  'saxml.changed',
  'resource.kept',
  'bootstrap.removing',
  'bootstrap.removed',
  'environment.updating',
  'spec.updated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
