import { z } from 'zod';
import DEFAULT_PRICE_DATA from './prices.json' with { type: 'json' };

/**
 * The price table: data, one family per kind of SKU, each with where its numbers come from and when
 * they were read. The default is `prices.json` beside this file; `PRICES_FILE` (config.ts) replaces
 * it with a file of the same shape. Amounts are in `currency`, without taxes or discounts
 * (committed-use, sustained-use, negotiated), which differ per billing account.
 */

const Amount = z.number().nonnegative();
const Provenance = {
  source: z.url().describe("Google's pricing page for this family"),
  retrievedFrom: z.string().optional().describe('Where the numbers were read, when not from the page itself'),
  asOf: z.iso.date().describe('When the numbers were read'),
  note: z.string().optional(),
};
/** On-demand and Spot prices of one SKU in one region. */
const OnDemandAndSpot = z.strictObject({ onDemand: Amount, spot: Amount });
/** name (TPU generation, machine type, disk type) → region → price. */
const ByNameAndRegion = <T extends z.ZodType>(price: T) => z.record(z.string(), z.record(z.string(), price));

export const PriceTableSchema = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** Google bills monthly prices (GB-month) over 730 hours. */
  hoursPerMonth: z.number().positive(),
  families: z.strictObject({
    tpu: z.strictObject({ unit: z.literal('chip-hour'), ...Provenance, prices: ByNameAndRegion(OnDemandAndSpot) }),
    machines: z.strictObject({ unit: z.literal('VM-hour'), ...Provenance, prices: ByNameAndRegion(OnDemandAndSpot) }),
    disks: z.strictObject({ unit: z.literal('GB-month'), ...Provenance, prices: ByNameAndRegion(Amount) }),
    gke: z.strictObject({ unit: z.literal('cluster-hour'), ...Provenance, clusterManagementFee: Amount }),
    network: z.strictObject({
      ...Provenance,
      forwardingRuleHour: Amount,
      externalIpHour: OnDemandAndSpot,
      natVmHour: Amount,
      natMaxVms: z.number().int().positive(),
      natGatewayHourAboveMax: Amount,
    }),
  }),
});

export type PriceTable = z.infer<typeof PriceTableSchema>;
export type PriceFamily = keyof PriceTable['families'];

let defaultTable: PriceTable | undefined;
/**
 * The table in the repository, validated once, on first use: parsing it is a few milliseconds that
 * start-up need not spend before the first estimate. A broken edit fails the tests
 * (test/unit/domain/cost.test.ts) and the first estimate.
 */
export const defaultPrices = (): PriceTable => (defaultTable ??= PriceTableSchema.parse(DEFAULT_PRICE_DATA));
