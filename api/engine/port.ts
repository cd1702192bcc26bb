/**
 * The WorkflowEngine port: starts, inspects and cancels executions of the environment workflow.
 * Production: Cloud Workflows (cloud-workflows.ts). Embedded: the in-process interpreter (local/).
 */

/** Google's execution states (Cloud Workflows `Execution.State`), which the local engine mirrors. */
export type ExecutionState = 'ACTIVE' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface StartExecutionInput {
  /** The execution argument (JSON-encoded for Google; at most 32 KB once encoded). */
  argument: Record<string, unknown>;
  /** Execution labels, e.g. environment and operation ids. Keys/values follow Google's label rules. */
  labels: Record<string, string>;
}

export interface ExecutionError {
  /** What went wrong, as the engine reports it. */
  message: string;
  /** Workflows error tags when known (e.g. `HttpError`, `TimeoutError`). */
  tags?: string[];
  /** The raised value when the workflow raised a map. */
  payload?: unknown;
}

export interface ExecutionStatus {
  /** Full execution name: `projects/{p}/locations/{l}/workflows/{w}/executions/{id}` or a local one. */
  name: string;
  state: ExecutionState;
  startTime: string;
  endTime?: string;
  /** The workflow's return value when SUCCEEDED. */
  result?: unknown;
  error?: ExecutionError;
  /** Billable steps as Google counts them, when the engine knows. */
  billableSteps?: number;
}

/** A running execution and the labels it was started with (its environment and operation). */
export interface ActiveExecution {
  name: string;
  labels: Record<string, string>;
}

export interface WorkflowEngine {
  /** Starts one execution. Not retried by adapters: a duplicate start would run the plan twice. */
  start(input: StartExecutionInput): Promise<{ name: string }>;
  /** Current status; throws ExecutionNotFoundError for an unknown name. */
  get(name: string): Promise<ExecutionStatus>;
  /** Requests cancellation; idempotent for executions that already ended. */
  cancel(name: string): Promise<ExecutionStatus>;
  /**
   * Every execution still running, with its labels: how executions nobody recorded (a start whose
   * answer was lost, a crash before the name was written) or superseded ones are found again.
   */
  listActive(): Promise<ActiveExecution[]>;
}

/** Raised by engines when an execution name is unknown. */
export class ExecutionNotFoundError extends Error {
  constructor(readonly executionName: string) {
    super(`execution ${executionName} not found`);
    this.name = 'ExecutionNotFoundError';
  }
}

/**
 * Raised by engines when the backend refused or failed, with whether a later retry may succeed.
 * The message names the engine's own resources (project, workflow): services log it and tell the
 * caller something else (services/common/port-errors.ts).
 */
export class EngineUnavailableError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'EngineUnavailableError';
  }
}
