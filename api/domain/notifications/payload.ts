import type { EnvironmentEvent, EnvironmentRecord, EnvironmentState, ErrorInfo, StageName, StageState } from '../environment.js';
import { ErrorInfoSchema } from '../environment.js';
import type { EventType } from '../events.js';

/**
 * The webhook payload (README "Notifications"): Standard Webhooks' `{type, timestamp, data}`, plus
 * a `version` that changes only when a field changes meaning or goes away (new optional fields do
 * not bump it). Small on purpose: receivers that want more GET the environment (`data.environment.url`).
 */

export const PAYLOAD_VERSION = 1;

export interface WebhookPayload {
  type: EventType;
  /** When the event happened (the delivery's `webhook-timestamp` header is when it was sent). */
  timestamp: string;
  version: typeof PAYLOAD_VERSION;
  data: {
    environment: { id: string; name: string; project: string; state: EnvironmentState; url: string };
    /** The event's number in the environment's history (GET …/events?after=<seq> continues from it). */
    seq: number;
    message: string;
    operation?: { id: string; kind: string };
    stage?: { name: StageName; state: StageState };
    step?: string;
    error?: { code: string; message: string; hint?: string };
  };
}

/** The error an event reports: its own, or the operation's for the events that end one. */
export function eventError(record: EnvironmentRecord, event: EnvironmentEvent): ErrorInfo | undefined {
  const own = ErrorInfoSchema.safeParse(event.details?.error);
  if (own.success) return own.data;
  const endsOperation = event.type === 'environment.failed' || event.type === 'operation.failed' || event.type === 'operation.cancelled';
  return endsOperation && record.operation?.id === event.operationId ? record.operation?.error : undefined;
}

export const environmentUrl = (baseUrl: string, id: string): string => `${baseUrl}/environments/${id}`;

/** `record` is the environment as the event's transaction left it. */
export function webhookPayload(record: EnvironmentRecord, event: EnvironmentEvent, baseUrl: string): WebhookPayload {
  const stage = event.stage ? record.stages.find((s) => s.name === event.stage) : undefined;
  const operation = event.operationId && record.operation?.id === event.operationId ? record.operation : undefined;
  const error = eventError(record, event);
  return {
    type: event.type,
    timestamp: event.time,
    version: PAYLOAD_VERSION,
    data: {
      environment: { id: record.id, name: record.name, project: record.project, state: record.state, url: environmentUrl(baseUrl, record.id) },
      seq: event.seq,
      message: event.message,
      ...(operation && { operation: { id: operation.id, kind: operation.kind } }),
      ...(stage && { stage: { name: stage.name, state: stage.state } }),
      ...(event.step && { step: event.step }),
      ...(error && { error: { code: error.code, message: error.message, ...(error.hint && { hint: error.hint }) } }),
    },
  };
}
