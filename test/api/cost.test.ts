import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../api/domain/cost/estimate.js';
import { defaultPrices } from '../../api/domain/cost/prices.js';
import { buildTestApp } from '../support/app.js';
import { created, dataOf, typedClient, validatedOf } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';

/** The estimate as the API shows it: in the validateOnly preview and on the environment resource. */

describe('cost in the API', () => {
  it('validateOnly answers the estimate of the normalised spec, with the price sources and dates', async () => {
    const { app } = buildTestApp();
    const preview = validatedOf(await typedClient(app).POST('/environments', { body: SMALLEST_SPEC, params: { query: { validateOnly: true } } }));
    expect(preview.estimate.currency).toBe('USD');
    expect(preview.estimate.hourly.min).toBeGreaterThan(4.8); // at least the v5litepod-4's 4 chips × $1.20
    expect(preview.estimate.hourly.max).toBeGreaterThan(preview.estimate.hourly.min);
    expect(preview.estimate.lines.map((l) => l.category)).toEqual(expect.arrayContaining(['tpu', 'compute', 'disk', 'gke', 'network']));
    expect(preview.estimate.prices.find((p) => p.family === 'tpu')).toMatchObject({ source: 'https://cloud.google.com/tpu/pricing', asOf: defaultPrices().families.tpu.asOf });
  });

  it('the environment shows its estimate and what it has cost so far, by state', async () => {
    let now = new Date('2026-03-01T10:00:00.000Z');
    const { app } = buildTestApp({ now: () => now });
    const client = typedClient(app);
    const env = await created(client);
    expect(env.cost.soFar.total).toEqual({ min: 0, max: 0 });

    now = new Date('2026-03-01T12:00:30.000Z'); // two hours (and 30 s, below the minute) in CREATING
    const read = dataOf(await client.GET('/environments/{id}', { params: { path: { id: env.id } } }), 200);
    const hourly = read.cost.estimate.hourly;
    expect(read.cost.soFar.asOf).toBe('2026-03-01T12:00:00.000Z');
    expect(read.cost.soFar.byState).toEqual([{ state: 'CREATING', hours: 2, amount: { min: Math.round(2 * hourly.min * 100) / 100, max: Math.round(2 * hourly.max * 100) / 100 } }]);
    expect(read).not.toHaveProperty('stateTimes');
  });

  it('PRICES_FILE-style replacement: the service estimates with the table it was given', async () => {
    const doubled = structuredClone(defaultPrices());
    doubled.families.tpu.prices.v5e!['us-west1'] = { onDemand: 2.4, spot: 0.5 };
    const { app } = buildTestApp({ prices: () => doubled });
    const preview = validatedOf(await typedClient(app).POST('/environments', { body: SMALLEST_SPEC, params: { query: { validateOnly: true } } }));
    expect(preview.estimate.lines.find((l) => l.category === 'tpu')!.hourly.min).toBe(9.6);
    expect(preview.estimate.hourly.min).toBeCloseTo(estimateCost(preview.spec as Parameters<typeof estimateCost>[0], defaultPrices()).hourly.min + 4.8, 4);
  });
});
