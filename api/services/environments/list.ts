import type { EnvironmentRecord, EnvironmentState } from '../../domain/environment.js';
import { DomainError } from '../../domain/errors.js';
import type { Page } from '../../store/port.js';
import { verb } from '../context.js';

export interface ListInput {
  pageSize: number;
  pageToken?: string;
  state?: EnvironmentState;
  project?: string;
  labels?: Record<string, string>;
}

/** Newest first. A caller allowed only in some projects must name one of them. */
export const listEnvironments = verb(async (deps, ctx, input: ListInput): Promise<Page<EnvironmentRecord>> => {
  const visible = deps.auth.policy.visibleProjects(ctx.principal);
  if (visible !== 'all') {
    if (!input.project) {
      throw new DomainError('PERMISSION_DENIED', `${ctx.principal.id} may list only projects ${visible.join(', ')}: pass project=<one of them>`);
    }
    deps.auth.policy.assertProject(ctx.principal, input.project);
  }
  return deps.store.list(input);
});
