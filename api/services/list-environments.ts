import type { Deps } from '../deps.js';
import type { EnvironmentRecord, EnvironmentState } from '../domain/environment.js';
import { DomainError } from '../domain/errors.js';
import type { Principal } from '../http/auth.js';
import type { Page } from '../store/port.js';
import { withPageToken } from './paging.js';

export interface ListInput {
  pageSize: number;
  pageToken?: string;
  state?: EnvironmentState;
  project?: string;
  labels?: Record<string, string>;
}

/** Newest first. A caller allowed only in some projects must name one of them. */
export async function listEnvironments(deps: Pick<Deps, 'store' | 'auth'>, input: ListInput, principal: Principal): Promise<Page<EnvironmentRecord>> {
  const visible = deps.auth.policy.visibleProjects(principal);
  if (visible !== 'all') {
    if (!input.project) {
      throw new DomainError('PERMISSION_DENIED', `${principal.id} may list only projects ${visible.join(', ')}: pass project=<one of them>`);
    }
    deps.auth.policy.assertProject(principal, input.project);
  }
  return withPageToken(() => deps.store.list(input));
}
