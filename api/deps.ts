import type { Sandbox } from './sandbox/index.js';
import type { WorkflowEngine } from './engine/port.js';
import type { AccessPolicy, Authenticator } from './http/auth.js';
import type { Logger } from './http/logger.js';
import type { IdKind } from './domain/ids.js';
import type { ApiBases } from './domain/plan/types.js';
import type { EnvironmentStore } from './store/port.js';

/**
 * Every port and setting the app needs, built once at startup (server.ts) or by a test. Nothing
 * in the app reads process.env or a module singleton.
 */
export interface Deps {
  store: EnvironmentStore;
  engine: WorkflowEngine;
  logger: Logger;
  now: () => Date;
  newId: (kind: IdKind) => string;
  /** Public routes. */
  auth: { authenticator: Authenticator; policy: AccessPolicy };
  /** Internal routes: who the workflow is. */
  internalAuth: { authenticator: Authenticator; workflowPrincipal: string };
  /** Where the workflow reaches this service (known once the server listens). */
  apiBase: () => string;
  /** What plans call: Google's API bases (or the sandbox's), and the workflow's identity. */
  google: {
    apis: () => ApiBases;
    workflowServiceAccount: string;
    /** Local profile: the sandbox root, the one non-googleapis URL prefix allowed to receive tokens. */
    sandboxBase?: () => string;
  };
  idempotencyTtlMs: number;
  /** Google project of this service, for Cloud Trace correlation in logs. */
  traceProject?: string;
  /** The sandbox cloud, mounted at /_sandbox in the local profile; created on first use. */
  sandbox?: () => Promise<Sandbox>;
}
