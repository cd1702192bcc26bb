import { DEFAULT_AUTOMATION_ROLES, PERF_AUTOMATION_ROLES } from '../defaults.js';
import type { Ctx, StepDef } from './context.js';
import type { Bodies } from './google.js';
import { SA_NOT_YET_VISIBLE, bucketBinding, projectBinding, rolesFor, serviceAccountBinding, serviceAccountMember } from './iam.js';
import { bucketStep, resourceStep, serviceAccountStep } from './resources.js';
import { serviceBatches } from './services.js';

/**
 * Stage 0 (reference §1): services, the automation service account with its project roles, the
 * automation bucket, and the grant that lets the workflow mint the automation account's tokens.
 * Every step runs as the workflow's own identity: the automation account is what it creates.
 * These resources belong to the project (several environments may share them).
 */

const SERVICE_BATCH = 'bootstrap.services.';

/** Ids of the bootstrap steps, which every other stage waits for. */
export const BOOTSTRAP_STEPS = {
  /** The services batch at `index` (from 0): `bootstrap.services.1` and on. */
  services: (index: number) => `${SERVICE_BATCH}${index + 1}`,
  project: 'bootstrap.project',
  automationAccount: 'bootstrap.automation-sa',
  automationAccountRoles: 'bootstrap.automation-sa.roles',
  automationBucket: 'bootstrap.automation-bucket',
  automationBucketIam: 'bootstrap.automation-bucket.iam',
  tokenCreator: 'bootstrap.token-creator',
} as const;

export const isServiceBatch = (id: string) => id.startsWith(SERVICE_BATCH);

export function automationRoles(ctx: Ctx): string[] {
  const { spec } = ctx;
  return [...new Set([...DEFAULT_AUTOMATION_ROLES, ...(spec.perf.enabled ? PERF_AUTOMATION_ROLES : []), ...spec.bootstrap.additionalRoles])];
}

export function bootstrapSteps(ctx: Ctx): StepDef[] {
  const { spec, names, urls, options } = ctx;
  const batches = serviceBatches(spec);
  const automationEmail = names.automationServiceAccountEmail;
  const automationMember = serviceAccountMember(automationEmail);

  // Services are never disabled on delete (no undo): other workloads of the project may use them.
  const services = batches.map((serviceIds, i) => {
    const body: Bodies['batchEnable'] = { serviceIds };
    return resourceStep(
      { id: BOOTSTRAP_STEPS.services(i), stage: 'bootstrap', title: `Enable services (batch ${i + 1} of ${batches.length})`, after: [], as: 'workflow' },
      // batchEnable is idempotent (enabling an enabled service is a no-op): no existence check.
      { create: { method: 'POST', url: urls.serviceusage.batchEnable, body }, poll: { longrunning: urls.base('serviceusage') }, undo: null },
    );
  });

  const project: StepDef = {
    step: {
      id: BOOTSTRAP_STEPS.project,
      stage: 'bootstrap',
      title: `Look up the number of project ${spec.project}`,
      after: ctx.enabling(['cloudresourcemanager']),
      as: 'workflow',
      kind: 'resource',
      get: { method: 'GET', url: urls.resourcemanager.project },
      capture: { projectNumber: 'projectNumber' },
    },
  };

  const automationSa = serviceAccountStep(ctx, {
    id: BOOTSTRAP_STEPS.automationAccount,
    stage: 'bootstrap',
    title: `Create the automation service account ${automationEmail}`,
    after: ctx.enabling(['iam']),
    as: 'workflow',
    accountId: names.automationServiceAccountId,
    email: automationEmail,
    displayName: 'Saxml automation service account',
    description: 'Provisions Saxml environments on behalf of the Saxml Environments API.',
    mark: ctx.bootstrapMark,
    hint: 'an account of this id that the bootstrap did not make is never given its roles: pick another id in bootstrap.automationServiceAccount',
    outputs: { automationServiceAccount: automationEmail },
  });

  const automationRolesStep = projectBinding(ctx, {
    id: BOOTSTRAP_STEPS.automationAccountRoles,
    stage: 'bootstrap',
    title: `Grant the automation service account its project roles`,
    after: [BOOTSTRAP_STEPS.automationAccount, ...ctx.enabling(['cloudresourcemanager'])],
    as: 'workflow',
    bindings: rolesFor(automationMember, automationRoles(ctx)),
    transient: [SA_NOT_YET_VISIBLE],
    removeTitle: 'Remove the automation service account’s project roles',
  });

  // Bootstrap resources live in spec.project only: an existing automation bucket is adopted only if
  // it is this project's (its projectNumber, which no label can fake) and the bootstrap's (its mark).
  // Otherwise a spec for one project could grant on, and delete, a bucket of another through the
  // workflow's identity.
  const automationBucket = bucketStep(ctx, {
    id: BOOTSTRAP_STEPS.automationBucket,
    stage: 'bootstrap',
    title: `Create the automation bucket gs://${names.automationBucket}`,
    after: [BOOTSTRAP_STEPS.project, ...ctx.enabling(['storage'])],
    as: 'workflow',
    name: names.automationBucket,
    location: names.automationBucketLocation,
    versioning: true,
    labels: {},
    mark: ctx.bootstrapMark,
    owner: ctx.bootstrapMark.byLabel(
      'labels',
      `bucket gs://${names.automationBucket}`,
      `the automation bucket must be one the bootstrap of project ${spec.project} made in that project: pick another name in bootstrap.automationBucket`,
      [{ path: 'projectNumber', equals: '{{projectNumber}}' }],
    ),
    uses: ['projectNumber'],
    // Versioned and shared by the project's environments: its objects are never deleted for them.
    teardown: 'refuse',
    outputs: { automationBucket: `gs://${names.automationBucket}` },
  });

  const automationBucketIam = bucketBinding(ctx, names.automationBucket, {
    id: BOOTSTRAP_STEPS.automationBucketIam,
    stage: 'bootstrap',
    title: `Grant the automation service account storage.admin on gs://${names.automationBucket}`,
    after: [BOOTSTRAP_STEPS.automationBucket, BOOTSTRAP_STEPS.automationAccount],
    as: 'workflow',
    bindings: rolesFor(automationMember, ['roles/storage.admin']),
    transient: [SA_NOT_YET_VISIBLE],
    removeTitle: `Remove the automation service account from gs://${names.automationBucket}`,
  });

  const tokenCreator = serviceAccountBinding(ctx, automationEmail, {
    id: BOOTSTRAP_STEPS.tokenCreator,
    stage: 'bootstrap',
    title: `Let the workflow identity and this service mint tokens of the automation service account`,
    after: [BOOTSTRAP_STEPS.automationAccount],
    as: 'workflow',
    // The workflow acts as the account for every Google call; this service does, for the Saxml
    // deployer's Kubernetes calls (GKE takes the account's OAuth token).
    bindings: [options.workflowServiceAccount, options.serviceAccount].flatMap((account) =>
      rolesFor(serviceAccountMember(account), ['roles/iam.serviceAccountTokenCreator'])),
    // The policy belongs to the account just created.
    transient: [SA_NOT_YET_VISIBLE],
    removeTitle: 'Remove the workflow identity’s and this service’s token-creator grants',
  });

  return [...services, project, automationSa, automationRolesStep, automationBucket, automationBucketIam, tokenCreator];
}
