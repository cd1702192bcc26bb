import type { StepDef } from './context.js';
import { descendants, reduceDependencies } from './graph.js';
import { isLookup } from './schedule.js';
import { ownerOf } from './stages.js';
import type { PlanOptions, PlanStep, ResourceStep } from './types.js';

/**
 * The delete plan: the reverse of the create DAG over the steps that can be undone. A step is
 * undone after the undo of every step that depended on it in create (directly or through steps
 * that have no undo, like the TPU pools between the cluster and Saxml). So Saxml goes before the
 * cluster, the cluster before the subnet, the subnet before the network, IAM grants before the
 * accounts they name, and the automation account's grants and the account itself last.
 *
 * Not undone: services (other workloads of the project may use them), node pools (deleted with the
 * cluster), the project's resources (bootstrap) unless `includeBootstrap` (the caller checked that
 * no other live environment needs them). A lookup stays when a delete step uses its capture, and
 * runs before that step.
 */

/** The create form: a resource step without its delete call. */
export function createForm(def: StepDef): PlanStep {
  if (def.step.kind !== 'resource') return def.step;
  const { delete: _delete, ...step } = def.step;
  return step;
}

/** The step that undoes a create step in a delete plan (its `after` is the caller's to set). */
export function deleteForm(def: StepDef): PlanStep {
  const undo = def.undo;
  if (!undo) throw new Error(`step "${def.step.id}" has nothing to undo`);
  if (undo.kind === 'replace') return { ...undo.step, after: [] };
  const step = def.step;
  const transient = undo.transient?.length ? { transient: undo.transient } : {};
  const uses = step.uses?.length ? { uses: step.uses } : {};
  const common = { id: step.id, stage: step.stage, title: undo.title, after: [], as: step.as, ...transient, ...uses };
  switch (step.kind) {
    case 'resource': {
      if (!step.delete) throw new Error(`resource step "${step.id}" has no delete call`);
      const out: ResourceStep = { ...common, kind: 'resource', delete: step.delete };
      if (step.get) out.get = step.get;
      // The delete reads the resource first and deletes it only if it carries the mark.
      if (step.owner) out.owner = step.owner;
      return out;
    }
    case 'iamBinding':
      return { ...common, kind: 'iamBinding', action: 'remove', bindings: step.bindings, read: step.read, write: step.write };
    case 'api':
      throw new Error(`api step "${step.id}" needs a replacement step to be undone`);
  }
}

export function deletePlanSteps(defs: readonly StepDef[], options: Pick<PlanOptions, 'includeBootstrap'>): PlanStep[] {
  const dependants = descendants(defs.map((d) => d.step));
  const kept = defs.filter((d) => d.undo && (ownerOf(d.step.stage) !== 'project' || options.includeBootstrap));
  const deleteId = new Map(kept.map((d) => [d.step.id, d.undo!.kind === 'replace' ? d.undo!.step.id : d.step.id]));

  const undone = kept.map((d) => ({
    ...deleteForm(d),
    after: [...dependants.get(d.step.id)!].filter((id) => deleteId.has(id)).map((id) => deleteId.get(id)!),
  }));

  // Lookups whose capture a delete step uses, and the edges from those steps to them.
  const lookups: PlanStep[] = [];
  for (const step of defs.map((d) => d.step)) {
    if (!isLookup(step)) continue;
    const provides = Object.keys(step.capture ?? {});
    const users = undone.filter((u) => u.uses?.some((name) => provides.includes(name)));
    if (!users.length) continue;
    const { outputs: _outputs, ...lookup } = step;
    lookups.push({ ...lookup, after: [] });
    for (const u of users) u.after.push(step.id);
  }

  // Reversed create order is an order of the reversed graph; reduce to the edges that are needed.
  return reduceDependencies([...lookups, ...undone.reverse()]);
}
