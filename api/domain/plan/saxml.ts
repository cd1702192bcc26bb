import { BASE_STEPS } from './base/index.js';
import type { Ctx, StepDef } from './context.js';
import type { ApiStep } from './types.js';

/**
 * Stage 3: Saxml on the cluster. The workflow calls this service's internal routes; the deployer
 * behind them (server-side apply of the manifests, teardown) is its own component. Status contract:
 * `GET …/saxml/status` answers `{state}`; apply is done at READY, teardown at DELETED, either fails at
 * FAILED.
 */

export function saxmlSteps(ctx: Ctx): StepDef[] {
  const { spec, options } = ctx;
  const route = `${options.apiBase.replace(/\/+$/, '')}/internal/environments/${options.environmentId}/saxml`;
  const status = { method: 'GET', url: `${route}/status` } as const;
  const lastTpuPool = spec.cluster.tpuNodePools.at(-1);

  const deploy: ApiStep = {
    id: 'saxml.deploy',
    stage: 'saxml',
    title: `Deploy Saxml (cell ${spec.saxml.cell}) into namespace ${spec.saxml.namespace}`,
    // The cell needs its nodes, its identity (WI grant + roles) and its buckets readable.
    after: [
      BASE_STEPS.cluster,
      ...(lastTpuPool ? [BASE_STEPS.tpuPool(lastTpuPool.name)] : []),
      BASE_STEPS.workloadIdentity,
      BASE_STEPS.workloadAccountRoles,
      BASE_STEPS.adminBucketIam,
      BASE_STEPS.modelBucketIam,
    ],
    as: 'automation',
    kind: 'api',
    call: { method: 'POST', url: `${route}/apply` },
    status,
    ready: { path: 'state', values: ['READY'] },
    failed: { path: 'state', values: ['FAILED'] },
    outputs: { saxmlNamespace: spec.saxml.namespace },
  };

  const teardown: ApiStep = {
    id: 'saxml.delete',
    stage: 'saxml',
    title: `Remove Saxml from namespace ${spec.saxml.namespace} (and its load balancers) before the cluster goes`,
    after: [],
    as: 'automation',
    kind: 'api',
    call: { method: 'POST', url: `${route}/delete` },
    status,
    ready: { path: 'state', values: ['DELETED'] },
    failed: { path: 'state', values: ['FAILED'] },
  };

  return [{ step: deploy, undo: { kind: 'replace', step: teardown } }];
}
