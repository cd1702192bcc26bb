import { z } from '@hono/zod-openapi';
import { ENVIRONMENT_STATES, EnvironmentEventSchema, EnvironmentRecordSchema, ErrorInfoSchema, STAGE_NAMES, STEP_STATES } from '../../domain/environment.js';
import { ENVIRONMENT_ID } from '../../domain/ids.js';
import { DELIVERY_ID, DELIVERY_STATES, DeliverySchema as DomainDeliverySchema } from '../../domain/notifications/delivery.js';
import { NotificationTargetSchema } from '../../domain/notifications/targets.js';
import { EnvironmentSpecSchema } from '../../domain/spec.js';

/**
 * OpenAPI-facing schemas, built from the domain schemas so the document cannot drift from the code.
 * The domain uses plain zod; components are named here with zod's `.meta({id})`, which the OpenAPI
 * generator reads, so the domain knows nothing of the HTTP framework.
 */

export const EnvironmentSpecBody = EnvironmentSpecSchema.meta({
  id: 'EnvironmentSpec',
  example: {
    name: 'demo',
    project: 'my-project-1',
    region: 'us-west1',
    cluster: { tpuNodePools: [{ name: 'tpu-v5e-4', tpuType: 'v5litepod-4', zones: ['us-west1-c'] }] },
  },
});

export const NotificationTargetViewSchema = NotificationTargetSchema.omit({ sealed: true })
  .extend({
    id: z.string().openapi({ description: 't1, t2, … in spec order; default-… for the service\'s default targets' }),
    url: z.string().openapi({ description: 'Scheme and host only: the rest of a notification URL is a credential' }),
    disabled: z.object({ time: z.string(), reason: z.string() }).optional()
      .openapi({ description: 'Set when the target answered with a permanent error; nothing more is sent to it' }),
    secret: z.string().optional().openapi({
      description: 'Webhook targets, in the create response only: the whsec_ signing secret. Store it then: it is never shown again (not even to an Idempotency-Key replay)',
    }),
  })
  .meta({ id: 'NotificationTarget' });

export const EnvironmentSchema = EnvironmentRecordSchema.omit({ version: true, progress: true, notifications: true, disabledTargets: true })
  .extend({
    notifications: z.array(NotificationTargetViewSchema),
    etag: z.string().openapi({ description: 'Changes whenever the environment changes; also sent as the ETag header' }),
    actions: z
      .object({ canDelete: z.boolean(), canRetry: z.boolean(), canCancel: z.boolean() })
      .openapi({ description: 'What is legal now' }),
  })
  .meta({ id: 'Environment' });

export const EnvironmentIdParam = z.object({
  id: z.string().regex(ENVIRONMENT_ID, 'environment ids look like env-01j…').openapi({ param: { name: 'id', in: 'path' }, example: 'env-01jd8m3q4b5c6d7e8f9g0h1j2k' }),
});

const pageSize = z.coerce.number().int().min(1).max(100).default(20).openapi({ description: '1–100, default 20' });
const pageToken = z.string().max(2048).optional().openapi({ description: 'Opaque token from the previous page' });

export const ListQuery = z.object({
  pageSize,
  pageToken,
  state: z.enum(ENVIRONMENT_STATES).optional(),
  project: z.string().optional(),
  label: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({ description: 'Label filter `key:value`; repeat for several, at most 16 (all must match)' }),
});

export const EnvironmentListSchema = z
  .object({ environments: z.array(EnvironmentSchema), nextPageToken: z.string().optional() })
  .openapi('EnvironmentList');

export const EventsQuery = z.object({
  pageSize,
  pageToken,
  after: z.coerce.number().int().min(0).optional()
    .openapi({ description: 'Only events with a greater seq: poll with the last seq you saw to get only what is new' }),
  order: z.enum(['asc', 'desc']).default('asc').openapi({ description: '`asc`: oldest first (default); `desc`: newest first' }),
});

export const EventListSchema = z
  .object({ events: z.array(EnvironmentEventSchema.meta({ id: 'Event' })), nextPageToken: z.string().optional() })
  .openapi('EventList');

export const DeliveryIdParam = EnvironmentIdParam.extend({
  deliveryId: z.string().regex(DELIVERY_ID, 'delivery ids look like dlv-0000000012-t1').openapi({ param: { name: 'deliveryId', in: 'path' }, example: 'dlv-0000000012-t1' }),
});

export const DeliverySchema = DomainDeliverySchema.omit({ sealedTarget: true, body: true, claim: true, scheduleStart: true, environmentId: true })
  .extend({
    webhookId: z.string().optional().openapi({ description: 'Webhook targets: the `webhook-id` header of every attempt (the same on retries and redeliveries)' }),
    state: z.enum(DELIVERY_STATES).openapi({
      description: 'QUEUED: waits for an earlier delivery to the same target (order is kept); PENDING: to be sent at nextAttemptTime; then DELIVERED, FAILED (refused, given up, or the target was disabled) or CANCELLED (its target was disabled)',
    }),
    redelivery: z.boolean().openapi({ description: 'Sent again on request (POST …:redeliver), outside the order of its queue' }),
  })
  .meta({ id: 'Delivery' });

export const DeliveryListSchema = z
  .object({ deliveries: z.array(DeliverySchema), nextPageToken: z.string().optional() })
  .openapi('DeliveryList');

export const DeliveriesQuery = z.object({ pageSize, pageToken });

const PlanStepSchema = z
  .object({
    id: z.string(),
    stage: z.enum(STAGE_NAMES),
    title: z.string(),
    kind: z.enum(['resource', 'iamBinding', 'api']),
    after: z.array(z.string()),
    as: z.enum(['workflow', 'automation']),
  })
  .catchall(z.unknown())
  .openapi('PlanStep', { description: 'One idempotent step: the Google REST calls it makes (URL, body, polling) and its dependencies' });

export const PlanSchema = z
  .object({
    kind: z.enum(['create', 'delete']),
    automation: z.object({ serviceAccount: z.string(), tokenUrl: z.string() }),
    steps: z.array(PlanStepSchema),
    schedule: z.array(z.array(z.array(z.array(z.string())))).openapi({
      description: 'phases (in order) → lanes (in parallel) → waves (in order) → step ids (in parallel)',
    }),
  })
  .openapi('Plan');

const StepStateSchema = z.object({
  state: z.enum(['PENDING', ...STEP_STATES]),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  error: ErrorInfoSchema.optional(),
});

export const PlanViewSchema = PlanSchema.extend({
  operationId: z.string().optional(),
  steps: z.array(PlanStepSchema.and(StepStateSchema)),
}).openapi('PlanWithProgress');

export const ValidateOnlyResultSchema = z
  .object({ spec: EnvironmentSpecBody, plan: PlanSchema })
  .openapi('ValidateOnlyResult');

const booleanQuery = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');
export const CreateQuery = z.object({
  validateOnly: booleanQuery.openapi({ description: 'Validate and return the normalised spec; record nothing' }),
});
export const DeleteQuery = z.object({
  force: booleanQuery.openapi({ description: 'Cancel a running operation first instead of answering 409' }),
  deleteBootstrap: booleanQuery.openapi({ description: "Also remove the project's bootstrap resources when no other live environment uses them" }),
});
