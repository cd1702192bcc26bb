import type { Deps } from '../../deps.js';
import type { EnvironmentRecord } from '../../domain/environment.js';
import { notFound } from '../../domain/errors.js';
import type { ServiceContext } from '../context.js';

/** Step 1 of every verb on one environment: it exists and the caller may see its project (else 404/403). */
export async function visibleEnvironment(deps: Deps, ctx: ServiceContext, id: string): Promise<EnvironmentRecord> {
  const record = await deps.store.get(id);
  if (!record) throw notFound(`environment ${id}`);
  deps.auth.policy.assertProject(ctx.principal, record.project);
  return record;
}
