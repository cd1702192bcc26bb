/** How the status page writes times and durations (UTC, so every reader of a shared link sees the same). */

/** `7m02s`, `45s`, `1h03m`; tenths under ten seconds (`0.4s`, `2.5s`), so the steps of a fast local run still read. */
export function duration(ms: number): string {
  if (ms < 10_000) return `${Number((Math.max(0, ms) / 1000).toFixed(1))}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** From `start` to `end`, or to `now` while it runs; empty before it started. */
export const elapsed = (start: string | undefined, end: string | undefined, now: number): string =>
  start ? duration((end ? Date.parse(end) : now) - Date.parse(start)) : '';

/** `2026-12-02 05:26:30 UTC`. */
export const timestamp = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** `05:26:30`: the time of an event in the feed (the date is in the environment's header). */
export const clock = (iso: string): string => iso.slice(11, 19);

/** `$1.23`, or `$1.23–$4.56` for a range (autoscaled pools). */
export function money(range: { min: number; max: number }, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  return range.min === range.max ? format.format(range.min) : `${format.format(range.min)}–${format.format(range.max)}`;
}
