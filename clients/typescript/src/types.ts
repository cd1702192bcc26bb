import type { components, operations, paths } from './generated/openapi.js';

/**
 * Names for the document's shapes, so code that uses the client never spells out a generated path.
 * All of them come from `generated/openapi.d.ts` (openapi-typescript, default options), which
 * `npm run openapi` regenerates from the routes.
 */

type Schemas = components['schemas'];

/** What a create (or a validate-only create) sends: every field with a default may be left out. */
export type EnvironmentSpecInput = paths['/environments']['post']['requestBody']['content']['application/json'];
/** The normalised spec an environment carries: every default filled in. */
export type EnvironmentSpec = Schemas['EnvironmentSpec'];
export type Environment = Schemas['Environment'];
export type EnvironmentState = Environment['state'];
export type Stage = Environment['stages'][number];
export type ValidateOnlyResult = Schemas['ValidateOnlyResult'];
/** What a PATCH sends: a JSON merge patch (RFC 7396) of the spec. */
export type EnvironmentSpecPatch = Schemas['EnvironmentSpecPatch'];
/** The answer to a validate-only PATCH: the new spec, what changes, the update plan, its cost. */
export type UpdatePreview = Schemas['UpdatePreview'];
export type EnvironmentEvent = Schemas['Event'];
export type PlanWithProgress = Schemas['PlanWithProgress'];
export type Problem = Schemas['Problem'];
export type ProblemCode = Problem['code'];
export type ListEnvironmentsQuery = NonNullable<paths['/environments']['get']['parameters']['query']>;

export type { components, operations, paths };
