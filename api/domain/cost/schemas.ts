import { z } from 'zod';
import { ENVIRONMENT_STATES } from '../environment.js';

/**
 * The cost estimate and the cost so far as the API returns them (validateOnly, the environment
 * resource): one description for the code (types) and the OpenAPI document (routes name them).
 */

const RangeSchema = z
  .object({ min: z.number(), max: z.number() })
  .describe('min: autoscaled pools at their minimum node counts; max: at their maximum');
export type Range = z.infer<typeof RangeSchema>;

const CostLineSchema = z.object({
  category: z.enum(['tpu', 'compute', 'disk', 'gke', 'network']),
  item: z.string(),
  quantity: RangeSchema.describe('How many units run: chips, VMs, GB, clusters, addresses, rules'),
  unit: z.string(),
  unitPrice: z.number().describe('Per unit-hour, or per GB-month for disks'),
  pricing: z.enum(['on-demand', 'spot']).optional(),
  hourly: RangeSchema,
  days30: RangeSchema,
});
export type CostLine = z.infer<typeof CostLineSchema>;

export const PRICE_FAMILIES = ['tpu', 'machines', 'disks', 'gke', 'network'] as const;

export const CostEstimateSchema = z.object({
  currency: z.string(),
  hourly: RangeSchema,
  days30: RangeSchema.describe('hourly × 720'),
  lines: z.array(CostLineSchema),
  usageBased: z.array(z.object({ item: z.string(), note: z.string() })).describe('Billed by use, not in the totals'),
  unpriced: z
    .array(z.object({ item: z.string(), reason: z.string() }))
    .describe('Lines the price table has no price for: not in the totals, which are then a lower bound'),
  assumptions: z.array(z.string()),
  prices: z
    .array(z.object({ family: z.enum(PRICE_FAMILIES), asOf: z.string(), source: z.string() }))
    .describe('"prices as of <asOf>, source <source>" for every price family used'),
});
export type CostEstimate = z.infer<typeof CostEstimateSchema>;

export const CostSoFarSchema = z
  .object({
    currency: z.string(),
    total: RangeSchema,
    byState: z.array(z.object({ state: z.enum(ENVIRONMENT_STATES), hours: z.number(), amount: RangeSchema })),
    asOf: z.string().describe('The instant the amounts are computed for (the read, to the minute)'),
  })
  .describe('The estimate × the hours spent in each state; every state but DELETED counts the whole estimate (an upper bound while CREATING, DELETING or FAILED)');
export type CostSoFar = z.infer<typeof CostSoFarSchema>;
