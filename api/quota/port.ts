import type { RegionQuota, ReservationFound } from '../domain/quota/preflight.js';

/**
 * The QuotaReader port: what the preflight reads of a target project, as the service's own
 * identity (read-only: `compute.regions.get`, `compute.reservations.get`). compute.ts reads Compute
 * Engine's REST API (Google's, or the sandbox's).
 */
export interface QuotaReader {
  /** `regions.get` → `quotas[]`. */
  regionQuotas(project: string, region: string): Promise<RegionQuota[]>;
  /** `reservations.get`; null when there is no such reservation in the zone. */
  reservation(project: string, zone: string, name: string): Promise<ReservationFound | null>;
}

/** The project could not be read (no permission, API not enabled, Google unreachable): the preflight says so and does not block. */
export class QuotaUnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaUnreadableError';
  }
}

/** Read-only roles the service's identity needs on a target project for the preflight (README). */
export const PREFLIGHT_ROLES = ['roles/compute.viewer'] as const;
