import { z } from '@hono/zod-openapi';
import { ENVIRONMENT_STATES, EnvironmentEventSchema, EnvironmentRecordSchema, ErrorInfoSchema, STAGE_NAMES, STEP_STATES } from '../../domain/environment.js';
import { ENVIRONMENT_ID } from '../../domain/ids.js';
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

export const EnvironmentSchema = EnvironmentRecordSchema.omit({ version: true, progress: true })
  .extend({
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

export const EventsQuery = z.object({ pageSize, pageToken });

export const EventListSchema = z
  .object({ events: z.array(EnvironmentEventSchema.meta({ id: 'Event' })), nextPageToken: z.string().optional() })
  .openapi('EventList');

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
