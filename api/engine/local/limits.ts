/**
 * Google's documented Workflows limits that the local engine enforces, so a workflow that would
 * fail on Google fails here too (reference: shared/reference/cloud-workflows.md §1.6).
 * Values marked "2nd-hand" come from third-party documentation of the same quotas.
 */
export const LIMITS = {
  /** Execution argument, JSON-encoded (REST `Execution.argument`). */
  argumentBytes: 32 * 1024,
  /** All variables, arguments and events of one execution together. */
  memoryBytes: 512 * 1024,
  /** One HTTP response body. */
  httpResponseBytes: 2 * 1024 * 1024,
  /** `http.*` timeout: default and maximum, seconds. */
  httpDefaultTimeoutSeconds: 300,
  httpMaxTimeoutSeconds: 1800,
  /** `sys.sleep` maximum, seconds (one year). */
  maxSleepSeconds: 31_536_000,
  /** Workflow source size. */
  sourceBytes: 128 * 1024,
  /** Assignments per assign step and conditions per switch (schema maxItems). */
  assignmentsPerStep: 50,
  conditionsPerSwitch: 50,
  /** Branches per parallel step (schema maxItems) and concurrent branches/iterations (2nd-hand). */
  parallelBranches: 10,
  parallelConcurrency: 20,
  /** Nesting depth of parallel steps (2nd-hand). */
  parallelNesting: 2,
  /** Unhandled branch errors collected by continueAll (2nd-hand). */
  unhandledBranchErrors: 100,
  /** Nested subworkflow calls (2nd-hand) and steps per execution (2nd-hand). */
  callStackDepth: 20,
  stepsPerExecution: 100_000,
} as const;

/** UTF-8 size of a JSON-encoded value. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}

