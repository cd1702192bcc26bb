import { z } from 'zod';

/** The preflight as the API returns it (validateOnly, and the events and errors of a create or retry). */

const ShortfallSchema = z.object({
  quota: z.string().describe('Compute Engine regional quota metric, e.g. TPU_LITE_PODSLICE_V5, CPUS, N2_CPUS'),
  region: z.string(),
  needed: z.number().describe('What the create needs (initial node counts)'),
  available: z.number().describe('limit − usage'),
  limit: z.number(),
  usage: z.number(),
  for: z.array(z.string()).describe('The pools that need it'),
  increase: z.object({ console: z.string(), command: z.string() }).describe('Where to request an increase'),
});
export type Shortfall = z.infer<typeof ShortfallSchema>;

export const PreflightResultSchema = z
  .discriminatedUnion('checked', [
    z.object({
      checked: z.literal(true),
      project: z.string(),
      region: z.string(),
      quotas: z.array(z.object({
        quota: z.string(),
        needed: z.object({ min: z.number(), max: z.number() }).describe('min: at creation; max: every pool at its maximum'),
        available: z.number(),
        limit: z.number(),
        usage: z.number(),
      })),
      shortfalls: z.array(ShortfallSchema).describe('Empty when the create fits'),
      reservationProblems: z.array(z.string()),
      warnings: z.array(z.string()).describe('What fits now but not fully scaled out, and what could not be checked'),
    }),
    z.object({
      checked: z.literal(false),
      reason: z.string().describe('Why the service could not read the project'),
      roles: z.array(z.string()).describe('Read-only roles the service needs on the project to check'),
    }),
  ])
  .describe("The target project's regional Compute Engine quotas (and a consumed reservation) against what the spec needs");
export type PreflightResult = z.infer<typeof PreflightResultSchema>;
