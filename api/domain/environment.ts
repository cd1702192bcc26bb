import { z } from 'zod';
import { EVENT_TYPES } from './events.js';
import { DisabledTargetsSchema, NotificationTargetSchema } from './notifications/targets.js';
import { STAGE_NAMES, type StageName } from './plan/stages.js';
import { SaxmlOutputsSchema } from './saxml/outputs.js';
import { DeployerStatusSchema } from './saxml/status.js';
import { EnvironmentSpecSchema } from './spec.js';

/**
 * The Environment resource and its parts (DESIGN §3). These schemas are the single description of
 * what we store and return: the store validates documents it reads with them, and the routes
 * publish them in the OpenAPI document.
 */

export const ENVIRONMENT_STATES = ['CREATING', 'ACTIVE', 'UPDATING', 'DELETING', 'DELETED', 'FAILED'] as const;
export const STAGE_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'DELETING', 'DELETED'] as const;
export const OPERATION_KINDS = ['create', 'update', 'delete', 'retry'] as const;
/** What an operation (or the operation a retry resumes) does: the kind of plan it runs. */
export const OPERATION_TARGETS = ['create', 'update', 'delete'] as const;
export const OPERATION_STATES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

// The stages are defined by the plan's registry (plan/stages.ts); their names are re-exported here with the other enums.
export { STAGE_NAMES, type StageName };

export type EnvironmentState = (typeof ENVIRONMENT_STATES)[number];
export type StageState = (typeof STAGE_STATES)[number];
export type OperationState = (typeof OPERATION_STATES)[number];

const Timestamp = z.iso.datetime({ offset: true });

/** A precise failure: where it happened, what Google said, and what the user can do. */
export const ErrorInfoSchema = z.object({
  code: z.string().describe('Stable SCREAMING_SNAKE code, e.g. GCE_STOCKOUT, QUOTA_EXCEEDED, INTERRUPTED'),
  message: z.string(),
  stage: z.enum(STAGE_NAMES).optional(),
  step: z.string().optional(),
  google: z
    .object({ httpStatus: z.number().int().optional(), reason: z.string().optional(), message: z.string().optional() })
    .optional()
    .describe('The Google API error that caused the failure, when there is one'),
  hint: z.string().optional().describe('What the user can do about it'),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/**
 * What an update converges from (domain/update/base.ts): the spec its resources were last known to
 * match, the resources of that spec not known to match it (a failed operation left them unknown),
 * and resources of older specs that may still exist though no spec wants them (a failed update's
 * deletes). The update plan is the diff between this and the environment's spec.
 */
export const UpdateBaseSchema = z.object({
  spec: EnvironmentSpecSchema,
  /** Plan step ids (of `spec`'s create plan) whose resources may not match `spec`. */
  pending: z.array(z.string()),
  /** Resources of earlier specs that may still exist: deleted unless the new spec wants them. */
  leftovers: z.array(z.object({ spec: EnvironmentSpecSchema, steps: z.array(z.string()) })),
  /** Replaced TPU pools: created before the old one is deleted when quota allows, else after (and why). */
  replacements: z.record(z.string(), z.object({ order: z.enum(['createFirst', 'deleteFirst']), reason: z.string() })).optional(),
});
export type UpdateBase = z.infer<typeof UpdateBaseSchema>;

export const OperationSchema = z.object({
  id: z.string(),
  kind: z.enum(OPERATION_KINDS),
  /** What the retry resumes, so a resumed delete stays a delete. */
  target: z.enum(OPERATION_TARGETS),
  state: z.enum(OPERATION_STATES),
  executionName: z.string().optional(),
  startTime: Timestamp,
  endTime: Timestamp.optional(),
  error: ErrorInfoSchema.optional(),
  /** delete: the caller asked to remove the project's bootstrap resources too. */
  deleteBootstrap: z.boolean().optional(),
  /** delete: whether the plan removes them (decided REMOVE; see `bootstrap`). */
  includeBootstrap: z.boolean().optional(),
  /** delete: also delete the model repository bucket when it holds data (the user's checkpoints). */
  purgeData: z.boolean().optional(),
  /** delete: what the operation deliberately left in place, and why (e.g. a model repository with data). */
  kept: z.array(z.object({ resource: z.string(), reason: z.string() })).optional(),
  /**
   * delete: what becomes of the project's bootstrap, and why — decided once the environment's own
   * resources are gone, in the transaction that sees who is left in the project.
   */
  bootstrap: z
    .object({ decision: z.enum(['REMOVE', 'KEEP']), reason: z.string() })
    .optional()
    .describe('delete: whether the project\'s bootstrap resources are removed or kept, and why'),
  /** create and update: the spec the operation applies (a hash of the normalised spec, spec.ts `specHash`). */
  specHash: z.string().optional().describe('The spec this operation applies: a hash of the normalised spec (create and update)'),
  /** update: what the update converges from (its plan is the diff between this and the spec). */
  update: UpdateBaseSchema.optional(),
});
export type Operation = z.infer<typeof OperationSchema>;

export const StepCountsSchema = z.object({
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});

export const StageSchema = z.object({
  name: z.enum(STAGE_NAMES),
  state: z.enum(STAGE_STATES),
  startTime: Timestamp.optional(),
  endTime: Timestamp.optional(),
  steps: StepCountsSchema,
  error: ErrorInfoSchema.optional(),
});
export type Stage = z.infer<typeof StageSchema>;

export const STEP_STATES = ['RUNNING', 'SUCCEEDED', 'FAILED'] as const;

/** What the workflow reported about one plan step, for the operation that last touched it. */
export const StepProgressSchema = z.object({
  state: z.enum(STEP_STATES),
  operationId: z.string(),
  startTime: Timestamp.optional(),
  endTime: Timestamp.optional(),
  error: ErrorInfoSchema.optional(),
});
export type StepProgress = z.infer<typeof StepProgressSchema>;

/** Step progress per plan kind: a retried create skips the steps its create progress marks done. */
export const ProgressSchema = z.object({
  create: z.record(z.string(), StepProgressSchema),
  /** The current (or last) update's steps; a new update starts it afresh, its retry reuses it. */
  update: z.record(z.string(), StepProgressSchema).default({}),
  delete: z.record(z.string(), StepProgressSchema),
});
export type Progress = z.infer<typeof ProgressSchema>;
export const emptyProgress = (): Progress => ({ create: {}, update: {}, delete: {} });



/** Values plan steps report when they succeed (names, emails, URLs, captured values). */
const STEP_OUTPUTS = {
  projectNumber: 'Number of the environment’s project',
  automationServiceAccount: 'The project’s automation service account (bootstrap)',
  automationBucket: 'The project’s automation bucket (bootstrap)',
  network: 'VPC network',
  subnet: 'Subnet of the cluster',
  nodePoolServiceAccount: 'Service account of the GKE nodes',
  workloadServiceAccount: 'Google service account the Saxml pods act as (Workload Identity)',
  adminBucket: 'Saxml admin bucket (gs://…), holding the cell’s sax-root state',
  modelBucket: 'Model repository bucket (gs://…) for checkpoints',
  artifactRegistry: 'Artifact Registry repository for serving images',
  clusterName: 'GKE cluster name',
  clusterLocation: 'GKE cluster region',
  clusterEndpoint: 'GKE control plane endpoint',
  metricsTopic: 'Pub/Sub topic receiving load-test metrics',
  metricsDataset: 'BigQuery dataset of the metrics',
  metricsTable: 'BigQuery table of the metrics',
  metricsSubscription: 'BigQuery subscription writing the topic into the table',
} as const;
export type StepOutputKey = keyof typeof STEP_OUTPUTS;
export type StepOutputs = Partial<Record<StepOutputKey, string>>;

const stepOutputShape = Object.fromEntries(
  Object.entries(STEP_OUTPUTS).map(([key, description]) => [key, z.string().optional().describe(description)]),
) as { [K in StepOutputKey]: z.ZodOptional<z.ZodString> };

/** What an environment gives its user: typed, so the OpenAPI document says what to expect. */
export const OutputsSchema = z.object({
  ...stepOutputShape,
  saxml: SaxmlOutputsSchema.optional().describe('How to use the Saxml cell: proxy, models, credentials, example requests'),
});
export type Outputs = z.infer<typeof OutputsSchema>;

/** Outputs with a step's reported values added (values of names no step declares are dropped). */
export function withStepOutputs(outputs: Outputs, values: Record<string, string> | undefined): Outputs {
  const known = Object.entries(values ?? {}).filter(([key]) => Object.hasOwn(STEP_OUTPUTS, key));
  return known.length ? { ...outputs, ...Object.fromEntries(known) } : outputs;
}

/**
 * Seconds the environment spent in each state it left, and since when it is in the current one
 * (state-time.ts keeps it): the cost so far is the estimate × these.
 */
export const StateTimesSchema = z.object({
  since: Timestamp,
  seconds: z.partialRecord(z.enum(ENVIRONMENT_STATES), z.number().nonnegative()),
});
export type StateTimes = z.infer<typeof StateTimesSchema>;

/** The stored record. `version` increases on every write and is the optimistic-concurrency token. */
export const EnvironmentRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  project: z.string(),
  region: z.string(),
  labels: z.record(z.string(), z.string()),
  spec: EnvironmentSpecSchema,
  state: z.enum(ENVIRONMENT_STATES),
  stages: z.array(StageSchema),
  outputs: OutputsSchema,
  operation: OperationSchema.optional(),
  /** The Saxml deployer's last observed status (internal: the user sees `outputs.saxml`). */
  saxml: DeployerStatusSchema.optional(),
  progress: ProgressSchema.default(emptyProgress),
  /** Absent on records written before it existed: then the whole life counts as the current state. */
  stateTimes: StateTimesSchema.optional(),
  /** When the service deletes the environment (expiry.ts): the spec's expireTime or ttl, or the service's default. */
  expireTime: Timestamp.optional(),
  /** Expiry notices already recorded (`24h`, `1h`, `blocked`), so a restart never sends one twice. */
  expiryNotices: z.array(z.enum(['24h', '1h', 'blocked'])).optional(),
  /** Where notifications go (sealed), from the spec; the service's default targets come from config. */
  notifications: z.array(NotificationTargetSchema).default([]),
  disabledTargets: DisabledTargetsSchema.default({}),
  createTime: Timestamp,
  updateTime: Timestamp,
  createdBy: z.string(),
  version: z.number().int().positive(),
});
export type EnvironmentRecord = z.infer<typeof EnvironmentRecordSchema>;


export const EnvironmentEventSchema = z.object({
  environmentId: z.string(),
  seq: z.number().int().positive(),
  time: Timestamp,
  type: z.enum(EVENT_TYPES),
  operationId: z.string().optional(),
  stage: z.enum(STAGE_NAMES).optional(),
  step: z.string().optional(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type EnvironmentEvent = z.infer<typeof EnvironmentEventSchema>;
/** An event before the store numbers it. */
export type NewEvent = Omit<EnvironmentEvent, 'environmentId' | 'seq'>;
