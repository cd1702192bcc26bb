import type { EnvironmentRecord } from '../../domain/environment.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { resourceNames } from '../../domain/naming.js';
import { beginOperation } from '../../domain/operations.js';
import { BOOTSTRAP_STEPS } from '../../domain/plan/bootstrap.js';
import { verb } from '../context.js';
import { commit } from '../common/commit.js';
import { launchExecution } from '../common/launch.js';

const stillUsed = (project: string, others: readonly { id: string; name: string }[]) =>
  new DomainError('FAILED_PRECONDITION',
    `the bootstrap of project ${project} is still used by ${others.map((o) => `${o.name} (${o.id})`).join(', ')}; delete them first (or with deleteBootstrap=true, the last one removes it)`,
    { environments: others.map((o) => o.id) });

/**
 * Removes a project's bootstrap resources (automation account with its roles, automation bucket,
 * the Pub/Sub agent's grants) once no live environment uses them: `DELETE
 * /projects/{project}/bootstrap`. The removal is an operation of the project's newest DELETED
 * environment — the last to have used the bootstrap, whose spec says what it was — and holds the
 * project, so no create starts meanwhile. `started: false`: nothing to do (it was removed already,
 * the automation bucket included) or the removal is already running; the environment is answered either way.
 */
export const removeProjectBootstrap = verb(async (deps, ctx, input: { project: string }): Promise<{ record: EnvironmentRecord; started: boolean }> => {
  deps.auth.policy.assertProject(ctx.principal, input.project);
  const [carrier] = (await deps.store.list({ pageSize: 1, project: input.project, state: 'DELETED' })).items;
  if (!carrier) {
    const live = await Promise.all((await deps.store.liveEnvironmentIdsInProject(input.project)).map((id) => deps.store.get(id)));
    const others = live.filter((r): r is EnvironmentRecord => r !== null);
    if (others.length) throw stillUsed(input.project, others);
    throw notFound(`a bootstrap of project ${input.project} made by this service`);
  }
  const operationId = deps.newId('op');
  const time = deps.now().toISOString();
  const { record } = await commit(deps, ctx, carrier.id, (current, project) => {
    if (project!.others.length) throw stillUsed(input.project, project!.others);
    // Running already (the removal is this environment's operation), or removed by its own delete.
    if (current.operation?.state === 'RUNNING') return { record: null };
    // A removal that kept the automation bucket (it held objects) may be asked again once emptied.
    const bucketKept = current.operation?.kept?.some((k) => k.resource === `gs://${resourceNames(current.spec).automationBucket}`);
    if (current.operation?.bootstrap?.decision === 'REMOVE' && current.operation.state === 'SUCCEEDED' && !bucketKept) return { record: null };
    const begun = beginOperation(current, {
      id: operationId, kind: 'delete', target: 'delete', command: 'removeBootstrap', time, busyAdvice: 'wait for it',
      message: `removal of the bootstrap of project ${input.project} started`, deleteBootstrap: true, includeBootstrap: true,
      bootstrap: { decision: 'REMOVE', reason: `requested with DELETE /projects/${input.project}/bootstrap, no environment of the project being left` },
    });
    // The delete step of a kept automation bucket is done (it kept the bucket); forget it, so this
    // removal tries the bucket again. Without an earlier removal there is nothing to forget.
    const { [BOOTSTRAP_STEPS.automationBucket]: _kept, ...deleteProgress } = begun.record.progress.delete;
    const record = { ...begun.record, progress: { ...begun.record.progress, delete: deleteProgress } };
    return { ...begun, record, bootstrapRemoval: { environmentId: current.id, operationId } };
  }, { project: true });
  if (record.operation?.id !== operationId) return { record, started: false };
  return { record: await launchExecution(deps, ctx, record), started: true };
});
