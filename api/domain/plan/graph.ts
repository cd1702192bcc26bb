import type { PlanStep } from './types.js';

/** The plan as a graph: `after` edges point from a step to what must be done before it. */

type Node = Pick<PlanStep, 'id' | 'after'>;

export class PlanGraphError extends Error {
  override name = 'PlanGraphError';
}

/** Steps by id; refuses duplicate ids and `after` entries naming no step. */
export function indexSteps<T extends Node>(steps: readonly T[]): Map<string, T> {
  const byId = new Map<string, T>();
  for (const step of steps) {
    if (byId.has(step.id)) throw new PlanGraphError(`duplicate step id "${step.id}"`);
    byId.set(step.id, step);
  }
  for (const step of steps) {
    for (const dep of step.after) {
      if (!byId.has(dep)) throw new PlanGraphError(`step "${step.id}" waits for "${dep}", which is not in the plan`);
    }
  }
  return byId;
}

/** Ids in an order where every step comes after its dependencies (stable: plan order breaks ties); throws on a cycle. */
export function topologicalOrder(steps: readonly Node[]): string[] {
  const byId = indexSteps(steps);
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const visit = (id: string, path: string[]) => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      throw new PlanGraphError(`dependency cycle: ${cycle.join(' → ')}`);
    }
    state.set(id, 'visiting');
    for (const dep of byId.get(id)!.after) visit(dep, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const step of steps) visit(step.id, []);
  return order;
}

/** For every step, every step it waits for, directly or not. */
export function ancestors(steps: readonly Node[]): Map<string, Set<string>> {
  const byId = indexSteps(steps);
  const result = new Map<string, Set<string>>();
  for (const id of topologicalOrder(steps)) {
    const all = new Set<string>();
    for (const dep of byId.get(id)!.after) {
      all.add(dep);
      for (const a of result.get(dep)!) all.add(a);
    }
    result.set(id, all);
  }
  return result;
}

/** For every step, every step that waits for it, directly or not. */
export function descendants(steps: readonly Node[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>(steps.map((s) => [s.id, new Set<string>()]));
  for (const [id, ups] of ancestors(steps)) for (const up of ups) result.get(up)!.add(id);
  return result;
}

/**
 * The transitive reduction: each `after` keeps only the dependencies not implied by another one
 * (duplicates dropped, order kept). Ordering is unchanged; every remaining edge is needed.
 */
export function reduceDependencies<T extends Node>(steps: readonly T[]): T[] {
  const ups = ancestors(steps);
  return steps.map((step) => {
    const direct = [...new Set(step.after)];
    const needed = direct.filter((dep) => !direct.some((other) => other !== dep && ups.get(other)!.has(dep)));
    return { ...step, after: needed };
  });
}
