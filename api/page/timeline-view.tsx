import type { Timeline } from './timeline.js';

/**
 * The timeline as an SVG Gantt chart: a band per stage (with a thin bar spanning the stage), a row
 * per step, a bar from its start to its end (to now while it runs) coloured by its state, and
 * gridlines with the time since the first step. Geometry is in viewBox units; the chart scales
 * with the page. Hovering a row shows the step's title, state, duration and error (SVG <title>).
 */

const WIDTH = 960;
const LABEL_WIDTH = 210;
const RIGHT_MARGIN = 12;
const AXIS_HEIGHT = 22;
const STAGE_HEIGHT = 22;
const ROW_HEIGHT = 18;
const BAR_HEIGHT = 11;
/** An instant step still shows as a sliver. */
const MIN_BAR = 2;

export function TimelineChart({ timeline }: { timeline: Timeline }) {
  const chartWidth = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;
  const x = (fraction: number) => (LABEL_WIDTH + fraction * chartWidth).toFixed(1);
  const width = (from: number, to: number) => Math.max(MIN_BAR, (to - from) * chartWidth).toFixed(1);
  let y = AXIS_HEIGHT;
  const groups = timeline.groups.map((group) => {
    const top = y;
    y += STAGE_HEIGHT + group.rows.length * ROW_HEIGHT;
    return { ...group, top, height: y - top };
  });
  const height = y + 4;
  // Painted back to front: stage bands, gridlines, then the bars.
  return (
    <svg class="timeline" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="When each step ran">
      {groups.map((group) => <rect class="band" x={0} y={group.top} width={WIDTH} height={group.height} />)}
      {timeline.ticks.map((tick) => (
        <g class="tick">
          <line x1={x(tick.at)} x2={x(tick.at)} y1={AXIS_HEIGHT - 4} y2={height} />
          <text x={x(tick.at)} y={14}>{tick.label}</text>
        </g>
      ))}
      {groups.map((group) => (
        <g class="stage" data-stage={group.stage}>
          <text class="stage-name" x={6} y={group.top + 15}>{group.stage}</text>
          {group.span && <rect class="span" x={x(group.span.from)} y={group.top + 9} width={width(group.span.from, group.span.to)} height={4} rx={2} />}
          {group.rows.map((row, i) => {
            const rowTop = group.top + STAGE_HEIGHT + i * ROW_HEIGHT;
            return (
              <g class={`step state-${row.step.state.toLowerCase()}`} data-step={row.step.id}>
                <title>{row.tooltip}</title>
                <text class="step-label" x={18} y={rowTop + 12}>{row.label}</text>
                {row.bar && <rect class="bar" x={x(row.bar.from)} y={rowTop + (ROW_HEIGHT - BAR_HEIGHT) / 2} width={width(row.bar.from, row.bar.to)} height={BAR_HEIGHT} rx={2} />}
              </g>
            );
          })}
        </g>
      ))}
    </svg>
  );
}
