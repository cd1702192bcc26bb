import { verb } from '../context.js';
import { planView, type PlanView } from '../common/plan-view.js';
import { visibleEnvironment } from '../common/visible.js';

/** The current operation's plan with each step's state: what exists, what is left. */
export const getPlan = verb(async (deps, ctx, input: { id: string }): Promise<PlanView> =>
  planView(deps, await visibleEnvironment(deps, ctx, input.id)));
