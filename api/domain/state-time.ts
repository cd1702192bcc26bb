import type { EnvironmentRecord, EnvironmentState, StateTimes } from './environment.js';

/**
 * How long an environment spent in each state. Every state change goes through `withState`
 * (new-environment.ts, operations.ts), so the totals are kept in the same write as the change.
 */

const elapsedSeconds = (from: string, to: string): number => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

const timesOf = (record: Pick<EnvironmentRecord, 'stateTimes' | 'createTime'>): StateTimes =>
  record.stateTimes ?? { since: record.createTime, seconds: {} };

/** The record in `state` from `time` on, the time spent in the state it leaves added to its total. */
export function withState(record: EnvironmentRecord, state: EnvironmentState, time: string): EnvironmentRecord {
  if (state === record.state) return record;
  const times = timesOf(record);
  const seconds = { ...times.seconds, [record.state]: (times.seconds[record.state] ?? 0) + elapsedSeconds(times.since, time) };
  return { ...record, state, stateTimes: { since: time, seconds } };
}

/** Seconds per state up to `now`, the current state included. */
export function secondsInStates(record: Pick<EnvironmentRecord, 'state' | 'stateTimes' | 'createTime'>, now: string): Partial<Record<EnvironmentState, number>> {
  const times = timesOf(record);
  return { ...times.seconds, [record.state]: (times.seconds[record.state] ?? 0) + elapsedSeconds(times.since, now) };
}
