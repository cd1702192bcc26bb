import type { Ctx, StepDef } from './context.js';
import type { Bodies } from './google.js';
import type { IamBindingStep, TransientError } from './types.js';

/**
 * iamBinding steps: one step per policy and principal (read-modify-write with the etag), for the
 * three kinds of policy the plan touches. In a delete plan the same step removes the members, so
 * no `deleted:serviceAccount:…` bindings are left behind once the accounts are gone.
 */

/**
 * How long to wait for an IAM change to take effect: "typically 2 minutes, but could potentially
 * take 7 minutes or longer" (IAM, access change propagation).
 */
export const IAM_PROPAGATION_BUDGET = 900;

/**
 * New service accounts (and service agents) are unknown to IAM for a while: a binding naming one
 * is refused with `Service account <email> does not exist.` — only that 400 is waited out.
 */
export const SA_NOT_YET_VISIBLE: TransientError = { status: 400, matches: '^Service account \\S+ does not exist', within: IAM_PROPAGATION_BUDGET };

type BindingStepInput = Pick<IamBindingStep, 'id' | 'stage' | 'title' | 'after' | 'as' | 'bindings'> & {
  transient?: TransientError[];
  uses?: string[];
  /** Title of the removal in a delete plan; `null`: a delete plan leaves the binding alone. */
  removeTitle: string | null;
};

/** `[{role, member}]` for several roles of one member, duplicates dropped, order kept. */
export function rolesFor(member: string, roles: readonly string[]): IamBindingStep['bindings'] {
  return [...new Set(roles)].map((role) => ({ role, member }));
}

export const serviceAccountMember = (email: string) => `serviceAccount:${email}`;

function bindingStep(input: BindingStepInput, read: IamBindingStep['read'], write: IamBindingStep['write']): StepDef {
  const { removeTitle, transient, uses, ...rest } = input;
  const step: IamBindingStep = {
    ...rest,
    kind: 'iamBinding',
    action: 'add',
    read,
    write,
    ...(transient?.length ? { transient } : {}),
    ...(uses?.length ? { uses } : {}),
  };
  return removeTitle === null ? { step } : { step, undo: { kind: 'reverse', title: removeTitle } };
}

/** The project's policy (Resource Manager v1); read at policy version 3 so conditional bindings survive the write. */
export function projectBinding(ctx: Ctx, input: BindingStepInput): StepDef {
  const body: Bodies['getProjectIamPolicy'] = { options: { requestedPolicyVersion: 3 } };
  return bindingStep(
    input,
    { method: 'POST', url: ctx.urls.resourcemanager.getIamPolicy, body },
    { method: 'POST', url: ctx.urls.resourcemanager.setIamPolicy, wrap: true },
  );
}

/** A service account's own policy (who may act as it, mint its tokens, or impersonate it from a KSA). */
export function serviceAccountBinding(ctx: Ctx, email: string, input: BindingStepInput): StepDef {
  // getIamPolicy takes an (empty) request message: a POST always carries a JSON body.
  return bindingStep(
    input,
    { method: 'POST', url: ctx.urls.iam.getIamPolicy(email), body: {} },
    { method: 'POST', url: ctx.urls.iam.setIamPolicy(email), wrap: true },
  );
}

/** A bucket's policy (Cloud Storage JSON API: the bare policy, written with PUT). */
export function bucketBinding(ctx: Ctx, bucket: string, input: BindingStepInput): StepDef {
  const url = ctx.urls.storage.bucketIam(bucket);
  return bindingStep(input, { method: 'GET', url }, { method: 'PUT', url, wrap: false });
}
