import type { NormalisedSpec } from '../spec.js';
import { isServiceBatch } from './bootstrap.js';
import { SERVICE_NOT_YET_ENABLED, createCtx, type StepDef } from './context.js';
import { createForm, deletePlanSteps } from './delete.js';
import { indexSteps, reduceDependencies, topologicalOrder } from './graph.js';
import { createPhase, deletePhase, schedule } from './schedule.js';
import { STAGES } from './stages.js';
import type { Plan, PlanOptions, PlanStep } from './types.js';
import { updatePlanSteps } from './update.js';

/*
 * Modules: stages.ts (the stage registry; names in stage-names.ts), context.ts (what stage
 * builders share; StepDef = create form + how to undo it), services.ts (service list and batches),
 * google.ts (URL builders, discovery body types), resources.ts (the one resource-step builder;
 * service account and bucket steps), iam.ts (iamBinding steps), bootstrap.ts, base/ (one file per
 * family of resources; gke.ts has the cluster and node-pool bodies), perf.ts, saxml.ts, delete.ts
 * (the reverse plan), graph.ts (order, closure, reduction), schedule.ts (phases/lanes/waves,
 * critical path).
 *
 * Decisions the design left open, recorded where they are made:
 * - No `perf.services` step: the bootstrap batches enable pubsub and bigquery when perf is on (services.ts).
 * - The Pub/Sub service agent's BigQuery roles are the project's; a delete plan removes them only
 *   with the bootstrap resources (perf.ts). So the project lookup appears in a delete plan only then.
 * - The Saxml teardown step is `saxml.delete` and is done when the status route says DELETED (saxml.ts).
 */

/**
 * The plan builder (DESIGN §6): compiles a spec into the DAG of idempotent Google REST calls the
 * workflow executes. Pure and deterministic: no clock, no randomness, no I/O; the same spec and
 * options give a deep-equal plan.
 *
 * Every `after` is reduced to the dependencies not implied by others (the transitive reduction),
 * so each listed edge is one the step really needs and the plan stays small.
 */
export function buildPlan(spec: NormalisedSpec, options: PlanOptions): Plan {
  const ctx = createCtx(spec, options);
  const defs = stageDefs(spec, options);

  const steps = options.kind === 'create' ? reduceDependencies(defs.map(createForm).map(waitForServices))
    : options.kind === 'update' ? reduceDependencies(updateSteps(spec, defs, options).map(waitForServices))
    : deletePlanSteps(defs, options);
  indexSteps(steps);
  const email = ctx.names.automationServiceAccountEmail;
  return {
    kind: options.kind,
    automation: { serviceAccount: email, tokenUrl: ctx.urls.iamcredentials.generateAccessToken(email) },
    steps,
    schedule: schedule(steps, options.kind === 'delete' ? deletePhase : createPhase),
  };
}

/** Every stage's step definitions for a spec, in creation order (the create graph, checked sound). */
function stageDefs(spec: NormalisedSpec, options: PlanOptions): StepDef[] {
  const ctx = createCtx(spec, options);
  const defs = STAGES.filter((stage) => stage.enabled(spec)).flatMap((stage) => stage.steps(ctx));
  // The create graph must be sound before anything is derived from it (delete and update plans).
  topologicalOrder(defs.map((d) => d.step));
  return defs;
}

/** The update plan's steps: the diff between the base's create steps and the spec's (update.ts). */
function updateSteps(spec: NormalisedSpec, defs: StepDef[], options: PlanOptions): PlanStep[] {
  const base = options.update;
  if (!base) throw new Error('an update plan needs the base it converges from (options.update)');
  // Stored specs are the ones a create or a PATCH normalised.
  const fromSpec = base.spec as NormalisedSpec;
  return updatePlanSteps({
    to: defs, from: stageDefs(fromSpec, options), leftovers: base.leftovers.map((l) => stageDefs(l.spec as NormalisedSpec, options)),
    toSpec: spec, fromSpec, base, environmentId: options.environmentId, urls: createCtx(spec, options).urls,
  });
}

/**
 * The largest plan the service builds, as JSON. The workflow holds the plan's steps in its
 * variables, which Cloud Workflows caps at 512 KB per execution, and reports on every step: spec
 * limits keep real plans far below this (the largest legal spec makes about 150 KB); this bound is
 * what makes that a guarantee.
 */
export const MAX_PLAN_BYTES = 256 * 1024;

/** Why a plan is too large to run, or undefined. */
export function planSizeProblem(plan: Plan): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(plan));
  if (bytes <= MAX_PLAN_BYTES) return undefined;
  return `this spec makes a plan of ${Math.ceil(bytes / 1024)} KB, more than the ${MAX_PLAN_BYTES / 1024} KB the workflow can hold: use fewer node pools, models, labels, services or roles`;
}

/**
 * In a create plan every Google call after the service batches may reach an API enabled minutes
 * ago: let it wait out the propagation. (A delete plan runs long after; the batches need
 * serviceusage, which a project has from the start.)
 */
function waitForServices(step: StepDef['step']): StepDef['step'] {
  if (step.kind === 'api' || isServiceBatch(step.id)) return step;
  return { ...step, transient: [...(step.transient ?? []), SERVICE_NOT_YET_ENABLED] };
}

export { criticalChain, criticalPath, createPhase, deletePhase, isLookup, schedule } from './schedule.js';
export { PlanGraphError, reduceDependencies } from './graph.js';
export { cpuNodePoolBody, tpuNodePoolBody } from './gke.js';
export { requiredServices, MAX_SERVICES_PER_BATCH } from './services.js';
export * from './types.js';
