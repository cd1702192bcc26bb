import { z } from '@hono/zod-openapi';
import { ENVIRONMENT_STATES, EnvironmentEventSchema, EnvironmentRecordSchema, ErrorInfoSchema, OperationSchema, STAGE_NAMES, STEP_STATES } from '../../domain/environment.js';
import { ENVIRONMENT_ID, OPERATION_ID } from '../../domain/ids.js';
import { CostEstimateSchema, CostSoFarSchema } from '../../domain/cost/schemas.js';
import { PreflightResultSchema } from '../../domain/quota/schemas.js';
import { DELIVERY_ID, DELIVERY_STATES, DeliverySchema as DomainDeliverySchema } from '../../domain/notifications/delivery.js';
import { NotificationTargetSchema } from '../../domain/notifications/targets.js';
import { EnvironmentSpecSchema } from '../../domain/spec.js';

/**
 * OpenAPI-facing schemas, built from the domain schemas so the document cannot drift from the code.
 * The domain uses plain zod, and its schemas may be built before the OpenAPI extension of zod is
 * loaded (module order in the bundle), so they are annotated with zod's own `.meta()`, which the
 * OpenAPI generator reads (`id` names a component); `.openapi()` is for schemas built here.
 *
 * A spec has two shapes: what a request may send (every field with a default may be left out) and
 * what a response carries (normalised: every default filled in). Generated clients need both —
 * with one schema, openapi-typescript's defaults make every defaulted field required in requests.
 */

/** The README's smallest body: the example of a request, and (normalised) of the spec in answers. */
const SPEC_EXAMPLE = {
  name: 'demo',
  project: 'my-project-1',
  region: 'us-west1',
  saxml: { enabled: false },
  cluster: { tpuNodePools: [{ name: 'tpu-v5e-4', tpuType: 'v5litepod-4', zones: ['us-west1-c'] }] },
};

/**
 * The spec as a request sends it. Inline in the request body rather than a named component:
 * openapi-typescript (with its default options) keeps a defaulted field optional only under a
 * request body, and makes it required in a component.
 */
export const EnvironmentSpecInput = EnvironmentSpecSchema.meta({
  title: 'EnvironmentSpecInput',
  description:
    'What to create. Only `name`, `project`, `region` and one TPU node pool are required; every other field has the default shown, ' +
    'which reproduces the public "Saxml on GKE" guide. Saxml itself cannot be deployed yet: send `"saxml": {"enabled": false}`.',
  example: SPEC_EXAMPLE,
});

const CostEstimateBody = CostEstimateSchema.meta({ id: 'CostEstimate' });

/**
 * The spec as responses carry it. zod-to-openapi renders a schema one way only (a defaulted field
 * optional), so openapi.ts replaces this component with zod's own JSON Schema of the output, in
 * which every defaulted field is required — computed when the document is built, not at start-up.
 */
export const EnvironmentSpecOutput = EnvironmentSpecSchema.meta({
  id: 'EnvironmentSpec',
  description: 'The normalised spec: what was sent, with every default filled in',
});
/**
 * Components whose document schema is zod's JSON Schema of the output (see openapi.ts), with an
 * input whose output is their example.
 */
export const OUTPUT_COMPONENTS = { EnvironmentSpec: { schema: EnvironmentSpecSchema, exampleInput: SPEC_EXAMPLE } };

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

export const EnvironmentSchema = EnvironmentRecordSchema.omit({ version: true, progress: true, notifications: true, disabledTargets: true, stateTimes: true, expiryNotices: true })
  .extend({
    kind: z.literal('Environment').openapi({ description: 'Always `Environment`: tells this answer from a `ValidateOnlyResult`' }),
    id: z.string().openapi({ description: 'Assigned by the service', example: 'env-01jd8m3q4b5c6d7e8f9g0h1j2k' }),
    name: z.string().openapi({ description: 'From the spec', example: 'demo' }),
    project: z.string().openapi({ description: 'The Google Cloud project the environment lives in (from the spec)', example: 'my-project-1' }),
    region: z.string().openapi({ description: 'From the spec', example: 'us-west1' }),
    createdBy: z.string().openapi({ description: 'The principal that created it', example: 'user:alice@example.com' }),
    state: z.enum(ENVIRONMENT_STATES).openapi({
      description: '`CREATING` → `ACTIVE` or `FAILED`; `UPDATING` (a PATCH) → `ACTIVE` or `FAILED`; `DELETING` → `DELETED` or `FAILED`. A FAILED environment can be retried, changed (PATCH) or deleted',
    }),
    spec: EnvironmentSpecOutput,
    operation: OperationSchema.omit({ update: true }).optional().openapi({ description: 'The current or last operation' }),
    notifications: z.array(NotificationTargetViewSchema),
    outputs: EnvironmentRecordSchema.shape.outputs.meta({
      description: 'What was created and how to reach it (cluster name and endpoint, buckets, service accounts, metrics topic and table, …), filled in as stages succeed',
      example: { clusterName: 'demo-saxml-gke-cluster', clusterLocation: 'us-west1', modelBucket: 'gs://my-project-1-demo-saxml-model-repository' },
    }),
    etag: z.string().openapi({ description: 'Changes whenever the environment changes; also sent as the ETag header', example: '"0h1j2k-7"' }),
    actions: z
      .object({
        canDelete: z.boolean(), canRetry: z.boolean(), canCancel: z.boolean(),
        canUpdate: z.boolean().openapi({ description: 'A PATCH may change the spec now (ACTIVE, or FAILED after a create or an update)' }),
      })
      .openapi({ description: 'What is legal now' }),
    cost: z
      .object({ estimate: CostEstimateBody, soFar: CostSoFarSchema.meta({ id: 'CostSoFar' }) })
      .openapi({ description: 'What the environment costs per hour and per 30 days (at today\'s price table), and what it has cost so far' }),
  })
  .openapi('Environment');

export const EnvironmentIdParam = z.object({
  id: z.string().regex(ENVIRONMENT_ID, 'environment ids look like env-01j…').openapi({ param: { name: 'id', in: 'path' }, example: 'env-01jd8m3q4b5c6d7e8f9g0h1j2k' }),
});

/** An operation id (`op-01j…`), as the workflow's internal calls name the operation they run for. */
export const OperationIdSchema = z.string().regex(OPERATION_ID, 'operation ids look like op-01j…');

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

export const WatchQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).openapi({ description: 'Start after this event seq (0: from the first)' }),
  until: z.enum(['operationEnd']).optional().openapi({ description: '`operationEnd`: end the stream once no operation is running' }),
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

const planFields = {
  kind: z.enum(['create', 'update', 'delete']),
  automation: z.object({ serviceAccount: z.string(), tokenUrl: z.string() }),
  schedule: z.array(z.array(z.array(z.array(z.string())))).openapi({
    description: 'phases (in order) → lanes (in parallel) → waves (in order) → step ids (in parallel)',
  }),
};

export const PlanSchema = z.object({ ...planFields, steps: z.array(PlanStepSchema) }).openapi('Plan');

const StepStateSchema = z.object({
  state: z.enum(['PENDING', ...STEP_STATES]),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  error: ErrorInfoSchema.optional(),
});

// Not `PlanSchema.extend()`: that is documented as allOf [Plan, …], which generated clients turn into
// two `steps` arrays whose items lose their state.
export const PlanViewSchema = z
  .object({ ...planFields, operationId: z.string().optional(), steps: z.array(PlanStepSchema.and(StepStateSchema)) })
  .openapi('PlanWithProgress');

export const ValidateOnlyResultSchema = z
  .object({
    kind: z.literal('ValidateOnlyResult').openapi({ description: 'Always `ValidateOnlyResult`: tells this answer from an `Environment`' }),
    spec: EnvironmentSpecOutput,
    expireTime: z.string().optional().openapi({ description: 'When the environment would expire (the spec\'s expireTime or ttl, or the service default)' }),
    plan: PlanSchema,
    estimate: CostEstimateBody,
    preflight: PreflightResultSchema.meta({ id: 'Preflight' }),
  })
  .openapi('ValidateOnlyResult', { description: 'The answer to `validateOnly=true`: nothing was recorded' });

/** The answer to a PATCH with `validateOnly=true`. */
export const UpdatePreviewSchema = z
  .object({
    kind: z.literal('UpdatePreview').openapi({ description: 'Always `UpdatePreview`: tells this answer from an `Environment`' }),
    spec: EnvironmentSpecOutput,
    changed: z.array(z.string()).openapi({ description: 'The spec paths that change, e.g. `saxml.models[1]`, `labels.team`', example: ['saxml.models[1]'] }),
    plan: PlanSchema,
    estimate: CostEstimateBody,
    preflight: PreflightResultSchema.optional().openapi({ description: 'The quota preflight of the capacity the change adds (absent when it adds none)' }),
    replacements: z.record(z.string(), z.object({ order: z.enum(['createFirst', 'deleteFirst']), reason: z.string() })).optional().openapi({
      description: 'TPU pools GKE cannot change in place, by name: created before the old pool is deleted (`createFirst`, when quota allows both at once) or after (`deleteFirst`)',
    }),
  })
  .openapi('UpdatePreview', { description: 'The answer to a validate-only PATCH: nothing was recorded' });

/** A flag: the query string carries `true` or `false`; the document says boolean, which clients serialise so. */
const booleanQuery = z.enum(['true', 'false']).default('false').transform((v) => v === 'true').openapi({ type: 'boolean', default: false });
export const CreateQuery = z.object({
  validateOnly: booleanQuery.openapi({ description: 'Validate and return the normalised spec; record nothing' }),
});
export const UpdateQuery = z.object({
  validateOnly: booleanQuery.openapi({ description: 'Validate and return the new normalised spec, what changes, the update plan and its cost; record nothing' }),
});
export const DeleteQuery = z.object({
  force: booleanQuery.openapi({ description: 'Cancel a running operation first instead of answering 409' }),
  deleteBootstrap: booleanQuery.openapi({ description: "Also remove the project's bootstrap resources when no other live environment uses them" }),
  purgeData: booleanQuery.openapi({
    description: 'Also delete the model repository bucket when it holds data (your checkpoints). Without it such a bucket is kept, named in the operation’s `kept` and the events, and the delete still ends DELETED',
  }),
});
