import { NODE_POOL_SA_ROLES, WORKLOAD_SA_ROLES } from '../defaults.js';
import type { Ctx, StepDef } from './context.js';
import { clusterBody, tpuNodePoolBody } from './gke.js';
import { compact, nonEmpty, type Bodies } from './google.js';
import { SA_NOT_YET_VISIBLE, bucketBinding, projectBinding, rolesFor, serviceAccountBinding, serviceAccountMember } from './iam.js';
import { bucketStep, resourceStep, serviceAccountStep, type Common, type StageResource } from './resources.js';
import type { TransientError } from './types.js';

/**
 * Stage 1 (reference §2): VPC, subnet with the pods/services ranges, optional Cloud Router + NAT,
 * the node-pool and workload-identity service accounts with their roles, the Saxml buckets with
 * bucket IAM, the Artifact Registry repository, the cluster (CPU pools inline), the TPU pools one
 * after another, and the Workload Identity grant.
 */

/** GKE runs one operation per cluster at a time; a second one is refused until the first ends. */
export const CLUSTER_BUSY: TransientError = { status: 400, contains: 'incompatible operation' };
/** Compute refuses to delete a network/subnet while GKE is still releasing what used it. */
const NETWORK_IN_USE: TransientError = { status: 400, contains: 'is already being used by' };

export const tpuPoolStepId = (name: string) => `base.tpu-pool.${name}`;

export function baseSteps(ctx: Ctx): StepDef[] {
  const { spec, names, urls } = ctx;
  const region = spec.region;
  const steps: StepDef[] = [];
  const nodeEmail = names.nodePoolServiceAccountEmail;
  const workloadEmail = names.workloadServiceAccountEmail;
  const nodeMember = serviceAccountMember(nodeEmail);
  const workloadMember = serviceAccountMember(workloadEmail);

  // ── Network (only when the spec does not bring its own) ──────────────────────────────────────
  const networkRef = `projects/${spec.project}/global/networks/${names.network}`;
  if (!spec.network.existing) {
    const networkBody: Bodies['network'] = {
      name: names.network,
      description: `Saxml environment ${spec.name}`,
      autoCreateSubnetworks: false,
      routingConfig: { routingMode: 'REGIONAL' },
    };
    steps.push(computeStep(
      { id: 'base.network', title: `Create the VPC network ${names.network}`, after: ctx.automationAfter(['compute']), outputs: { network: names.network } },
      {
        url: urls.compute.network(names.network),
        create: { method: 'POST', url: urls.compute.networks, body: networkBody },
        undo: { title: `Delete the VPC network ${names.network}` },
      },
    ));

    const subnetBody: Bodies['subnetwork'] = {
      name: names.subnet,
      network: networkRef,
      region,
      ipCidrRange: spec.network.subnetCidr,
      secondaryIpRanges: [
        { rangeName: names.podsRange, ipCidrRange: spec.network.podsCidr },
        { rangeName: names.servicesRange, ipCidrRange: spec.network.servicesCidr },
      ],
      // fabric net-vpc's default: nodes reach Google APIs without external addresses.
      privateIpGoogleAccess: true,
    };
    steps.push(computeStep(
      {
        id: 'base.subnet',
        title: `Create the subnet ${names.subnet} with secondary ranges ${names.podsRange} and ${names.servicesRange}`,
        after: ['base.network'],
        outputs: { subnet: names.subnet },
      },
      {
        url: urls.compute.subnetwork(region, names.subnet),
        create: { method: 'POST', url: urls.compute.subnetworks(region), body: subnetBody },
        undo: { title: `Delete the subnet ${names.subnet}` },
      },
    ));

    if (spec.network.nat) {
      const routerBody: Bodies['router'] = {
        name: names.router,
        network: networkRef,
        region,
        nats: [
          {
            name: names.nat,
            natIpAllocateOption: 'AUTO_ONLY',
            sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
          },
        ],
      };
      steps.push(computeStep(
        { id: 'base.router', title: `Create the Cloud Router ${names.router} with Cloud NAT ${names.nat}`, after: ['base.network'] },
        {
          url: urls.compute.router(region, names.router),
          create: { method: 'POST', url: urls.compute.routers(region), body: routerBody },
          undo: { title: `Delete the Cloud Router ${names.router} and its NAT` },
        },
      ));
    }
  }

  // ── Service accounts and their project roles ─────────────────────────────────────────────────
  const accounts = [
    { key: 'node-sa', what: 'node-pool', accountId: names.nodePoolServiceAccountId, email: nodeEmail, member: nodeMember,
      roles: NODE_POOL_SA_ROLES, displayName: 'GKE node pool service account', description: `Nodes of Saxml environment ${spec.name}`,
      output: 'nodePoolServiceAccount' },
    { key: 'workload-sa', what: 'workload-identity', accountId: names.workloadServiceAccountId, email: workloadEmail, member: workloadMember,
      roles: WORKLOAD_SA_ROLES, displayName: 'Service account for GKE workloads',
      description: `Saxml workloads of environment ${spec.name} (Workload Identity)`, output: 'workloadServiceAccount' },
  ] as const;
  for (const account of accounts) {
    steps.push(serviceAccountStep(ctx, {
      id: `base.${account.key}`,
      stage: 'base',
      title: `Create the ${account.what} service account ${account.email}`,
      after: ctx.automationAfter(['iam']),
      as: 'automation',
      accountId: account.accountId,
      email: account.email,
      displayName: account.displayName,
      description: account.description,
      outputs: { [account.output]: account.email },
    }));
    steps.push(projectBinding(ctx, {
      id: `base.${account.key}.roles`,
      stage: 'base',
      title: `Grant the ${account.what} service account its project roles`,
      after: [`base.${account.key}`, ...ctx.automationAfter(['cloudresourcemanager'])],
      as: 'automation',
      bindings: rolesFor(account.member, account.roles),
      transient: [SA_NOT_YET_VISIBLE],
      removeTitle: `Remove the ${account.what} service account’s project roles`,
    }));
  }

  // ── Buckets and bucket IAM ───────────────────────────────────────────────────────────────────
  const buckets = [
    { key: 'admin', name: names.adminBucket, output: 'adminBucket' },
    { key: 'models', name: names.modelBucket, output: 'modelBucket' },
  ] as const;
  for (const b of buckets) {
    steps.push(bucketStep(ctx, {
      id: `base.bucket.${b.key}`,
      stage: 'base',
      title: `Create the bucket gs://${b.name}`,
      after: ctx.automationAfter(['storage']),
      as: 'automation',
      name: b.name,
      location: region,
      versioning: false,
      labels: spec.labels,
      outputs: { [b.output]: `gs://${b.name}` },
    }));
  }
  for (const b of buckets) {
    steps.push(bucketBinding(ctx, b.name, {
      id: `base.bucket.${b.key}.iam`,
      stage: 'base',
      title: `Grant the node-pool and workload-identity service accounts legacyBucketReader on gs://${b.name}`,
      after: [`base.bucket.${b.key}`, 'base.node-sa', 'base.workload-sa'],
      as: 'automation',
      bindings: [nodeMember, workloadMember].map((member) => ({ role: 'roles/storage.legacyBucketReader', member })),
      transient: [SA_NOT_YET_VISIBLE],
      removeTitle: `Remove the service accounts from gs://${b.name}`,
    }));
  }

  // ── Artifact Registry ────────────────────────────────────────────────────────────────────────
  if (spec.artifactRegistry.enabled) {
    const location = spec.artifactRegistry.location;
    const repo = names.artifactRegistry;
    const body: Bodies['repository'] = compact({
      format: 'DOCKER',
      mode: 'STANDARD_REPOSITORY',
      description: `Serving images of Saxml environment ${spec.name}`,
      labels: nonEmpty(spec.labels),
    });
    steps.push(resourceStep(
      {
        id: 'base.artifact-registry',
        stage: 'base',
        title: `Create the Artifact Registry repository ${repo} in ${location}`,
        after: ctx.automationAfter(['artifactregistry']),
        as: 'automation',
        outputs: { artifactRegistry: `${location}-docker.pkg.dev/${spec.project}/${repo}` },
      },
      {
        url: urls.artifactregistry.repository(location, repo),
        create: { method: 'POST', url: urls.artifactregistry.repositories(location, repo), body },
        poll: { longrunning: urls.base('artifactregistry') },
        undo: { title: `Delete the Artifact Registry repository ${repo}` },
      },
    ));
  }

  // ── The cluster, with the CPU pools inline ───────────────────────────────────────────────────
  steps.push(resourceStep(
    {
      id: 'base.cluster',
      stage: 'base',
      title: `Create the GKE cluster ${names.cluster} with ${spec.cluster.cpuNodePools.length} CPU node pools`,
      // The node SA must exist (and hold its roles) before nodes use it; the subnet carries the ranges.
      after: [
        ...ctx.automationAfter(['container', 'compute']),
        ...(spec.network.existing ? [] : ['base.subnet']),
        'base.node-sa.roles',
      ],
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
      create: { method: 'POST', url: urls.container.clusters(region), body: clusterBody(spec, names) },
      poll: 'container',
      ready: { path: 'status', values: ['RUNNING'] },
      failed: { path: 'status', values: ['ERROR', 'DEGRADED'] },
      capture: { clusterEndpoint: 'endpoint' },
      // Deleting the cluster deletes its node pools: no separate node-pool delete steps.
      undo: { title: `Delete the GKE cluster ${names.cluster} and its node pools`, transient: [CLUSTER_BUSY] },
    },
  ));

  // ── TPU pools: separate operations, one at a time ────────────────────────────────────────────
  let previous = 'base.cluster';
  for (const pool of spec.cluster.tpuNodePools) {
    const id = tpuPoolStepId(pool.name);
    const body: Bodies['createNodePool'] = { nodePool: tpuNodePoolBody(names, pool) };
    steps.push(resourceStep(
      {
        id,
        stage: 'base',
        title: `Create the TPU node pool ${pool.name} (${pool.tpuType} in ${pool.zones.join(', ')})`,
        after: [previous],
        as: 'automation',
        transient: [CLUSTER_BUSY],
      },
      {
        url: urls.container.nodePool(region, names.cluster, pool.name),
        create: { method: 'POST', url: urls.container.nodePools(region, names.cluster), body },
        poll: 'container',
        ready: { path: 'status', values: ['RUNNING'] },
        failed: { path: 'status', values: ['ERROR', 'RUNNING_WITH_ERROR'] },
        // The pool goes with the cluster.
        undo: null,
      },
    ));
    previous = id;
  }

  // ── Workload Identity: the KSA may act as the workload SA (the pool exists once the cluster does) ─
  steps.push(serviceAccountBinding(ctx, workloadEmail, {
    id: 'base.workload-identity',
    stage: 'base',
    title: `Let ${names.workloadIdentityMember.replace(/^serviceAccount:/, '')} act as ${workloadEmail}`,
    after: ['base.cluster', 'base.workload-sa'],
    as: 'automation',
    bindings: rolesFor(names.workloadIdentityMember, ['roles/iam.workloadIdentityUser']),
    transient: [{ status: 400, contains: 'Identity Pool does not exist' }, SA_NOT_YET_VISIBLE],
    removeTitle: 'Remove the Workload Identity grant',
  }));

  return steps;
}

/** Compute answers with an operation to poll; a delete waits out GKE still releasing what used the network. */
function computeStep(common: Omit<Common, 'stage' | 'as'>, r: StageResource): StepDef {
  return resourceStep({ ...common, stage: 'base', as: 'automation' }, { ...r, poll: 'compute', undo: r.undo && { ...r.undo, transient: [NETWORK_IN_USE] } });
}
