import type { EnvironmentRecord } from '../../domain/environment.js';
import { DomainError } from '../../domain/errors.js';
import { beginOperation } from '../../domain/operations.js';
import { retryCommand } from '../../domain/state-machine.js';
import { verb } from '../context.js';
import { commit } from '../shared/commit.js';
import { launchExecution } from '../shared/launch.js';
import { expectedVersion } from '../shared/view.js';
import { visibleEnvironment } from '../shared/visible.js';

/**
 * Resumes a FAILED environment's last operation (create or delete) from the steps not yet done:
 * the plan the workflow fetches leaves out every step this kind of operation already completed.
 */
export const retryEnvironment = verb(async (deps, ctx, input: { id: string; ifMatch?: string }): Promise<EnvironmentRecord> => {
  const before = await visibleEnvironment(deps, ctx, input.id);
  const version = expectedVersion(before, input.ifMatch);
  const time = deps.now().toISOString();
  const operationId = deps.newId('op');
  const { record } = await commit(deps, ctx, input.id, (current) => {
    const last = current.operation;
    if (!last) throw new DomainError('FAILED_PRECONDITION', `environment ${current.id} has no operation to retry`);
    return beginOperation(current, {
      id: operationId, kind: 'retry', target: last.target, command: retryCommand(last.target), time,
      busyAdvice: 'wait for it or cancel it', message: `retry of the ${last.target} operation started`,
      // A resumed delete decides about the bootstrap again, when its resources are gone.
      ...(last.target === 'delete' && { deleteBootstrap: last.deleteBootstrap ?? false, includeBootstrap: false }),
    });
  }, { expectedVersion: version });
  return launchExecution(deps, ctx, record);
});
