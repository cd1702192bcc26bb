/**
 * Simulated time. The sandbox never sets timers: every long-running operation stores when it started
 * and when it will be done, and readers compare with `clock.now()`. Tests inject a clock they advance.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** RFC 3339 timestamp as Google prints them (`2024-01-02T03:04:05.678Z`). */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString();
