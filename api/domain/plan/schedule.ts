import { PlanGraphError, indexSteps, topologicalOrder } from './graph.js';
import { ownerOf } from './stages.js';
import type { PlanStep, ResourceStep, Schedule } from './types.js';

/**
 * Execution order (types.ts `Schedule`): phases one after another; in a phase, lanes (the connected
 * components of its steps, joined by edges inside the phase) run in parallel; in a lane, waves (the
 * longest-path level from the lane's first steps) run one after another. So perf, which shares no
 * edge with the cluster's chain, is its own lane and never waits for it.
 */

/** A step that only reads (and captures) values: no create, no delete. */
export const isLookup = (step: PlanStep): step is ResourceStep =>
  step.kind === 'resource' && !step.create && !step.delete && !!step.capture;

/** create: the project's stages first (bootstrap makes the automation account every other step acts as). */
export const createPhase = (step: PlanStep): number => (ownerOf(step.stage) === 'project' ? 0 : 1);

/**
 * delete: the environment first, the project's resources last (the automation token deletes
 * everything else). A lookup runs in the first phase: delete steps of that phase use its capture.
 */
export const deletePhase = (step: PlanStep): number => (ownerOf(step.stage) === 'project' && !isLookup(step) ? 1 : 0);

export function schedule(steps: readonly PlanStep[], phaseOf: (step: PlanStep) => number): Schedule {
  const byId = indexSteps(steps);
  const order = topologicalOrder(steps);
  const position = new Map(steps.map((s, i) => [s.id, i]));
  const phase = new Map(steps.map((s) => [s.id, phaseOf(s)]));

  for (const step of steps) {
    for (const dep of step.after) {
      if (phase.get(dep)! > phase.get(step.id)!) {
        throw new PlanGraphError(`step "${step.id}" (phase ${phase.get(step.id)}) waits for "${dep}" of a later phase (${phase.get(dep)})`);
      }
    }
  }

  const phases = [...new Set(phase.values())].sort((a, b) => a - b);
  return phases.map((p) => {
    const members = steps.filter((s) => phase.get(s.id) === p);
    const inside = (id: string) => phase.get(id) === p;

    // Lanes: connected components over the edges inside the phase (union-find).
    const parent = new Map(members.map((s) => [s.id, s.id]));
    const root = (id: string): string => {
      let r = id;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(id, r);
      return r;
    };
    for (const s of members) {
      for (const dep of s.after) {
        if (!inside(dep)) continue;
        const [a, b] = [root(s.id), root(dep)];
        if (a === b) continue;
        const [keep, drop] = position.get(a)! < position.get(b)! ? [a, b] : [b, a];
        parent.set(drop, keep);
      }
    }

    // Waves: longest path (in steps) from the lane's sources, over edges inside the phase.
    const level = new Map<string, number>();
    for (const id of order) {
      if (!inside(id)) continue;
      const deps = byId.get(id)!.after.filter(inside);
      level.set(id, deps.length ? Math.max(...deps.map((d) => level.get(d)! + 1)) : 0);
    }

    const lanes = new Map<string, string[][]>();
    for (const s of members) {
      const lane = lanes.get(root(s.id)) ?? [];
      lanes.set(root(s.id), lane);
      const l = level.get(s.id)!;
      while (lane.length <= l) lane.push([]);
      lane[l]!.push(s.id);
    }
    return [...lanes.values()];
  });
}

/** The longest chain of steps by total duration, and that duration: no execution can be faster. */
export function criticalChain(steps: readonly PlanStep[], durationOf: (step: PlanStep) => number): { duration: number; ids: string[] } {
  const byId = indexSteps(steps);
  const finish = new Map<string, { at: number; via: string | undefined }>();
  for (const id of topologicalOrder(steps)) {
    const step = byId.get(id)!;
    let start = 0;
    let via: string | undefined;
    for (const dep of step.after) {
      const f = finish.get(dep)!.at;
      if (f > start) [start, via] = [f, dep];
    }
    finish.set(id, { at: start + durationOf(step), via });
  }
  let end: string | undefined;
  for (const [id, f] of finish) if (end === undefined || f.at > finish.get(end)!.at) end = id;
  const ids: string[] = [];
  for (let id = end; id !== undefined; id = finish.get(id)!.via) ids.unshift(id);
  return { duration: end === undefined ? 0 : finish.get(end)!.at, ids };
}

/** The longest path duration through the DAG (each step weighted by `durationOf`). */
export function criticalPath(steps: readonly PlanStep[], durationOf: (step: PlanStep) => number): number {
  return criticalChain(steps, durationOf).duration;
}
