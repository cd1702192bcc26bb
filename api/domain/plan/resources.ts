import type { Ctx, StepDef } from './context.js';
import { compact, type Bodies } from './google.js';
import type { Mark } from './marks.js';
import type { EmptyFirst, FieldCheck, HttpCall, KeepWhenRefused, Ownership, Poll, ResourceStep, TransientError } from './types.js';

/**
 * The one builder of resource steps, and the resources more than one stage creates (service
 * accounts, buckets).
 */

/** What every step states for itself: which it is, whose it is, what it waits for, what it reports. */
export type Common = Pick<ResourceStep, 'id' | 'stage' | 'title' | 'after' | 'as'> & Partial<Pick<ResourceStep, 'transient' | 'outputs' | 'uses'>>;

/** How create and delete calls are followed (types.ts `Poll`); `none`: the response is the resource. */
type PollStyle = 'none' | 'compute' | 'container' | { longrunning: string };

interface Calls {
  create: HttpCall & { method: 'POST' | 'PUT' };
  poll: PollStyle;
  /** After create: GET the resource until `ready` holds (and fail when `failed` holds). */
  ready?: FieldCheck;
  failed?: FieldCheck;
  /** Values read from the resource's final GET (name → dotted path). */
  capture?: Record<string, string>;
  /** Found (or left) in a `failed` state: delete it (at its URL) and create it again (types.ts). */
  recreate?: true;
  /** How an existing resource is known to be the owner's (marks.ts); every resource at a URL has one. */
  owner?: Ownership;
}

/**
 * A resource at `url`: GET checks it exists; DELETE there (or at `deleteUrl`) removes it when a
 * delete plan undoes the step. `undo: null`: nothing to undo (the caller says why).
 */
interface AtUrl {
  url: string;
  deleteUrl?: string;
  undo: { title: string; transient?: TransientError[]; empty?: EmptyFirst; keep?: KeepWhenRefused } | null;
}

/** No existence check: the create call is idempotent by itself (services:batchEnable), and stays. */
interface Idempotent {
  url?: undefined;
  deleteUrl?: undefined;
  undo: null;
}

type Resource = Calls & (AtUrl | Idempotent);

/** What a stage's shorthand takes (it fixes `stage`, `as` and the poll style): a resource at a URL. */
export type StageResource = Omit<Calls, 'poll'> & AtUrl;

/** A step that makes one Google resource: GET to check it, create and poll, and DELETE to undo. */
export function resourceStep(common: Common, resource: Resource): StepDef {
  const { create, ready, failed, capture, owner } = resource;
  const poll: Poll = typeof resource.poll === 'string' ? { style: resource.poll } : { style: 'longrunning', pollBase: resource.poll.longrunning };
  const deleteCall = { method: 'DELETE' as const, url: resource.deleteUrl ?? resource.url!, poll };
  const step: ResourceStep = {
    ...common,
    kind: 'resource',
    ...(resource.url !== undefined && { get: { method: 'GET', url: resource.url } }),
    create: { ...create, poll },
    ...(ready && { ready }),
    ...(failed && { failed }),
    ...(capture && { capture }),
    ...(resource.recreate && resource.url !== undefined && { recreate: deleteCall }),
    ...(owner && { owner }),
  };
  if (!resource.undo) return { step };
  const { title, transient, empty, keep } = resource.undo;
  return {
    step: { ...step, delete: { ...deleteCall, ...(empty && { empty }), ...(keep && { keep }) } },
    undo: { kind: 'reverse', title, ...(transient && { transient }) },
  };
}

/** A service account, marked in its description (accounts have no labels) by `mark`. */
export function serviceAccountStep(
  ctx: Ctx,
  input: Common & { accountId: string; email: string; displayName: string; description: string; mark: Mark; hint: string },
): StepDef {
  const { accountId, email, displayName, description, mark, hint, ...common } = input;
  const body: Bodies['createServiceAccount'] = { accountId, serviceAccount: { displayName, description: mark.describe(description) } };
  // IAM answers synchronously: the response is the account.
  return resourceStep(common, {
    url: ctx.urls.iam.serviceAccount(email),
    create: { method: 'POST', url: ctx.urls.iam.serviceAccounts, body },
    poll: 'none',
    owner: mark.byMarker('description', `service account ${email}`, hint),
    undo: { title: `Delete the service account ${email}` },
  });
}

/**
 * What a bucket's teardown does with the objects in it: `empty` (delete them first), or `keep` (a
 * bucket that holds data stays, recorded as kept, and the delete goes on).
 */
export type BucketTeardown = 'empty' | { keep: string };

/** A bucket, labelled with the spec's labels and `mark`; `owner` says how an existing one is known to be the owner's. */
export function bucketStep(
  ctx: Ctx,
  input: Common & { name: string; location: string; versioning: boolean; labels: Record<string, string>; mark: Mark; owner: Ownership; teardown: BucketTeardown },
): StepDef {
  const { name, location, versioning, labels, mark, owner, teardown, ...common } = input;
  const body: Bodies['bucket'] = compact({
    name,
    location,
    // The guide's REGIONAL/MULTI_REGIONAL are legacy aliases of STANDARD (and MULTI_REGIONAL is refused
    // in dual-regions); STANDARD is right for every location.
    storageClass: 'STANDARD',
    versioning: { enabled: versioning },
    // Access is granted with bucket IAM only (the fabric module's default), never object ACLs.
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
    labels: { ...labels, ...mark.labels },
  });
  // A bucket that still holds objects answers 409 "The bucket you tried to delete is not empty."
  // Storage answers synchronously.
  const empty = teardown === 'empty' ? { empty: { list: ctx.urls.storage.objects(name), item: ctx.urls.storage.object(name) } } : {};
  const keep = teardown === 'empty' ? {} : { keep: { status: 409, contains: 'not empty', resource: `gs://${name}`, reason: teardown.keep } };
  const what = teardown === 'empty' ? 'Empty and delete' : 'Delete (unless it holds data)';
  return resourceStep(common, {
    url: ctx.urls.storage.bucket(name),
    create: { method: 'POST', url: ctx.urls.storage.buckets, body },
    poll: 'none',
    owner,
    undo: { title: `${what} the bucket gs://${name}`, ...empty, ...keep },
  });
}
