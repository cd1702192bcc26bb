import { NODE_POOL_SA_ROLES, WORKLOAD_SA_ROLES } from '../../defaults.js';
import type { Ctx, StepDef } from '../context.js';
import { SA_NOT_YET_VISIBLE, projectBinding, rolesFor, serviceAccountBinding, serviceAccountMember } from '../iam.js';
import { serviceAccountStep } from '../resources.js';
import { BASE_STEPS } from './ids.js';

/**
 * The node-pool and workload-identity service accounts, each with its project roles, and the
 * automation account's actAs on the node-pool account (GKE runs the nodes as it: whoever creates
 * the cluster needs iam.serviceAccounts.actAs on it, granted here on that one account only).
 */
export function accountSteps(ctx: Ctx): StepDef[] {
  const { spec, names } = ctx;
  const accounts = [
    {
      id: BASE_STEPS.nodeAccount, rolesId: BASE_STEPS.nodeAccountRoles, what: 'node-pool',
      accountId: names.nodePoolServiceAccountId, email: names.nodePoolServiceAccountEmail, roles: NODE_POOL_SA_ROLES,
      displayName: 'GKE node pool service account', description: `Nodes of Saxml environment ${spec.name}`, output: 'nodePoolServiceAccount',
      hint: 'pick another id in serviceAccounts.nodePool.accountId',
    },
    {
      id: BASE_STEPS.workloadAccount, rolesId: BASE_STEPS.workloadAccountRoles, what: 'workload-identity',
      accountId: names.workloadServiceAccountId, email: names.workloadServiceAccountEmail, roles: WORKLOAD_SA_ROLES,
      displayName: 'Service account for GKE workloads', description: `Saxml workloads of environment ${spec.name} (Workload Identity)`,
      output: 'workloadServiceAccount',
      hint: 'pick another id in serviceAccounts.workload.accountId',
    },
  ] as const;
  const actAs = serviceAccountBinding(ctx, names.nodePoolServiceAccountEmail, {
    id: BASE_STEPS.nodeAccountActAs,
    stage: 'base',
    title: `Let the automation service account act as ${names.nodePoolServiceAccountEmail}`,
    after: [BASE_STEPS.nodeAccount, ...ctx.automationAfter(['iam'])],
    as: 'automation',
    bindings: rolesFor(serviceAccountMember(names.automationServiceAccountEmail), ['roles/iam.serviceAccountUser']),
    transient: [SA_NOT_YET_VISIBLE],
    removeTitle: 'Remove the automation service account’s actAs grant',
  });
  return [...accounts.flatMap((account) => [
    serviceAccountStep(ctx, {
      id: account.id,
      stage: 'base',
      title: `Create the ${account.what} service account ${account.email}`,
      after: ctx.automationAfter(['iam']),
      as: 'automation',
      accountId: account.accountId,
      email: account.email,
      displayName: account.displayName,
      description: account.description,
      mark: ctx.mark,
      hint: account.hint,
      outputs: { [account.output]: account.email },
    }),
    projectBinding(ctx, {
      id: account.rolesId,
      stage: 'base',
      title: `Grant the ${account.what} service account its project roles`,
      after: [account.id, ...ctx.automationAfter(['cloudresourcemanager'])],
      as: 'automation',
      bindings: rolesFor(serviceAccountMember(account.email), account.roles),
      transient: [SA_NOT_YET_VISIBLE],
      removeTitle: `Remove the ${account.what} service account’s project roles`,
    }),
  ]), actAs];
}
