import type { RouteHandler } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import { MUTABLE_CPU_POOL_FIELDS, MUTABLE_FIELDS } from '../../domain/update/patch.js';
import { MAX_BODY_BYTES } from '../../http/limits.js';
import { problemResponse } from '../../http/problem.js';
import type { AppEnv } from '../../http/types.js';
import { previewUpdate, updateEnvironment } from '../../services/environments/update.js';
import { etagOf, toView } from '../../services/common/view.js';
import { ctxOf, environmentResponse, environmentRoute, idempotencyKey, ifMatch, noSuchEnvironment } from '../contract.js';
import { EnvironmentIdParam, EnvironmentSchema, UpdatePreviewSchema, UpdateQuery } from './schemas.js';

const MERGE_PATCH = 'application/merge-patch+json';

/** The fields a PATCH may change, as the document lists them (domain/update/patch.ts decides). */
const MUTABLE = [...MUTABLE_FIELDS, ...MUTABLE_CPU_POOL_FIELDS.map((f) => `cluster.cpuNodePools[].${f}`)];

const PatchBody = z.record(z.string(), z.unknown()).openapi('EnvironmentSpecPatch', {
  description:
    'A JSON merge patch (RFC 7396) of the spec: objects are merged, `null` removes a member, arrays are replaced whole ' +
    '(send every TPU pool, model or target the environment keeps). Mutable fields: ' + MUTABLE.map((f) => `\`${f}\``).join(', ') +
    '. Everything else (name, project, region, zones, CIDRs, names of what was made, the cluster) is immutable: changing it is refused ' +
    'with 422, one entry per field. A TPU pool with another zone, TPU type, Spot or disk is replaced (created before the old one is deleted when quota allows).',
  example: { labels: { team: 'ml' }, saxml: { models: [{ id: 'llama7b', modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e', checkpoint: 'gs://my-checkpoints/llama-7b/checkpoint_00000001', tpuPool: 'tpu-v5e-4' }] } },
  'x-mutable-fields': MUTABLE,
});

export const route = environmentRoute({
  operationId: 'updateEnvironment',
  method: 'patch',
  path: '/environments/{id}',
  summary: 'Change an environment (JSON merge patch of its spec)',
  description:
    'Merges the patch into the spec, validates the result like a create, and starts an `update` operation whose plan is the diff: ' +
    'creates for what is new, deletes for what is gone, in-place calls for what GKE and Cloud Storage change in place, the Saxml apply for models and images. ' +
    'Allowed on ACTIVE and FAILED environments (a FAILED one converges to the new spec: move a stocked-out TPU pool, correct a checkpoint). ' +
    'A patch that changes nothing answers 200 and starts nothing; one that only changes `deletionProtection` or `notifications` is recorded at once (200). ' +
    'Send `If-Match` to change exactly the version you saw, `Idempotency-Key` to make retries safe. With `validateOnly=true`, returns the new spec, what changes, the plan, its cost and the quota preflight of what it adds, and records nothing.',
  request: {
    params: EnvironmentIdParam,
    query: UpdateQuery,
    headers: z.object({ 'idempotency-key': idempotencyKey, 'if-match': ifMatch }),
    body: { required: true, content: { [MERGE_PATCH]: { schema: PatchBody } } },
  },
  responses: {
    200: {
      description: 'Nothing to start: the patch changes nothing, or only what needs no Google call (recorded); or, with validateOnly, the preview',
      headers: z.object({ ETag: z.string().optional() }),
      content: { 'application/json': { schema: z.union([EnvironmentSchema, UpdatePreviewSchema]) } },
    },
    202: environmentResponse('The new spec is recorded; the update operation is running (the environment is UPDATING)', { operationStarts: true, idempotent: true }),
    ...noSuchEnvironment,
    409: problemResponse('OPERATION_IN_PROGRESS: another operation is running; FAILED_PRECONDITION: the environment is not ACTIVE or FAILED (or failed while being deleted); QUOTA_EXCEEDED: the project lacks quota for what the change adds (nothing was changed); or the Idempotency-Key is in flight'),
    412: problemResponse('The environment changed since the If-Match ETag'),
    413: problemResponse(`Body over ${MAX_BODY_BYTES / 1024} KiB`),
    415: problemResponse(`Not ${MERGE_PATCH}`),
    422: problemResponse('Invalid or immutable fields (one entry per field), a TPU pool a model still uses removed, or the Idempotency-Key was used with another request'),
    503: problemResponse('The workflow could not be started (the environment is FAILED; retry it)'),
  },
});

// The body is documented above and read by the service: it authorizes on the environment's project first.
export const handler = (deps: Deps): RouteHandler<typeof route, AppEnv> => async (c) => {
  const input = { id: c.req.valid('param').id, patch: c.get('body'), ifMatch: c.req.valid('header')['if-match'] };
  if (c.req.valid('query').validateOnly) return c.json({ kind: 'UpdatePreview' as const, ...(await previewUpdate(deps, ctxOf(c), input)) }, 200);
  const { record, started, secrets } = await updateEnvironment(deps, ctxOf(c), input);
  const view = toView(record, deps);
  c.header('ETag', etagOf(record));
  // New webhook targets' signing secrets are shown here, once; a replay of this request answers without them.
  c.set('replayBody', view);
  const notifications = view.notifications.map((target) => (secrets[target.id] ? { ...target, secret: secrets[target.id] } : target));
  if (!started) return c.json({ ...view, notifications }, 200);
  c.header('Location', `/environments/${record.id}`);
  return c.json({ ...view, notifications }, 202);
};
