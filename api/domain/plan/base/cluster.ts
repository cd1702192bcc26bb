import type { Ctx, StepDef } from '../context.js';
import { clusterBody, tpuNodePoolBody } from '../gke.js';
import type { Bodies } from '../google.js';
import { IAM_PROPAGATION_BUDGET, SA_NOT_YET_VISIBLE, rolesFor, serviceAccountBinding } from '../iam.js';
import { resourceStep } from '../resources.js';
import type { TransientError } from '../types.js';
import { gkeNodePoolName } from '../../spec.js';
import { BASE_STEPS } from './ids.js';

/**
 * The cluster with the CPU pools inline (one operation), the TPU pools (in parallel: GKE runs node
 * pool operations beside one another), and the Workload Identity grant.
 */

/**
 * GKE runs one cluster-level operation at a time (and one per node pool): another is refused with
 * "Cluster is running incompatible operation …" or "Operation … is currently creating cluster ….
 * Please wait and try again once it is done." Creations, upgrades and repairs hold a cluster for
 * many minutes: waited out for up to an hour.
 */
export const CLUSTER_BUSY: TransientError = { status: 400, matches: 'incompatible operation|Please wait and try again once it is done', within: 3600 };

/** GKE's answer until the automation account's actAs on the node-pool account has propagated. */
const ACT_AS_NOT_YET: TransientError = { status: 403, matches: 'does not have access to service account', within: IAM_PROPAGATION_BUDGET };

export function clusterSteps(ctx: Ctx): StepDef[] {
  const { spec, names, urls } = ctx;
  const region = spec.region;
  const cluster = resourceStep(
    {
      id: BASE_STEPS.cluster,
      stage: 'base',
      title: `Create the GKE cluster ${names.cluster} with ${spec.cluster.cpuNodePools.length} CPU node pools`,
      // The node SA must exist (and hold its roles) before nodes use it, and the automation account
      // must be allowed to act as it; the subnet carries the ranges. The NAT comes first so nodes
      // have egress from the start, and a delete removes it only after the cluster.
      after: [
        ...ctx.automationAfter(['container', 'compute']),
        ...(spec.network.existing ? [] : [BASE_STEPS.subnet]),
        ...(spec.network.nat && !spec.network.existing ? [BASE_STEPS.router] : []),
        BASE_STEPS.nodeAccountRoles,
        BASE_STEPS.nodeAccountActAs,
      ],
      as: 'automation',
      transient: [ACT_AS_NOT_YET],
      outputs: {
        clusterName: names.cluster,
        clusterLocation: region,
        // An existing network has no step of its own to report it.
        ...(spec.network.existing ? { network: names.network, subnet: names.subnet } : {}),
      },
    },
    {
      url: urls.container.cluster(region, names.cluster),
      create: { method: 'POST', url: urls.container.clusters(region), body: clusterBody(spec, names, ctx.labels, ctx.mark.labels) },
      poll: 'container',
      owner: ctx.mark.byLabel('resourceLabels', `GKE cluster ${names.cluster}`, 'pick another name in cluster.name'),
      // DEGRADED: running, but GKE asks for user action — the cluster exists and serves; not a failure.
      ready: { path: 'status', values: ['RUNNING', 'DEGRADED'] },
      failed: { path: 'status', values: ['ERROR'] },
      recreate: true,
      capture: { clusterEndpoint: 'endpoint' },
      // Deleting the cluster deletes its node pools: no separate node-pool delete steps.
      undo: { title: `Delete the GKE cluster ${names.cluster} and its node pools`, transient: [CLUSTER_BUSY] },
    },
  );

  // Separate operations, all at once ("You can manually create, update, or delete a node pool
  // while another node pool is already being created"); a cluster-level operation GKE starts
  // meanwhile (an upgrade, a repair) is waited out.
  const tpuPools = spec.cluster.tpuNodePools.map((pool, i) => {
    const body: Bodies['createNodePool'] = { nodePool: tpuNodePoolBody(names, pool, ctx.mark.labels) };
    return resourceStep(
      {
        id: BASE_STEPS.tpuPool(pool.name),
        stage: 'base',
        title: `Create the TPU node pool ${pool.name} (${pool.tpuType} in ${pool.zones.join(', ')})`,
        after: [BASE_STEPS.cluster],
        as: 'automation',
        transient: [CLUSTER_BUSY],
      },
      {
        url: urls.container.nodePool(region, names.cluster, gkeNodePoolName(pool)),
        create: { method: 'POST', url: urls.container.nodePools(region, names.cluster), body },
        poll: 'container',
        ready: { path: 'status', values: ['RUNNING'] },
        failed: { path: 'status', values: ['ERROR', 'RUNNING_WITH_ERROR'] },
        // A stockout leaves the pool in ERROR: the next attempt deletes it and creates it again.
        recreate: true,
        owner: ctx.mark.byLabel('config.resourceLabels', `TPU node pool ${pool.name} of ${names.cluster}`, `pick another name for the TPU node pool in cluster.tpuNodePools[${i}].name`),
        // The pool goes with the cluster.
        undo: null,
      },
    );
  });

  // The KSA may act as the workload SA (the cluster brings the identity pool).
  const workloadIdentity = serviceAccountBinding(ctx, names.workloadServiceAccountEmail, {
    id: BASE_STEPS.workloadIdentity,
    stage: 'base',
    title: `Let ${names.workloadIdentityMember.replace(/^serviceAccount:/, '')} act as ${names.workloadServiceAccountEmail}`,
    after: [BASE_STEPS.cluster, BASE_STEPS.workloadAccount],
    as: 'automation',
    bindings: rolesFor(names.workloadIdentityMember, ['roles/iam.workloadIdentityUser']),
    transient: [{ status: 400, matches: 'Identity Pool does not exist', within: IAM_PROPAGATION_BUDGET }, SA_NOT_YET_VISIBLE],
    removeTitle: 'Remove the Workload Identity grant',
  });

  return [cluster, ...tpuPools, workloadIdentity];
}
