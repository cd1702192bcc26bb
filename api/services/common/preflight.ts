import type { Deps } from '../../deps.js';
import { checkQuotas, reservationKey, reservationNeeds, type ReservationFound } from '../../domain/quota/preflight.js';
import type { PreflightResult } from '../../domain/quota/schemas.js';
import type { NormalisedSpec } from '../../domain/spec.js';
import { PREFLIGHT_ROLES, QuotaUnreadableError } from '../../quota/port.js';
import type { ServiceContext } from '../context.js';

/**
 * Reads the target project's quotas (and the reservations the spec consumes) and checks the spec
 * against them. A project the service cannot read is reported, not refused: Google still enforces
 * its quotas when the resources are created.
 */
export async function preflight(deps: Deps, ctx: ServiceContext, spec: NormalisedSpec, done?: ReadonlySet<string>): Promise<PreflightResult> {
  try {
    const needs = reservationNeeds(spec).filter((n) => !done?.has(n.step));
    const [quotas, ...found] = await Promise.all([
      deps.quotas.regionQuotas(spec.project, spec.region),
      ...needs.map((n) => deps.quotas.reservation(spec.project, n.zone, n.name)),
    ]);
    const reservations = new Map<string, ReservationFound | null>(needs.map((n, i) => [reservationKey(n), found[i] as ReservationFound | null]));
    return checkQuotas(spec, quotas, reservations, done);
  } catch (error) {
    if (!(error instanceof QuotaUnreadableError)) throw error;
    ctx.logger.warn('preflight: the project could not be read', { project: spec.project, error: error.message });
    return { checked: false, reason: `the service could not read project ${spec.project}: ${error.message}`, roles: [...PREFLIGHT_ROLES] };
  }
}
