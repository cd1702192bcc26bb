import { servingPools } from '../saxml/manifests.js';
import { BASE_STEPS } from './base/index.js';
import type { Ctx, StepDef } from './context.js';
import { segment } from './google.js';
import type { ApiStep } from './types.js';

/**
 * Stage 3: Saxml on the cluster, through this service's internal routes (the deployer in
 * services/saxml/). Overlapped with the TPU pools: the cell is applied as soon as the cluster and
 * Workload Identity exist — the admin server, the proxy and the publish Jobs need only the CPU
 * pools — and only each model server's readiness waits for its TPU pool.
 *
 * The executor runs a lane's steps in waves, each wave after the one before; the TPU pools and the
 * Workload Identity grant share the wave after the cluster. So `saxml.cell` does not list the grant
 * (it would land in the wave after the TPU pool): it starts beside them and calls `apply` until its
 * CPU side is READY, and `apply` starts no pod before the grant has succeeded (services/saxml/apply.ts).
 *
 * Status contract (domain/saxml/status.ts): `cell.state` READY (FAILED) ends (fails) `saxml.cell`;
 * `modelServers.<pool>.state` READY (the server runs and its models are loaded) or FAILED ends or
 * fails that pool's step: a failure is reported by the step of the part that failed. The teardown (`saxml.cell` in a delete plan) calls `POST …/saxml/delete` until
 * it answers DELETED: each call moves the teardown one round on.
 */

export const SAXML_STEPS = {
  cell: 'saxml.cell',
  modelServer: (pool: string) => `saxml.model-server.${pool}`,
} as const;

export function saxmlSteps(ctx: Ctx): StepDef[] {
  const { spec, options } = ctx;
  const route = `${options.apiBase.replace(/\/+$/, '')}/internal/environments/${segment(options.environmentId)}/saxml`;
  const status = { method: 'GET', url: `${route}/status` } as const;
  // Every POST carries a JSON body (`{}`), as Google's front ends want of a POST.
  const apply = { method: 'POST', url: `${route}/apply`, body: {} } as const;
  const parts = [`admin server`, ...(spec.saxml.proxy.image ? ['HTTP proxy'] : []), ...(spec.saxml.models.length ? [`${spec.saxml.models.length} publish Job(s)`] : [])];

  const cell: ApiStep = {
    id: SAXML_STEPS.cell,
    stage: 'saxml',
    title: `Deploy the Saxml cell ${spec.saxml.cell} (${parts.join(', ')}) into namespace ${spec.saxml.namespace}`,
    // The pods need the CPU pools (inline with the cluster), their identity's roles and the buckets
    // readable — not the TPU pools; the Workload Identity grant is waited for by apply itself.
    after: [BASE_STEPS.cluster, BASE_STEPS.workloadAccountRoles, BASE_STEPS.adminBucketIam, BASE_STEPS.modelBucketIam],
    as: 'automation',
    kind: 'api',
    call: apply,
    status: apply,
    ready: { path: 'cell.state', values: ['READY'] },
    // Its own parts only: a model server's failure is its pool's step's to report.
    failed: { path: 'cell.state', values: ['FAILED'] },
  };

  const teardown: ApiStep = {
    id: SAXML_STEPS.cell,
    stage: 'saxml',
    title: `Remove Saxml from namespace ${spec.saxml.namespace}, load balancers first, before the cluster goes`,
    after: [],
    as: 'automation',
    kind: 'api',
    call: { method: 'POST', url: `${route}/delete`, body: {} },
    status: { method: 'POST', url: `${route}/delete`, body: {} },
    ready: { path: 'state', values: ['DELETED'] },
    failed: { path: 'state', values: ['FAILED'] },
  };

  const modelServers = servingPools(spec).map((pool): StepDef => {
    const models = spec.saxml.models.filter((m) => m.tpuPool === pool.name).map((m) => m.id);
    return {
      step: {
        id: SAXML_STEPS.modelServer(pool.name),
        stage: 'saxml',
        title: `Wait for the model server on TPU pool ${pool.name} to serve ${models.join(', ')}`,
        after: [SAXML_STEPS.cell, BASE_STEPS.tpuPool(pool.name)],
        as: 'automation',
        kind: 'api',
        // Reading the status is the whole step: apply already made the model server.
        call: status,
        status,
        ready: { path: `modelServers.${pool.name}.state`, values: ['READY'] },
        failed: { path: `modelServers.${pool.name}.state`, values: ['FAILED'] },
      },
    };
  });

  return [{ step: cell, undo: { kind: 'replace', step: teardown } }, ...modelServers];
}
