import type { Ctx, StepDef } from './context.js';
import { compact, nonEmpty, type Bodies } from './google.js';
import type { ResourceStep } from './types.js';

/** Resource steps more than one stage creates: service accounts and buckets. */

type Common = Pick<ResourceStep, 'id' | 'stage' | 'title' | 'after' | 'as'> & { outputs?: Record<string, string> };

export function serviceAccountStep(
  ctx: Ctx,
  input: Common & { accountId: string; email: string; displayName: string; description: string },
): StepDef {
  const { accountId, email, displayName, description, outputs, ...common } = input;
  const body: Bodies['createServiceAccount'] = { accountId, serviceAccount: { displayName, description } };
  const url = ctx.urls.iam.serviceAccount(email);
  const step: ResourceStep = {
    ...common,
    kind: 'resource',
    get: { method: 'GET', url },
    // IAM answers synchronously: the response is the account.
    create: { method: 'POST', url: ctx.urls.iam.serviceAccounts, body, poll: { style: 'none' } },
    delete: { method: 'DELETE', url, poll: { style: 'none' } },
    ...(outputs ? { outputs } : {}),
  };
  return { step, undo: { kind: 'reverse', title: `Delete the service account ${email}` } };
}

export function bucketStep(
  ctx: Ctx,
  input: Common & { name: string; location: string; versioning: boolean; labels: Record<string, string> },
): StepDef {
  const { name, location, versioning, labels, outputs, ...common } = input;
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
  const url = ctx.urls.storage.bucket(name);
  const step: ResourceStep = {
    ...common,
    kind: 'resource',
    get: { method: 'GET', url },
    create: { method: 'POST', url: ctx.urls.storage.buckets, body, poll: { style: 'none' } },
    // A bucket that still holds objects answers 409 "not empty"; the sandbox buckets are empty. Emptying
    // them first (and, for the versioned automation bucket, its noncurrent versions) is future work.
    delete: { method: 'DELETE', url, poll: { style: 'none' } },
    ...(outputs ? { outputs } : {}),
  };
  return { step, undo: { kind: 'reverse', title: `Delete the bucket gs://${name}` } };
}
