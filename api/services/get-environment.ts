import type { Deps } from '../deps.js';
import type { EnvironmentRecord } from '../domain/environment.js';
import { notFound } from '../domain/errors.js';
import type { Principal } from '../http/auth.js';

/** The environment, if it exists and the caller may see its project (otherwise 404/403). */
export async function getEnvironment(deps: Pick<Deps, 'store' | 'auth'>, id: string, principal: Principal): Promise<EnvironmentRecord> {
  const record = await deps.store.get(id);
  if (!record) throw notFound(`environment ${id}`);
  deps.auth.policy.assertProject(principal, record.project);
  return record;
}
