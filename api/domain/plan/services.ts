import { ARTIFACT_REGISTRY_SERVICES, DEFAULT_SERVICES, PERF_SERVICES } from '../defaults.js';
import type { EnvironmentSpec } from '../spec.js';

/** services:batchEnable refuses more than 20 services per request (the whole request fails). */
export const MAX_SERVICES_PER_BATCH = 20;

/**
 * Every service the environment needs: the defaults, Artifact Registry when it has a repository,
 * the perf services when perf is enabled, and the spec's additional ones — deduplicated and sorted,
 * so the plan does not depend on input order.
 * The perf services are enabled here, in bootstrap, rather than by a separate perf step: the
 * workflow identity already enables services, and the automation account then needs no
 * serviceusage role.
 */
export function requiredServices(spec: EnvironmentSpec): string[] {
  const all = [
    ...DEFAULT_SERVICES,
    ...(spec.artifactRegistry.enabled ? ARTIFACT_REGISTRY_SERVICES : []),
    ...(spec.perf.enabled ? PERF_SERVICES : []),
    ...spec.bootstrap.additionalServices,
  ];
  return [...new Set(all)].sort();
}

/** The services in batches of at most 20, in sorted order. */
export function serviceBatches(spec: EnvironmentSpec): string[][] {
  const services = requiredServices(spec);
  const batches: string[][] = [];
  for (let i = 0; i < services.length; i += MAX_SERVICES_PER_BATCH) {
    batches.push(services.slice(i, i + MAX_SERVICES_PER_BATCH));
  }
  return batches;
}
