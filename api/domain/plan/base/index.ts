import type { Ctx, StepDef } from '../context.js';
import { accountSteps } from './accounts.js';
import { bucketSteps } from './buckets.js';
import { clusterSteps } from './cluster.js';
import { networkSteps } from './network.js';
import { registrySteps } from './registry.js';

/**
 * Stage 1 (reference §2), one file per family of resources: the network (network.ts), the
 * node-pool and workload-identity service accounts with their roles (accounts.ts), the Saxml
 * buckets with bucket IAM (buckets.ts), the Artifact Registry repository (registry.ts), and the
 * cluster, its TPU pools and the Workload Identity grant (cluster.ts).
 */
export function baseSteps(ctx: Ctx): StepDef[] {
  return [...networkSteps(ctx), ...accountSteps(ctx), ...bucketSteps(ctx), ...registrySteps(ctx), ...clusterSteps(ctx)];
}

export { BASE_STEPS } from './ids.js';
