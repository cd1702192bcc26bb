import type { EnvironmentRecord, EnvironmentState } from '../environment.js';
import { secondsInStates } from '../state-time.js';
import type { CostEstimate, CostSoFar } from './schemas.js';

const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * What an environment has cost so far: the estimate's hourly rate × the hours spent in each state.
 * Every state but DELETED is billed at the whole estimate — exact while ACTIVE; an upper bound
 * while CREATING, DELETING or FAILED, when only part of the resources exist.
 */
export function costSoFar(
  record: Pick<EnvironmentRecord, 'state' | 'stateTimes' | 'createTime'>,
  estimate: Pick<CostEstimate, 'currency' | 'hourly'>,
  asOf: string,
): CostSoFar {
  const byState = Object.entries(secondsInStates(record, asOf)).map(([state, seconds]) => {
    const hours = seconds / 3600;
    const billed = state === 'DELETED' ? 0 : hours;
    return { state: state as EnvironmentState, hours, amount: { min: billed * estimate.hourly.min, max: billed * estimate.hourly.max } };
  });
  const total = byState.reduce((t, s) => ({ min: t.min + s.amount.min, max: t.max + s.amount.max }), { min: 0, max: 0 });
  return {
    currency: estimate.currency,
    total: { min: cents(total.min), max: cents(total.max) },
    byState: byState.map((s) => ({ ...s, hours: Math.round(s.hours * 1000) / 1000, amount: { min: cents(s.amount.min), max: cents(s.amount.max) } })),
    asOf,
  };
}
