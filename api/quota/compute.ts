import { z } from 'zod';
import type { RegionQuota, ReservationFound } from '../domain/quota/preflight.js';
import { QuotaUnreadableError, type QuotaReader } from './port.js';

/**
 * The QuotaReader on Compute Engine's REST API (`https://compute.googleapis.com`, or the sandbox's
 * compute base locally): two GETs, answers checked with zod. Path values come from a validated spec
 * and are encoded anyway.
 */

const RegionSchema = z.object({
  quotas: z.array(z.object({ metric: z.string(), limit: z.number(), usage: z.number().default(0) })).default([]),
});

// Compute answers int64 fields as strings.
const ReservationSchema = z.object({
  specificReservation: z.object({
    count: z.coerce.number(),
    inUseCount: z.coerce.number().default(0),
    instanceProperties: z.object({ machineType: z.string() }),
  }),
});

const GoogleErrorSchema = z.object({ error: z.object({ code: z.number(), message: z.string(), status: z.string().optional() }) });

export interface ComputeQuotaReaderOptions {
  /** `https://compute.googleapis.com` or the sandbox's compute base. */
  base: () => string;
  /** An OAuth access token of the service's identity. */
  token: () => Promise<string>;
  fetch?: typeof fetch;
}

export function computeQuotaReader(options: ComputeQuotaReaderOptions): QuotaReader {
  const doFetch = options.fetch ?? fetch;
  const get = async (path: string, allow404: boolean): Promise<unknown> => {
    let token: string;
    try {
      token = await options.token();
    } catch (error) {
      throw new QuotaUnreadableError(`no access token for the service's identity: ${(error as Error).message}`);
    }
    let res: Response;
    try {
      res = await doFetch(`${options.base().replace(/\/+$/, '')}/compute/v1/${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new QuotaUnreadableError(`Compute Engine could not be reached: ${(error as Error).message}`);
    }
    if (res.status === 404 && allow404) return null;
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const google = GoogleErrorSchema.safeParse(body);
      throw new QuotaUnreadableError(`Compute Engine answered ${res.status}${google.success ? ` ${google.data.error.status ?? ''}: ${google.data.error.message}` : ''}`.trim());
    }
    return body;
  };
  const seg = encodeURIComponent;
  return {
    async regionQuotas(project, region): Promise<RegionQuota[]> {
      const parsed = RegionSchema.safeParse(await get(`projects/${seg(project)}/regions/${seg(region)}`, false));
      if (!parsed.success) throw new QuotaUnreadableError('Compute Engine answered regions.get in an unexpected shape');
      return parsed.data.quotas;
    },
    async reservation(project, zone, name): Promise<ReservationFound | null> {
      const body = await get(`projects/${seg(project)}/zones/${seg(zone)}/reservations/${seg(name)}`, true);
      if (body === null) return null;
      const parsed = ReservationSchema.safeParse(body);
      if (!parsed.success) throw new QuotaUnreadableError(`Compute Engine answered reservations.get for ${name} in an unexpected shape`);
      const r = parsed.data.specificReservation;
      return { machineType: r.instanceProperties.machineType.split('/').pop()!, count: r.count, inUseCount: r.inUseCount };
    },
  };
}
