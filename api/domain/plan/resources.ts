import type { Ctx, StepDef } from './context.js';
import { compact, nonEmpty, type Bodies } from './google.js';
import type { ResourceStep } from './types.js';

/** Resource steps more than one stage creates (service accounts, buckets) and the shape they share. */

type Common = Pick<ResourceStep, 'id' | 'stage' | 'title' | 'after' | 'as'> & { outputs?: Record<string, string> };

/**
 * A resource Google creates and deletes synchronously (the response is the resource): GET at `url`
 * to check, `create` to make it, DELETE (at `url` unless said otherwise) to remove it; no polling.
 */
export function synchronousResource(
  common: Omit<ResourceStep, 'kind' | 'get' | 'create' | 'delete'>,
  url: string,
  create: { method: 'POST' | 'PUT'; url: string; body: unknown },
  undoTitle: string,
  deleteUrl = url,
): StepDef {
  return {
    step: {
      ...common,
      kind: 'resource',
      get: { method: 'GET', url },
      create: { ...create, poll: { style: 'none' } },
      delete: { method: 'DELETE', url: deleteUrl, poll: { style: 'none' } },
    },
    undo: { kind: 'reverse', title: undoTitle },
  };
}

export function serviceAccountStep(
  ctx: Ctx,
  input: Common & { accountId: string; email: string; displayName: string; description: string },
): StepDef {
  const { accountId, email, displayName, description, ...common } = input;
  const body: Bodies['createServiceAccount'] = { accountId, serviceAccount: { displayName, description } };
  // IAM answers synchronously: the response is the account.
  return synchronousResource(common, ctx.urls.iam.serviceAccount(email), { method: 'POST', url: ctx.urls.iam.serviceAccounts, body },
    `Delete the service account ${email}`);
}

export function bucketStep(
  ctx: Ctx,
  input: Common & { name: string; location: string; versioning: boolean; labels: Record<string, string> },
): StepDef {
  const { name, location, versioning, labels, ...common } = input;
  const body: Bodies['bucket'] = compact({
    name,
    location,
    // The guide's REGIONAL/MULTI_REGIONAL are legacy aliases of STANDARD (and MULTI_REGIONAL is refused
    // in dual-regions); STANDARD is right for every location.
    storageClass: 'STANDARD',
    versioning: { enabled: versioning },
    // Access is granted with bucket IAM only (the fabric module's default), never object ACLs.
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
    labels: nonEmpty(labels),
  });
  // A bucket that still holds objects answers 409 "not empty" on delete; the sandbox buckets are
  // empty. Emptying them first (and, for the versioned automation bucket, its noncurrent versions)
  // is future work.
  return synchronousResource(common, ctx.urls.storage.bucket(name), { method: 'POST', url: ctx.urls.storage.buckets, body },
    `Delete the bucket gs://${name}`);
}
