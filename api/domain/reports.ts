import { z } from 'zod';
import { STEP_STATES } from './environment.js';

/**
 * What the workflow sends to `POST /internal/environments/{id}/reports`. Reports are idempotent by
 * (operation, step, state): they may arrive twice, late or out of order.
 */

/** A failure as the workflow saw it: the HTTP error of a call, or the error of a long-running operation. */
export const RawStepErrorSchema = z.object({
  message: z.string().max(8192).optional(),
  /** HTTP status of the failing call, when it was an HTTP error. */
  httpStatus: z.number().int().optional(),
  /** Workflows error tags, e.g. HttpError, TimeoutError, ConnectionError. */
  tags: z.array(z.string()).max(20).optional(),
  /** Google's error: the response body of the call or the `error` of the long-running operation. */
  google: z.unknown().optional(),
  /** What the user can do (the plan's own errors: a resource that exists and is not the environment's). */
  hint: z.string().max(1024).optional(),
});
export type RawStepError = z.infer<typeof RawStepErrorSchema>;

export const StepReportSchema = z.object({
  step: z.string().min(1).max(200),
  state: z.enum(STEP_STATES),
  /** Values captured from Google (e.g. clusterEndpoint), recorded as outputs. */
  outputs: z.record(z.string(), z.string().max(2048)).optional(),
  error: RawStepErrorSchema.optional(),
  /** SUCCEEDED without touching the resource: it exists without the environment's mark (why, for the event log). */
  leftAlone: z.string().max(1024).optional(),
});

export const OperationReportSchema = z.object({
  /** The whole operation ended (the workflow's last word). */
  operation: z.enum(['SUCCEEDED', 'FAILED']),
  error: RawStepErrorSchema.optional(),
});

export const ReportBatchSchema = z.object({
  operationId: z.string().min(1),
  reports: z.array(z.union([StepReportSchema, OperationReportSchema])).min(1).max(100),
});
export type StepReport = z.infer<typeof StepReportSchema>;
export type OperationReport = z.infer<typeof OperationReportSchema>;
export type ReportBatch = z.infer<typeof ReportBatchSchema>;
