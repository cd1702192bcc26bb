import type { Deps } from '../../deps.js';
import type { EnvironmentRecord, StepProgress } from '../../domain/environment.js';
import type { Plan, PlanStep } from '../../domain/plan/types.js';
import { planFor } from './plan-for.js';

export type PlanStepView = PlanStep & {
  state: 'PENDING' | StepProgress['state'];
  startTime?: string;
  endTime?: string;
  error?: StepProgress['error'];
};
export type PlanView = Omit<Plan, 'steps'> & { operationId?: string; steps: PlanStepView[] };

/** The current operation's plan with each step's state: what exists, what is left. */
export function planView(deps: Pick<Deps, 'google' | 'apiBase'>, record: EnvironmentRecord): PlanView {
  const plan = planFor(deps, record);
  const progress = record.progress[record.operation?.target ?? 'create'];
  return {
    ...plan,
    operationId: record.operation?.id,
    steps: plan.steps.map((step) => {
      const p = progress[step.id];
      return { ...step, state: p?.state ?? 'PENDING', ...(p?.startTime && { startTime: p.startTime }), ...(p?.endTime && { endTime: p.endTime }), ...(p?.error && { error: p.error }) };
    }),
  };
}
