import type { NormalisedSpec } from '../spec.js';
import { resourceNames, type ResourceNames } from '../naming.js';
import { GOOGLE_APIS, type GoogleApi } from '../google-apis.js';
import { BOOTSTRAP_STEPS } from './bootstrap.js';
import { googleUrls, type GoogleUrls } from './google.js';
import { bootstrapMark, environmentMark, type Mark } from './marks.js';
import type { PlanOptions, PlanStep, TransientError } from './types.js';
import { serviceBatches } from './services.js';

/**
 * What every stage builder shares: the spec, the derived names, the URL builders and the
 * dependency helpers. Stage builders return `StepDef`s: the step as a create plan runs it, plus how
 * a delete plan undoes it. `buildPlan` turns them into one plan or the other.
 */

export interface StepDef {
  /** The create form. A resource step also carries its `delete` call here (the create plan strips it). */
  step: PlanStep;
  /**
   * How a delete plan undoes the step; absent when there is nothing to undo (services stay enabled,
   * node pools go with their cluster, lookups are kept only when a delete step uses their capture).
   */
  undo?: Undo;
}

export type Undo =
  /** The same step reversed: a resource step's `delete` call, an iamBinding with `action: 'remove'`. */
  | { kind: 'reverse'; title: string; transient?: TransientError[] }
  /** A different step in its place (the Saxml teardown call). Its `after` is computed, whatever it says. */
  | { kind: 'replace'; step: PlanStep };

/**
 * A service enabled moments ago answers 403 SERVICE_DISABLED ("… has not been used in project … before
 * or it is disabled … wait a few minutes for the action to propagate") until the change propagates.
 */
export const SERVICE_NOT_YET_ENABLED: TransientError = { status: 403, matches: 'has not been used in project', within: 600 };

/** The step every automation step needs first: the automation account holds its roles (and a token). */
export const TOKEN_GATE = [BOOTSTRAP_STEPS.automationReady] as const;

export interface Ctx {
  spec: NormalisedSpec;
  options: PlanOptions;
  names: ResourceNames;
  urls: GoogleUrls;
  /** The environment's mark, on every resource of its own (marks.ts). */
  mark: Mark;
  /** The project bootstrap's mark, on the resources the project's environments share. */
  bootstrapMark: Mark;
  /** The labels of a labelled environment resource: the spec's, and the environment's mark. */
  labels: Record<string, string>;
  /** Ids of the service batches that enable these APIs. */
  enabling(apis: readonly GoogleApi[]): string[];
  /**
   * `after` for an automation step calling `apis`: the token gate, the batches enabling those APIs
   * and IAM Credentials (the token is minted there), then `steps`. Redundant entries are fine:
   * buildPlan reduces every `after` to the edges that are not implied by others.
   */
  automationAfter(apis: readonly GoogleApi[], ...steps: string[]): string[];
}

export function createCtx(spec: NormalisedSpec, options: PlanOptions): Ctx {
  const batches = serviceBatches(spec);
  const enabling = (apis: readonly GoogleApi[]) => {
    const ids = new Set<string>();
    for (const api of apis) {
      const i = batches.findIndex((batch) => batch.includes(GOOGLE_APIS[api].service));
      if (i >= 0) ids.add(BOOTSTRAP_STEPS.services(i));
    }
    return [...ids];
  };
  const mark = environmentMark(options.environmentId);
  return {
    spec,
    options,
    names: resourceNames(spec),
    urls: googleUrls(options.apis, spec.project),
    mark,
    bootstrapMark: bootstrapMark(spec.project),
    labels: { ...spec.labels, ...mark.labels },
    enabling,
    automationAfter: (apis, ...steps) => [...TOKEN_GATE, ...enabling(['iamcredentials', ...apis]), ...steps],
  };
}
