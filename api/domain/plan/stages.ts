import type { EnvironmentSpec } from '../spec.js';
import { baseSteps } from './base/index.js';
import { bootstrapSteps } from './bootstrap.js';
import type { Ctx, StepDef } from './context.js';
import { perfSteps } from './perf.js';
import { saxmlSteps } from './saxml.js';

/**
 * The stages as data: whose resources each makes, whether a spec has it, and its steps. The plan
 * (index.ts), its phases (schedule.ts), the delete filter (delete.ts), a new environment's stage
 * list (new-environment.ts) and the record's schemas (environment.ts) all read this module: a new
 * stage is its name and its entry here, plus its own file.
 */

/** The stages, in creation order (DESIGN §3). The registry below must define exactly these, in this order, or it does not compile. */
export const STAGE_NAMES = ['bootstrap', 'base', 'perf', 'saxml'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

interface StageDef<Name extends StageName = StageName> {
  name: Name;
  /**
   * `project`: resources the environments of a project share (DESIGN §3). Made first (they include
   * the account every other step acts as) and deleted last, only when the delete asks for them.
   */
  owner: 'project' | 'environment';
  /** A disabled stage has no steps, and a new environment lists it SKIPPED. */
  enabled(spec: EnvironmentSpec): boolean;
  steps(ctx: Ctx): StepDef[];
}

/** One definition per stage name, in the same order. */
type Registry<Names extends readonly StageName[]> = { readonly [I in keyof Names]: StageDef<Names[I] & StageName> };

export const STAGES = [
  { name: 'bootstrap', owner: 'project', enabled: () => true, steps: bootstrapSteps },
  { name: 'base', owner: 'environment', enabled: () => true, steps: baseSteps },
  { name: 'perf', owner: 'environment', enabled: (spec) => spec.perf.enabled, steps: perfSteps },
  { name: 'saxml', owner: 'environment', enabled: (spec) => spec.saxml.enabled, steps: saxmlSteps },
] as const satisfies Registry<typeof STAGE_NAMES>;

export const ownerOf = (stage: StageName): StageDef['owner'] => STAGES.find((s) => s.name === stage)!.owner;
