/**
 * The in-process Cloud Workflows interpreter (the embedded WorkflowEngine).
 * Import from here; the other modules are implementation details.
 */
export { LocalWorkflowEngine, type LocalEngineOptions, type LocalExecutionStatus } from './engine.js';
export type { Clock } from './clock.js';
export type { TokenProvider } from './http.js';
export type { LogEntry } from './interpreter.js';
export { loadWorkflow } from './parse.js';
export { WorkflowLoadError } from './errors.js';
export { LIMITS } from './limits.js';
