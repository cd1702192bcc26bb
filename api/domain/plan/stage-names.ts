/**
 * The stages, in creation order (DESIGN §3). The registry (stages.ts) must define exactly these, in
 * this order, or it does not compile; the names live apart from it so that the record's schemas
 * (environment.ts) can name the stages without loading the plan builders.
 */
export const STAGE_NAMES = ['bootstrap', 'base', 'perf', 'saxml'] as const;
export type StageName = (typeof STAGE_NAMES)[number];
