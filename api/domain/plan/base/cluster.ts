import type { Ctx, StepDef } from '../context.js';
import { clusterBody, tpuNodePoolBody } from '../gke.js';
import type { Bodies } from '../google.js';
import { SA_NOT_YET_VISIBLE, rolesFor, serviceAccountBinding } from '../iam.js';
import { resourceStep } from '../resources.js';
import type { TransientError } from '../types.js';
import { gkeNodePoolName } from '../../spec.js';
import { BASE_STEPS } from './ids.js';

/** The cluster with the CPU pools inline (one operation), the TPU pools, and the Workload Identity grant. */

/** GKE runs one operation per cluster at a time; a second one is refused until the first ends. */
export const CLUSTER_BUSY: TransientError = { status: 400, contains: 'incompatible operation' };

export function clusterSteps(ctx: Ctx): StepDef[] {
  const { spec, names, urls } = ctx;
  const region = spec.region;
  const cluster = resourceStep(
    {
      id: BASE_STEPS.cluster,
      stage: 'base',
      title: `Create the GKE cluster ${names.cluster} with ${spec.cluster.cpuNodePools.length} CPU node pools`,
      // The node SA must exist (and hold its roles) before nodes use it; the subnet carries the ranges.
      after: [...ctx.automationAfter(['container', 'compute']), ...(spec.network.existing ? [] : [BASE_STEPS.subnet]), BASE_STEPS.nodeAccountRoles],
      as: 'automation',
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
      ready: { path: 'status', values: ['RUNNING'] },
      failed: { path: 'status', values: ['ERROR', 'DEGRADED'] },
      capture: { clusterEndpoint: 'endpoint' },
      // Deleting the cluster deletes its node pools: no separate node-pool delete steps.
      undo: { title: `Delete the GKE cluster ${names.cluster} and its node pools`, transient: [CLUSTER_BUSY] },
    },
  );

  // Separate operations, one at a time: each waits for the one before.
  const tpuPools = spec.cluster.tpuNodePools.map((pool, i, pools) => {
    const body: Bodies['createNodePool'] = { nodePool: tpuNodePoolBody(names, pool, ctx.mark.labels) };
    return resourceStep(
      {
        id: BASE_STEPS.tpuPool(pool.name),
        stage: 'base',
        title: `Create the TPU node pool ${pool.name} (${pool.tpuType} in ${pool.zones.join(', ')})`,
        after: [i === 0 ? BASE_STEPS.cluster : BASE_STEPS.tpuPool(pools[i - 1]!.name)],
        as: 'automation',
        transient: [CLUSTER_BUSY],
      },
      {
        url: urls.container.nodePool(region, names.cluster, gkeNodePoolName(pool)),
        create: { method: 'POST', url: urls.container.nodePools(region, names.cluster), body },
        poll: 'container',
        ready: { path: 'status', values: ['RUNNING'] },
        failed: { path: 'status', values: ['ERROR', 'RUNNING_WITH_ERROR'] },
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
    transient: [{ status: 400, contains: 'Identity Pool does not exist' }, SA_NOT_YET_VISIBLE],
    removeTitle: 'Remove the Workload Identity grant',
  });

  return [cluster, ...tpuPools, workloadIdentity];
}
