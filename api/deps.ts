import type { AccessPolicy } from './domain/access.js';
import type { PriceTable } from './domain/cost/prices.js';
import type { ExpiryPolicy } from './domain/expiry.js';
import type { IdKind } from './domain/ids.js';
import type { ApiBases } from './domain/plan/types.js';
import type { WorkflowEngine } from './engine/port.js';
import type { Authenticator } from './identity/port.js';
import type { Clusters } from './kubernetes/port.js';
import type { Logger } from './logger.js';
import type { QuotaReader } from './quota/port.js';
import type { Notifier } from './notify/port.js';
import type { ChangeFeed } from './services/common/change-feed.js';
import type { ReadCache } from './services/common/read-cache.js';
import type { EnvironmentStore } from './store/port.js';

/**
 * Every port and setting the app needs, built once at startup (compose/) or by a test. Nothing in
 * the app reads process.env or keeps state in a module: what lives between requests is here.
 */
export interface Deps {
  store: EnvironmentStore;
  engine: WorkflowEngine;
  /** The root logger; a verb logs through its context's request-scoped child. */
  logger: Logger;
  now: () => Date;
  newId: (kind: IdKind) => string;
  /** Public routes: who is calling, and what the allow-list lets them do. */
  auth: { authenticator: Authenticator; policy: AccessPolicy };
  /** Internal routes: who the workflow is. */
  internalAuth: { authenticator: Authenticator; workflowPrincipal: string };
  /**
   * This service's root URL (known once the server listens): the base of the plans' calls back to
   * it. The workflow itself learns it from its deployment (API_BASE), never from this process.
   */
  apiBase: () => string;
  /** What plans call: Google's API bases (or the sandbox's), and the workflow's identity. */
  google: {
    apis: () => ApiBases;
    workflowServiceAccount: string;
    /**
     * This service's own identity: the Saxml deployer mints the automation account's tokens as it,
     * so bootstrap grants it token-creator on that account beside the workflow.
     */
    serviceAccount: string;
  };
  /** The Saxml deployer's clusters (GKE, or the sandbox's fake Kubernetes API). */
  clusters: Clusters;
  deployer: {
    /** How long a terminating namespace may wait for finalizers before ours are removed. */
    finalizerGraceMs: number;
    /** How long a refused cluster access counts as IAM still propagating a grant. */
    iamPropagationMs: number;
  };
  /** Notification targets (registration, sealing), the outbox the store writes, and sending. */
  notify: Notifier;
  idempotencyTtlMs: number;
  /** The price table cost estimates use (the repository's, parsed on first use, or PRICES_FILE's). */
  prices: () => PriceTable;
  /** Reads target projects' quotas for the preflight, as the service's own identity. */
  quotas: QuotaReader;
  /** Default and maximum TTL, and the grace before an expired environment is deleted. */
  expiry: ExpiryPolicy;
  /** Google project of this service, for Cloud Trace correlation in logs. */
  traceProject?: string;
  readCache: ReadCache;
  /** "Environment X changed", raised by every commit; event streams wait on it (bounded per instance). */
  changes: ChangeFeed;
}
