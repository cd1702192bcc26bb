import { STAGE_NAMES, type StageName } from '../domain/environment.js';
import type { PlanStepView } from '../services/common/plan-view.js';
import { duration } from './format.js';

/**
 * The Gantt picture of an operation, as numbers: which step ran when, from the plan's step times.
 * Pure (the page draws it, timeline-view.tsx), so its geometry is tested without a browser.
 */

export type TimelineStep = Pick<PlanStepView, 'id' | 'stage' | 'title' | 'state' | 'startTime' | 'endTime' | 'error'>;

export interface TimelineRow {
  step: TimelineStep;
  /** The step id without its stage (`cluster`, `tpu-pool.tpu-v5e-4`), shortened to fit the label column. */
  label: string;
  /** Where its bar lies, as fractions of the time axis; none for a step that has not started. */
  bar?: { from: number; to: number };
  /** What hovering over the row says. */
  tooltip: string;
}

export interface Timeline {
  /** Epoch ms of the axis' two ends. */
  start: number;
  end: number;
  /** Per stage: its rows, and the span from its first start to its last end (none before it starts). */
  groups: { stage: StageName; rows: TimelineRow[]; span?: { from: number; to: number } }[];
  /** Gridlines: where (fraction of the axis) and the time since the start they mark. */
  ticks: { at: number; label: string }[];
}

const LABEL_CHARS = 26;
/** Tick spacings to choose from: the smallest that gives at most MAX_TICKS intervals. */
const SPACINGS_MS = [200, 500, 1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 14400e3, 43200e3, 86400e3];
const MAX_TICKS = 6;

const shorten = (text: string) => (text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text);
const startOf = (step: TimelineStep) => (step.startTime ? Date.parse(step.startTime) : undefined);

/**
 * The timeline of `steps` at `now`: one row per step, grouped by stage in creation order and
 * ordered by start within a stage (the staircase that shows what waited for what); a running step's
 * bar reaches `now`. Undefined while no step has started.
 */
export function timelineOf(steps: readonly TimelineStep[], now: number): Timeline | undefined {
  const starts = steps.map(startOf).filter((t): t is number => t !== undefined);
  if (!starts.length) return undefined;
  const start = Math.min(...starts);
  const endOf = (step: TimelineStep) => (step.endTime ? Date.parse(step.endTime) : step.state === 'RUNNING' ? Math.max(now, startOf(step)!) : undefined);
  const ends = steps.map(endOf).filter((t): t is number => t !== undefined);
  // A span of zero (one step that started this very millisecond) still needs an axis.
  const end = Math.max(start + 1, ...ends);
  const at = (t: number) => (t - start) / (end - start);

  const row = (step: TimelineStep): TimelineRow => {
    const from = startOf(step);
    const to = endOf(step);
    const took = from !== undefined && to !== undefined ? ` in ${duration(to - from)}${step.state === 'RUNNING' ? ' so far' : ''}` : '';
    const offset = from !== undefined ? `, from +${duration(from - start)}` : '';
    return {
      step,
      label: shorten(step.id.startsWith(`${step.stage}.`) ? step.id.slice(step.stage.length + 1) : step.id),
      ...(from !== undefined && to !== undefined && { bar: { from: at(from), to: at(to) } }),
      tooltip: `${step.id}: ${step.title} — ${step.state}${took}${offset}${step.error ? ` — ${step.error.code}: ${step.error.message}` : ''}`,
    };
  };

  const groups = STAGE_NAMES.map((stage) => {
    // Stable sort: unstarted steps keep plan order, after the started ones.
    const rows = steps.filter((step) => step.stage === stage).sort((a, b) => (startOf(a) ?? Infinity) - (startOf(b) ?? Infinity)).map(row);
    const bars = rows.flatMap((r) => (r.bar ? [r.bar] : []));
    const span = bars.length ? { from: Math.min(...bars.map((b) => b.from)), to: Math.max(...bars.map((b) => b.to)) } : undefined;
    return { stage, rows, ...(span && { span }) };
  }).filter((group) => group.rows.length);

  const span = end - start;
  const spacing = SPACINGS_MS.find((ms) => span / ms <= MAX_TICKS) ?? SPACINGS_MS.at(-1)!;
  const ticks = [];
  for (let t = 0; t <= span; t += spacing) ticks.push({ at: t / span, label: duration(t) });
  return { start, end, groups, ticks };
}
