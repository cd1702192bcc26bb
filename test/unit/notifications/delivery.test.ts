import { describe, expect, it } from 'vitest';
import {
  afterAttempt, GIVE_UP_AFTER_MS, MAX_ATTEMPTS, RETRY_DELAYS_MS, type AttemptResult, type Delivery,
} from '../../../api/domain/notifications/delivery.js';

const T0 = '2030-01-01T00:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const pending = (): Delivery => ({
  id: 'dlv-0000000001-t1', environmentId: 'env-1', event: { seq: 1, type: 'environment.active' },
  target: { id: 't1', type: 'webhook', url: 'https://receiver.example.com/…' }, sealedTarget: 'sealed', body: '{}',
  state: 'PENDING', attempts: [], nextAttemptTime: T0, claim: { token: 'c1', until: at(60_000) },
  redelivery: false, scheduleStart: T0, createTime: T0,
});

const down: AttemptResult = { outcome: 'retry', statusCode: 503, error: 'HTTP 503', durationMs: 3 };

/** Fails every attempt at its due time until the delivery ends; returns the times attempted. */
function failUntilEnd(random: () => number): { times: number[]; end: Delivery } {
  let d = pending();
  const times: number[] = [];
  while (d.state === 'PENDING') {
    const now = d.nextAttemptTime!;
    times.push(Date.parse(now) - Date.parse(T0));
    d = afterAttempt(d, down, now, random);
  }
  return { times, end: d };
}

describe('the retry schedule', () => {
  it(`makes ${MAX_ATTEMPTS} attempts over about 24 hours, backing off exponentially, then gives up`, () => {
    const { times, end } = failUntilEnd(() => 0.5); // no jitter at 0.5
    expect(times).toHaveLength(MAX_ATTEMPTS);
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(8);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toEqual([...RETRY_DELAYS_MS]);
    for (let i = 1; i < gaps.length - 1; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
    const hours = times.at(-1)! / 3_600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(26);
    expect(end).toMatchObject({ state: 'FAILED', outcome: `gave up after ${MAX_ATTEMPTS} attempts: HTTP 503` });
    expect(end.attempts).toHaveLength(MAX_ATTEMPTS);
    expect(end.claim).toBeUndefined();
  });

  it('spreads retries by ±10 % so that receivers that went down together are not retried in lockstep', () => {
    const low = failUntilEnd(() => 0).times;
    const high = failUntilEnd(() => 0.999999).times;
    // The first retry is due 5 s after the first attempt: between 4.5 s and 5.5 s.
    expect([low[1], high[1]]).toEqual([4500, 5500]);
  });

  it('waits as long as a 429 asks (Retry-After, within 1 s … 1 h), without counting it towards the attempts', () => {
    let d = pending();
    for (let i = 0; i < 20; i++) {
      const now = d.nextAttemptTime!;
      d = afterAttempt(d, { outcome: 'retry', statusCode: 429, error: 'HTTP 429', durationMs: 1, retryAfterMs: 30_000 }, now, () => 0.5);
      expect(Date.parse(d.nextAttemptTime!) - Date.parse(now)).toBe(30_000);
    }
    expect(d.state).toBe('PENDING');
    expect(d.attempts).toHaveLength(20);
    const clamped = afterAttempt(pending(), { outcome: 'retry', statusCode: 429, error: 'x', durationMs: 1, retryAfterMs: 0 }, T0, () => 0.5);
    expect(clamped.nextAttemptTime).toBe(at(1000));
    const capped = afterAttempt(pending(), { outcome: 'retry', statusCode: 429, error: 'x', durationMs: 1, retryAfterMs: 86_400_000 }, T0, () => 0.5);
    expect(capped.nextAttemptTime).toBe(at(3_600_000));
    // Rate limits forever still end: nothing is retried past the give-up window.
    const late = afterAttempt(pending(), { outcome: 'retry', statusCode: 429, error: 'HTTP 429', durationMs: 1, retryAfterMs: 1000 }, at(GIVE_UP_AFTER_MS), () => 0.5);
    expect(late).toMatchObject({ state: 'FAILED', outcome: 'gave up after 26 hours: HTTP 429' });
  });

  it('ends at once when delivered, refused or the target is gone, and records each attempt', () => {
    expect(afterAttempt(pending(), { outcome: 'delivered', statusCode: 204, durationMs: 12 }, at(5), () => 0.5)).toMatchObject({
      state: 'DELIVERED', endTime: at(5), outcome: 'delivered (HTTP 204)', attempts: [{ time: at(5), statusCode: 204, durationMs: 12 }],
    });
    expect(afterAttempt(pending(), { outcome: 'failed', statusCode: 400, error: 'HTTP 400: invalid_payload', durationMs: 1 }, T0, () => 0.5))
      .toMatchObject({ state: 'FAILED', outcome: 'refused: HTTP 400: invalid_payload' });
    expect(afterAttempt(pending(), { outcome: 'disable', statusCode: 410, error: 'HTTP 410', durationMs: 1 }, T0, () => 0.5))
      .toMatchObject({ state: 'FAILED', outcome: 'target disabled: HTTP 410' });
  });

  it('a deferral (our own Slack pacing) is not an attempt', () => {
    const d = afterAttempt(pending(), { outcome: 'deferred', until: at(800) }, T0, () => 0.5);
    expect(d).toMatchObject({ state: 'PENDING', nextAttemptTime: at(800), attempts: [] });
    expect(d.claim).toBeUndefined();
  });

  it('counts failures from the start of the current schedule: a redelivery gets the whole schedule again', () => {
    const { end } = failUntilEnd(() => 0.5);
    const restart = at(48 * 3_600_000);
    const redelivered: Delivery = { ...end, state: 'PENDING', redelivery: true, scheduleStart: restart, nextAttemptTime: restart };
    const after = afterAttempt(redelivered, down, restart, () => 0.5);
    expect(after).toMatchObject({ state: 'PENDING', nextAttemptTime: new Date(Date.parse(restart) + RETRY_DELAYS_MS[0]).toISOString() });
  });
});
