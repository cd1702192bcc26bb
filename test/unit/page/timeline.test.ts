import { describe, expect, it } from 'vitest';
import { timelineOf, type TimelineStep } from '../../../api/page/timeline.js';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function step(id: string, state: TimelineStep['state'], from?: number, to?: number, extra: Partial<TimelineStep> = {}): TimelineStep {
  return {
    id, stage: id.split('.')[0] as TimelineStep['stage'], title: `the ${id}`, state,
    ...(from !== undefined && { startTime: at(from) }), ...(to !== undefined && { endTime: at(to) }), ...extra,
  };
}

describe('the timeline of an operation', () => {
  it('is nothing while no step has started', () => {
    expect(timelineOf([step('bootstrap.services.1', 'PENDING'), step('base.network', 'PENDING')], T0)).toBeUndefined();
  });

  it('places each bar from its start to its end on an axis from the first start to the last end', () => {
    const timeline = timelineOf([
      step('bootstrap.services.1', 'SUCCEEDED', 0, 20),
      step('base.network', 'SUCCEEDED', 20, 60),
      step('base.cluster', 'SUCCEEDED', 60, 100),
    ], T0 + 500_000)!;
    expect([timeline.start, timeline.end]).toEqual([T0, T0 + 100_000]);
    const bars = Object.fromEntries(timeline.groups.flatMap((g) => g.rows).map((r) => [r.step.id, r.bar]));
    expect(bars).toEqual({
      'bootstrap.services.1': { from: 0, to: 0.2 },
      'base.network': { from: 0.2, to: 0.6 },
      'base.cluster': { from: 0.6, to: 1 },
    });
  });

  it('draws a running step up to now, and the axis with it', () => {
    const timeline = timelineOf([step('base.network', 'SUCCEEDED', 0, 30), step('base.cluster', 'RUNNING', 30)], T0 + 120_000)!;
    expect(timeline.end).toBe(T0 + 120_000);
    const cluster = timeline.groups[0]!.rows.find((r) => r.step.id === 'base.cluster')!;
    expect(cluster.bar).toEqual({ from: 0.25, to: 1 });
    expect(cluster.tooltip).toBe('base.cluster: the base.cluster — RUNNING in 1m30s so far, from +30s');
  });

  it('groups rows by stage in creation order, each ordered by start, with steps not started last in plan order and no bar', () => {
    const timeline = timelineOf([
      step('perf.topic', 'SUCCEEDED', 5, 6),
      step('base.tpu-pool.a', 'PENDING'),
      step('base.cluster', 'RUNNING', 3),
      step('base.workload-identity', 'PENDING'),
      step('base.network', 'SUCCEEDED', 1, 2),
      step('bootstrap.project', 'SUCCEEDED', 0, 1),
    ], T0 + 10_000)!;
    expect(timeline.groups.map((g) => [g.stage, g.rows.map((r) => r.label)])).toEqual([
      ['bootstrap', ['project']],
      ['base', ['network', 'cluster', 'tpu-pool.a', 'workload-identity']],
      ['perf', ['topic']],
    ]);
    expect(timeline.groups[1]!.rows.filter((r) => !r.bar).map((r) => r.step.id)).toEqual(['base.tpu-pool.a', 'base.workload-identity']);
    expect(timeline.groups[1]!.span).toEqual({ from: 0.1, to: 1 });
  });

  it('names a failed step\'s error when hovered, and shortens long labels', () => {
    const error = { code: 'GCE_STOCKOUT', message: 'no capacity in us-west1-c' };
    const timeline = timelineOf([step('base.tpu-pool.a-very-long-node-pool-name-indeed', 'FAILED', 0, 4, { error })], T0)!;
    const row = timeline.groups[0]!.rows[0]!;
    expect(row.label).toBe('tpu-pool.a-very-long-node…');
    expect(row.tooltip).toContain('FAILED in 4s, from +0s — GCE_STOCKOUT: no capacity in us-west1-c');
  });

  it.each([
    [2, ['0s', '0.5s', '1s', '1.5s', '2s']],
    [50, ['0s', '10s', '20s', '30s', '40s', '50s']],
    [14 * 60, ['0s', '5m00s', '10m00s']],
    [3 * 3600 + 60, ['0s', '1h00m', '2h00m', '3h00m']],
  ])('puts a handful of gridlines at round times on a %s-second axis', (seconds, labels) => {
    const timeline = timelineOf([step('base.cluster', 'SUCCEEDED', 0, seconds)], T0)!;
    expect(timeline.ticks.map((t) => t.label)).toEqual(labels);
    const gaps = timeline.ticks.slice(1).map((t, i) => t.at - timeline.ticks[i]!.at);
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0]!, 9);
    expect(timeline.ticks.at(-1)!.at).toBeLessThanOrEqual(1);
  });
});
