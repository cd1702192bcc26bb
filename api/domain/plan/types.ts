import type { StageName } from './stages.js';
import type { StepOutputKey, StepOutputs, UpdateBase } from '../environment.js';
import type { ApiBases } from '../google-apis.js';

/**
 * The plan (DESIGN §6): what the workflow executes. Every step is a small, idempotent Google REST
 * call (or a call back into this API) with everything the generic executor needs spelled out:
 * URL, body, how to check existence, how to poll the long-running operation, what counts as ready,
 * what to capture. The workflow knows nothing about Saxml, GKE or any resource type.
 */

// The plan's options name these; the composition roots and tests import them from here.
export { PRODUCTION_API_BASES, type ApiBases, type GoogleApi } from '../google-apis.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpCall {
  method: HttpMethod;
  url: string;
  /**
   * JSON body (typed with Google's discovery schemas where the plan builds it). Every POST, PUT
   * and PATCH has one, `{}` at least: Google's JSON transcoding reads an empty message from `{}`.
   */
  body?: unknown;
}

/**
 * How to follow the long-running operation a call returns:
 * - `compute`: `status` becomes DONE; failure in `error.errors[]`; poll GET `selfLink`.
 * - `container`: `status` becomes DONE; failure in `error` / `statusMessage`; poll GET `selfLink`.
 * - `longrunning`: `done` becomes true; failure in `error`; poll GET `<pollBase>/v1/<name>`.
 * - `none`: the response is the result.
 */
export type Poll =
  | { style: 'none' }
  | { style: 'compute' }
  | { style: 'container' }
  | { style: 'longrunning'; pollBase: string };

/** A response field that must equal one of `values` (dotted path into the JSON). */
export interface FieldCheck {
  path: string;
  /** Strings compare as they are; any other value by its JSON (`["a","b"]`). */
  values: string[];
}

/** `ready` also says how long to wait for it (seconds; the executor's default is 2 hours). */
export interface ReadyCheck extends FieldCheck {
  within?: number;
}

/**
 * Errors that are expected to clear by themselves (eventual consistency, a busy cluster), each
 * waited out for as long as it plausibly lasts: minutes for IAM and API propagation, up to an hour
 * for a cluster busy with another operation.
 */
export interface TransientError {
  status: number;
  /** A regular expression (RE2) Google's error message must match. */
  matches: string;
  /** Seconds to keep trying before the step fails with the error. */
  within: number;
}

interface StepBase {
  id: string;
  stage: StageName;
  title: string;
  /** Step ids that must be done first. */
  after: string[];
  /** `workflow`: the workflow's own identity (bootstrap); `automation`: the impersonated account. */
  as: 'workflow' | 'automation';
  /** Errors to wait out with backoff (bounded) instead of failing. */
  transient?: TransientError[];
  /** Outputs recorded when the step succeeds (known at plan time: names, emails, URLs). */
  outputs?: StepOutputs;
  /**
   * Values captured by earlier steps that this step's strings contain as `{{name}}` (e.g. the
   * project number in the Pub/Sub service agent's email); the executor substitutes them.
   */
  uses?: string[];
  /** Outputs that no longer hold once the step succeeds (an update deleting what reported them). */
  clears?: StepOutputKey[];
}

/**
 * How the workflow tells that an existing resource is this environment's (marks.ts): every check
 * must hold on the resource as its GET returns it (`equals` a value, or `contains` a text).
 */
export interface Ownership {
  /** The resource, as people name it (`bucket gs://x`, `GKE cluster c`). */
  resource: string;
  checks: { path: string; equals?: string; contains?: string }[];
  /** The step's error when a create finds the resource without the mark (code ALREADY_EXISTS). */
  conflict: { message: string; hint: string };
  /** What the event log says when a delete finds the resource without the mark and leaves it alone. */
  leftAlone: string;
}

/** Create (or delete) one Google resource, idempotently. */
export interface ResourceStep extends StepBase {
  kind: 'resource';
  /**
   * Existence check. create: 200 (and `ready`, if given) → done without creating; 404 → create.
   * delete: 404 → done. Absent: the call itself is idempotent (e.g. services:batchEnable).
   */
  get?: HttpCall;
  /** The create call (create plans) — `409 ALREADY_EXISTS` counts as done once `owner` holds. */
  create?: HttpCall & { poll: Poll };
  /** The delete call (delete plans) — `404 NOT_FOUND` counts as done; made only when `owner` holds. */
  delete?: HttpCall & { poll: Poll; empty?: EmptyFirst; keep?: KeepWhenRefused };
  /**
   * The resource is adopted (found by `get`, or answered 409 on create) and deleted only if it
   * carries its owner's mark. Every resource the plan creates has one; lookups do not.
   */
  owner?: Ownership;
  /**
   * An in-place change (update plans): made whatever the resource holds, so it sets absolute
   * values (a node count, the whole label set) and can run twice. The resource must exist.
   */
  update?: HttpCall & { poll: Poll };
  /** After create: GET `get` until this holds (and fail when `failed` holds). */
  ready?: ReadyCheck;
  failed?: FieldCheck;
  /**
   * A resource found (or left by its create) in a `failed` state is deleted with this call, its
   * operation followed, and created again — once per run: GKE leaves a node pool or cluster whose
   * creation failed (a stockout) in ERROR, and no retry gets past it otherwise.
   */
  recreate?: HttpCall & { poll: Poll };
  /**
   * Values read from the final GET of the resource (name → dotted path): reported as outputs and
   * made available to later steps as `{{name}}`. A step with `get` and `capture` but no
   * create/delete is a lookup (e.g. the project number).
   */
  capture?: Record<string, string>;
}

/**
 * Before the delete call, delete every item listed at `list` (`items[].name`), each with DELETE
 * `item` + its URL-encoded name, listing again until nothing is left (a bucket's objects).
 */
export interface EmptyFirst {
  list: string;
  item: string;
}

/**
 * A delete refused with this status and message leaves the resource in place on purpose (a bucket
 * that holds the user's data): the step succeeds, and the operation records `resource` as kept.
 */
export interface KeepWhenRefused {
  status: number;
  contains: string;
  resource: string;
  reason: string;
}

/**
 * Add (or remove) members to roles of one IAM policy: read-modify-write with the etag, retried on
 * a concurrent change. One step per policy and principal keeps writes to a shared policy few.
 */
export interface IamBindingStep extends StepBase {
  kind: 'iamBinding';
  action: 'add' | 'remove';
  bindings: { role: string; member: string }[];
  /** Reads the policy (GET b/…/iam, POST …:getIamPolicy). */
  read: HttpCall;
  /** Writes it; `wrap`: send `{policy}` (IAM, Resource Manager) rather than the bare policy (Storage). */
  write: { method: HttpMethod; url: string; wrap: boolean };
}

/**
 * A call to this service's internal routes (Saxml apply/delete), then polling a status route.
 * Their URLs carry no query: the workflow appends `?operationId=` its operation to both.
 */
export interface ApiStep extends StepBase {
  kind: 'api';
  call: HttpCall;
  status: HttpCall;
  ready: FieldCheck;
  failed?: FieldCheck;
}

export type PlanStep = ResourceStep | IamBindingStep | ApiStep;

/**
 * Execution order: phases run one after another; the lanes of a phase run in parallel; the waves
 * of a lane run one after another; the steps of a wave run in parallel. A step depends only on
 * steps of its own lane or of earlier phases, so independent work (perf) never waits for the
 * cluster.
 */
export type Schedule = string[][][][];

export type PlanKind = 'create' | 'update' | 'delete';

export interface Plan {
  kind: PlanKind;
  /** The account automation steps impersonate, and where its token is minted. */
  automation: { serviceAccount: string; tokenUrl: string };
  steps: PlanStep[];
  schedule: Schedule;
}

export interface PlanOptions {
  kind: PlanKind;
  /** update: what the environment converges from (the plan is the diff from it to the spec). */
  update?: UpdateBase;
  apis: ApiBases;
  /** Base URL of this service for `api` steps (`<apiBase>/internal/environments/<id>/saxml/...`). */
  apiBase: string;
  environmentId: string;
  /** The workflow's identity, granted token-creator on the automation account. */
  workflowServiceAccount: string;
  /** This service's identity (the Saxml deployer acts as the automation account), granted the same. */
  serviceAccount: string;
  /** delete: also delete the model repository bucket when it holds data. */
  purgeData: boolean;
  /** delete: also remove bootstrap resources (the caller checked no other live environment needs them). */
  includeBootstrap: boolean;
}
