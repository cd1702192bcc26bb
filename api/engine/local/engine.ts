/**
 * `LocalWorkflowEngine`: the in-process adapter of the WorkflowEngine port.
 *
 * It loads the definition once (a bad definition fails at construction, like a failed deploy), then
 * runs each execution as a background task with its own id, state, timestamps and step count.
 * Nothing is persisted: after a process restart every name is unknown and `get` throws
 * `ExecutionNotFoundError`, which the API uses to detect interrupted operations.
 */
import { randomUUID } from 'node:crypto';
import { EngineUnavailableError, ExecutionNotFoundError, type ExecutionError, type ExecutionStatus, type StartExecutionInput, type WorkflowEngine } from '../port.js';
import { realClock, type Clock } from './clock.js';
import { CancelledError, DefinitionError, WorkflowError } from './errors.js';
import type { TokenProvider } from './http.js';
import { Interpreter, type LogEntry } from './interpreter.js';
import { jsonBytes, LIMITS } from './limits.js';
import { loadWorkflow, type Workflow } from './parse.js';
import { fromJson, isMap, toJsonText, toPlain } from './values.js';

export interface LocalEngineOptions {
  /** The workflow's YAML source. */
  definition: string;
  /** Multiplies every `sys.sleep` and retry backoff (the sandbox's SANDBOX_TIME_SCALE). Default 1. */
  timeScale?: number;
  /** Supplies tokens for `http.*` calls with `auth: {type: OAuth2 | OIDC}`. */
  tokens: TokenProvider;
  /**
   * `sys.get_env` values (user env vars and built-ins such as GOOGLE_CLOUD_PROJECT_ID), or a function
   * read when each execution starts (the deployment's values may only be known once the server listens).
   */
  env?: Record<string, string> | (() => Record<string, string>);
  /** Injectable time source; tests pass a fake clock. */
  clock?: Clock;
  /** Injectable fetch; defaults to the global one. */
  fetch?: typeof fetch;
  /** Execution names are `${namePrefix}/executions/${id}`. */
  namePrefix?: string;
  /** Receives `sys.log` entries and call logs (never Authorization headers or tokens). */
  logger?: (entry: LogEntry) => void;
}

/** The port's error plus Google's `context`: where the error was raised. */
export interface LocalExecutionError extends ExecutionError {
  context?: string;
}

export interface LocalExecutionStatus extends ExecutionStatus {
  error?: LocalExecutionError;
  /** The most memory its variables used at once (the limit is 512 KB). */
  peakMemoryBytes?: number;
  argument: Record<string, unknown>;
  labels: Record<string, string>;
}

interface Run {
  status: LocalExecutionStatus;
  controller: AbortController;
  interpreter?: Interpreter;
  done: Promise<void>;
}

const DEFAULT_PREFIX = 'projects/local/locations/local/workflows/local';

export class LocalWorkflowEngine implements WorkflowEngine {
  private readonly workflow: Workflow;
  private readonly runs = new Map<string, Run>();
  private readonly clock: Clock;
  private readonly timeScale: number;
  private readonly prefix: string;

  constructor(private readonly options: LocalEngineOptions) {
    this.workflow = loadWorkflow(options.definition);
    this.clock = options.clock ?? realClock;
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale >= 0)) throw new Error('timeScale must be a non-negative number');
    this.prefix = (options.namePrefix ?? DEFAULT_PREFIX).replace(/\/+$/, '');
  }

  async start(input: StartExecutionInput): Promise<{ name: string }> {
    if (!isMap(input.argument)) throw new EngineUnavailableError('the execution argument must be a JSON object', false);
    const size = jsonBytes(input.argument);
    if (size > LIMITS.argumentBytes) {
      throw new EngineUnavailableError(`the execution argument is ${size} bytes once JSON-encoded; the limit is ${LIMITS.argumentBytes} bytes`, false);
    }
    const id = randomUUID();
    const name = `${this.prefix}/executions/${id}`;
    const status: LocalExecutionStatus = {
      name,
      state: 'ACTIVE',
      startTime: new Date(this.clock.now()).toISOString(),
      billableSteps: 0,
      argument: structuredClone(input.argument),
      labels: { ...input.labels },
    };
    const run: Run = { status, controller: new AbortController(), done: Promise.resolve() };
    this.runs.set(name, run);
    run.done = this.execute(run, id);
    return { name };
  }

  async get(name: string): Promise<LocalExecutionStatus> {
    return this.snapshot(this.find(name));
  }

  /** Requests cancellation: the execution stops at its next step boundary (sleeps and HTTP calls are interrupted). Idempotent. */
  async cancel(name: string): Promise<LocalExecutionStatus> {
    const run = this.find(name);
    if (run.status.state === 'ACTIVE') {
      run.status.state = 'CANCELLED';
      run.status.endTime = new Date(this.clock.now()).toISOString();
      run.controller.abort(new CancelledError());
    }
    return this.snapshot(run);
  }

  /** Resolves when the execution has stopped running (tests await this instead of sleeping). */
  async waitFor(name: string): Promise<LocalExecutionStatus> {
    const run = this.find(name);
    await run.done;
    return this.snapshot(run);
  }

  /** Starts an execution and waits for its end. */
  async executeOnce(argument: Record<string, unknown> = {}, labels: Record<string, string> = {}): Promise<LocalExecutionStatus> {
    const { name } = await this.start({ argument, labels });
    return this.waitFor(name);
  }

  list(): LocalExecutionStatus[] {
    return [...this.runs.values()].map((r) => this.snapshot(r));
  }

  async listActive(): Promise<{ name: string; labels: Record<string, string> }[]> {
    return [...this.runs.values()].filter((r) => r.status.state === 'ACTIVE').map((r) => ({ name: r.status.name, labels: { ...r.status.labels } }));
  }

  /** Cancels every running execution and waits until they have stopped (process shutdown). */
  async shutdown(): Promise<void> {
    const active = [...this.runs.values()].filter((r) => r.status.state === 'ACTIVE');
    await Promise.all(active.map((r) => this.cancel(r.status.name)));
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  private find(name: string): Run {
    const run = this.runs.get(name);
    if (!run) throw new ExecutionNotFoundError(name);
    return run;
  }

  private snapshot(run: Run): LocalExecutionStatus {
    const s = structuredClone(run.status);
    if (run.interpreter) {
      s.billableSteps = run.interpreter.steps;
      s.peakMemoryBytes = run.interpreter.meter.peak;
    }
    return s;
  }

  private async execute(run: Run, id: string): Promise<void> {
    // Let start() return before the first step runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const log = this.options.logger ?? (() => undefined);
    const env = this.envFor(id);
    const interpreter = new Interpreter({
      workflow: this.workflow,
      executionName: run.status.name,
      clock: this.clock,
      timeScale: this.timeScale,
      tokens: this.options.tokens,
      fetch: this.options.fetch ?? globalThis.fetch,
      env: (n) => env[n],
      signal: run.controller.signal,
      log: (entry) => {
        try {
          log(entry);
        } catch {
          // A failing logger must not fail the workflow.
        }
      },
    });
    run.interpreter = interpreter;
    try {
      const result = await interpreter.run(fromJson(run.status.argument));
      if (run.status.state === 'ACTIVE') {
        run.status.state = 'SUCCEEDED';
        run.status.result = toPlain(result);
      }
    } catch (e) {
      if (run.status.state === 'ACTIVE') {
        run.status.state = 'FAILED';
        run.status.error = failure(e);
      }
    } finally {
      run.status.endTime ??= new Date(this.clock.now()).toISOString();
      run.status.billableSteps = interpreter.steps;
    }
  }

  private envFor(id: string): Record<string, string> {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)\/workflows\/([^/]+)$/.exec(this.prefix);
    return {
      GOOGLE_CLOUD_PROJECT_ID: m?.[1] ?? 'local',
      GOOGLE_CLOUD_LOCATION: m?.[2] ?? 'local',
      GOOGLE_CLOUD_WORKFLOW_ID: m?.[3] ?? 'local',
      GOOGLE_CLOUD_WORKFLOW_REVISION_ID: 'local-000001',
      ...(typeof this.options.env === 'function' ? this.options.env() : this.options.env),
      GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: id,
    };
  }
}

/** Maps what ended an execution to the port's error, Google-style: message = the payload text. */
function failure(e: unknown): LocalExecutionError {
  if (e instanceof WorkflowError) {
    const out: LocalExecutionError = {
      message: typeof e.value === 'string' ? e.value : toJsonText(e.value),
      tags: e.tags,
      payload: toPlain(e.value),
    };
    if (e.stepName) out.context = `in step "${e.stepName}", routine "${e.routine ?? 'main'}"`;
    return out;
  }
  if (e instanceof DefinitionError) {
    const out: LocalExecutionError = { message: e.message, tags: [] };
    if (e.stepName) out.context = `in step "${e.stepName}", routine "${e.routine ?? 'main'}"`;
    return out;
  }
  return { message: `internal error: ${e instanceof Error ? e.message : String(e)}`, tags: ['SystemError'] };
}
