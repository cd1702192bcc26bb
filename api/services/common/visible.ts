import type { Deps } from '../../deps.js';
import type { EnvironmentRecord } from '../../domain/environment.js';
import { notFound } from '../../domain/errors.js';
import type { ServiceContext } from '../context.js';

/**
 * Step 1 of every verb on one environment: it exists and the caller may see its project. An
 * environment of a project the caller may not see is answered exactly like a missing one (404), so
 * ids cannot be probed for existence across projects.
 */
export async function visibleEnvironment(deps: Deps, ctx: ServiceContext, id: string): Promise<EnvironmentRecord> {
  const record = await deps.store.get(id);
  if (!record || !deps.auth.policy.allowsProject(ctx.principal, record.project)) throw notFound(`environment ${id}`);
  return record;
}
