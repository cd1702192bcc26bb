import { ExecutionNotFoundError, type ActiveExecution, type ExecutionStatus, type StartExecutionInput, type WorkflowEngine } from '../../api/engine/port.js';

/**
 * A WorkflowEngine for API tests: executions are accepted and never run, so an operation stays
 * RUNNING until the test reports progress or settles it.
 */
export class PendingEngine implements WorkflowEngine {
  private readonly executions = new Map<string, ExecutionStatus & { labels: Record<string, string> }>();
  private counter = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async start(input: StartExecutionInput): Promise<{ name: string }> {
    const name = `pending/executions/${++this.counter}`;
    this.executions.set(name, { name, state: 'ACTIVE', startTime: this.now().toISOString(), labels: { ...input.labels } });
    return { name };
  }

  async listActive(): Promise<ActiveExecution[]> {
    return [...this.executions.values()].filter((e) => e.state === 'ACTIVE').map((e) => ({ name: e.name, labels: e.labels }));
  }

  async get(name: string): Promise<ExecutionStatus> {
    const execution = this.executions.get(name);
    if (!execution) throw new ExecutionNotFoundError(name);
    return execution;
  }

  async cancel(name: string): Promise<ExecutionStatus> {
    const execution = await this.get(name);
    if (execution.state === 'ACTIVE') {
      Object.assign(execution, { state: 'CANCELLED', endTime: this.now().toISOString() });
    }
    return execution;
  }
}
