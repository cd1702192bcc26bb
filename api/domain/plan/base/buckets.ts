import type { Ctx, StepDef } from '../context.js';
import { SA_NOT_YET_VISIBLE, bucketBinding, serviceAccountMember } from '../iam.js';
import { bucketStep } from '../resources.js';
import { BASE_STEPS } from './ids.js';

/**
 * The Saxml admin and model buckets, then the grants that let both service accounts read their
 * objects (storage.objectViewer: legacyBucketReader lists objects but cannot read them).
 */
export function bucketSteps(ctx: Ctx): StepDef[] {
  const { spec, names } = ctx;
  const readers = [names.nodePoolServiceAccountEmail, names.workloadServiceAccountEmail].map(serviceAccountMember);
  const buckets = [
    // sax-root and sax-fs-root are Saxml's own state: emptied with the cell.
    { id: BASE_STEPS.adminBucket, iamId: BASE_STEPS.adminBucketIam, name: names.adminBucket, output: 'adminBucket', field: 'buckets.admin', teardown: 'empty' },
    // The user's checkpoints: deleted only when empty, or when the delete says purgeData=true.
    {
      id: BASE_STEPS.modelBucket, iamId: BASE_STEPS.modelBucketIam, name: names.modelBucket, output: 'modelBucket', field: 'buckets.modelRepository',
      teardown: ctx.options.purgeData ? 'empty' : { keep: 'the model repository holds data (checkpoints); delete with purgeData=true to remove it' },
    },
  ] as const;
  const made = buckets.map((b) => bucketStep(ctx, {
    id: b.id,
    stage: 'base',
    title: `Create the bucket gs://${b.name}`,
    after: ctx.automationAfter(['storage']),
    as: 'automation',
    name: b.name,
    location: spec.region,
    versioning: false,
    labels: spec.labels,
    mark: ctx.mark,
    // Bucket names are global: someone else's may already have this one.
    owner: ctx.mark.byLabel('labels', `bucket gs://${b.name}`, `bucket names are global: pick another name in ${b.field}`),
    teardown: b.teardown,
    outputs: { [b.output]: `gs://${b.name}` },
  }));
  const grants = buckets.map((b) => bucketBinding(ctx, b.name, {
    id: b.iamId,
    stage: 'base',
    title: `Let the node-pool and workload-identity service accounts read objects of gs://${b.name}`,
    after: [b.id, BASE_STEPS.nodeAccount, BASE_STEPS.workloadAccount],
    as: 'automation',
    bindings: readers.map((member) => ({ role: 'roles/storage.objectViewer', member })),
    transient: [SA_NOT_YET_VISIBLE],
    removeTitle: `Remove the service accounts from gs://${b.name}`,
  }));
  return [...made, ...grants];
}
