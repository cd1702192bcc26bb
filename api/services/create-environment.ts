import type { Deps } from '../deps.js';
import type { EnvironmentRecord } from '../domain/environment.js';
import { newEnvironment } from '../domain/new-environment.js';
import { DomainError, validationFailed } from '../domain/errors.js';
import type { EnvironmentSpec, NormalisedSpec } from '../domain/spec.js';
import { checkSpec } from '../domain/validate.js';
import type { Principal } from '../http/auth.js';
import { NameTakenError } from '../store/port.js';
import { startOperation } from './start-operation.js';
import { buildPlan } from '../domain/plan/index.js';
import type { Plan } from '../domain/plan/types.js';

/** Validates a spec the schema accepted; the normalised spec, or a 422 listing every violation. */
export function normaliseSpec(spec: EnvironmentSpec): NormalisedSpec {
  const checked = checkSpec(spec);
  if (!checked.ok) throw validationFailed(checked.errors);
  return checked.spec;
}

/** The create plan a spec would run (`validateOnly` shows it before an id is assigned). */
export function createPlan(deps: Pick<Deps, 'google' | 'apiBase'>, spec: NormalisedSpec, environmentId = 'env-assigned-on-create'): Plan {
  return buildPlan(spec, {
    kind: 'create', apis: deps.google.apis(), apiBase: deps.apiBase(), environmentId,
    workflowServiceAccount: deps.google.workflowServiceAccount, includeBootstrap: true,
  });
}

/** Records the environment with its create operation, then starts the workflow (DESIGN §4). */
export async function createEnvironment(
  deps: Pick<Deps, 'store' | 'engine' | 'now' | 'newId' | 'apiBase' | 'logger' | 'auth' | 'google'>,
  input: { spec: EnvironmentSpec; principal: Principal },
): Promise<EnvironmentRecord> {
  const spec = normaliseSpec(input.spec);
  deps.auth.policy.assertProject(input.principal, spec.project);
  const time = deps.now().toISOString();
  const id = deps.newId('env');
  const operationId = deps.newId('op');
  const record = newEnvironment(spec, { id, operationId, time, createdBy: input.principal.id, plan: createPlan(deps, spec, id) });
  try {
    await deps.store.create(record, [{ time, type: 'operation.started', operationId, message: 'create operation started' }]);
  } catch (error) {
    if (error instanceof NameTakenError) {
      throw new DomainError('ALREADY_EXISTS', `an environment named "${spec.name}" already exists in project ${spec.project}: ${error.existingId}`, { existingId: error.existingId });
    }
    throw error;
  }
  return startOperation(deps, record);
}
