import { ARTIFACT_REGISTRY_AUTOMATION_ROLES, AUTOMATION_ROLES, PERF_AUTOMATION_ROLES, type AutomationRole } from '../defaults.js';
import type { Ctx, StepDef } from './context.js';
import type { Bodies } from './google.js';
import { IAM_PROPAGATION_BUDGET, SA_NOT_YET_VISIBLE, bucketBinding, projectBinding, rolesFor, serviceAccountBinding, serviceAccountMember } from './iam.js';
import { bucketStep, resourceStep, serviceAccountStep } from './resources.js';
import { serviceBatches } from './services.js';

/**
 * Stage 0 (reference §1): services, the automation service account with its project roles, the
 * automation bucket, and the grant that lets the workflow mint the automation account's tokens.
 * Every step but the last runs as the workflow's own identity: the automation account is what it
 * creates. The last waits, as the automation account, until its roles have propagated (IAM grants
 * take typically 2, sometimes 7 or more minutes): every automation step waits for it.
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
  automationReady: 'bootstrap.automation-ready',
  /** The project's Pub/Sub service agent (perf only). */
  pubsubAgent: 'bootstrap.pubsub-agent',
} as const;

export const isServiceBatch = (id: string) => id.startsWith(SERVICE_BATCH);

/** The automation account's roles this spec needs (defaults.ts says why each). */
function automationRoleSet(ctx: Ctx): AutomationRole[] {
  const { spec } = ctx;
  return [
    ...AUTOMATION_ROLES,
    ...(spec.artifactRegistry.enabled ? ARTIFACT_REGISTRY_AUTOMATION_ROLES : []),
    ...(spec.perf.enabled ? PERF_AUTOMATION_ROLES : []),
  ];
}

export function automationRoles(ctx: Ctx): string[] {
  return [...new Set([...automationRoleSet(ctx).map((r) => r.role), ...ctx.spec.bootstrap.additionalRoles])];
}

/**
 * IAM answers 403 until a grant has propagated, so the first automation step would fail. This step
 * asks, as the automation account, for one permission of each role (testIamPermissions returns
 * those the caller holds now) until it holds them all. `ready` compares the JSON of the answer's
 * list with the sorted request (testIamPermissions keeps the request's order).
 */
function automationReadyStep(ctx: Ctx): StepDef {
  const permissions = [...new Set(automationRoleSet(ctx).map((r) => r.probe))].sort();
  const body: Bodies['testIamPermissions'] = { permissions };
  return {
    step: {
      id: BOOTSTRAP_STEPS.automationReady,
      stage: 'bootstrap',
      title: 'Wait until the automation service account’s roles have taken effect',
      after: [BOOTSTRAP_STEPS.automationAccountRoles, BOOTSTRAP_STEPS.tokenCreator, ...ctx.enabling(['iamcredentials', 'cloudresourcemanager'])],
      as: 'automation',
      kind: 'resource',
      get: { method: 'POST', url: ctx.urls.resourcemanager.testIamPermissions, body },
      // Google: typically 2 minutes, "could potentially take 7 minutes or longer".
      ready: { path: 'permissions', values: [JSON.stringify(permissions)], within: IAM_PROPAGATION_BUDGET },
    },
  };
}

/**
 * The project's Pub/Sub service agent, which writes the perf metrics into BigQuery. A project that
 * just enabled Pub/Sub may not have it yet (some agents are made on first use), and IAM refuses to
 * grant roles to an account that does not exist: generateServiceIdentity makes it now. Idempotent;
 * an agent is never deleted (no undo). The documented parent names the project by number.
 */
function pubsubAgentStep(ctx: Ctx): StepDef {
  return {
    step: {
      id: BOOTSTRAP_STEPS.pubsubAgent,
      stage: 'bootstrap',
      title: 'Create the project’s Pub/Sub service agent',
      after: [BOOTSTRAP_STEPS.project, ...ctx.enabling(['pubsub'])],
      as: 'workflow',
      kind: 'resource',
      create: {
        method: 'POST',
        url: ctx.urls.serviceusage.generateServiceIdentity('{{projectNumber}}', 'pubsub.googleapis.com'),
        body: {},
        poll: { style: 'longrunning', pollBase: ctx.urls.base('serviceusage') },
      },
      uses: ['projectNumber'],
    },
  };
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
    // Versioned, and never written by us: what it holds is someone's (Terraform state, say), so a
    // bootstrap removal never deletes its objects (nor their noncurrent versions, which also make
    // Google refuse the delete). A bucket that holds any is kept and named in the operation.
    teardown: {
      keep: `the automation bucket holds objects (or noncurrent versions of them), which this service never deletes: remove them (gcloud storage rm --all-versions 'gs://${names.automationBucket}/**') and call DELETE /projects/${spec.project}/bootstrap`,
    },
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

  return [
    ...services, project, automationSa, automationRolesStep, automationBucket, automationBucketIam, tokenCreator, automationReadyStep(ctx),
    ...(spec.perf.enabled ? [pubsubAgentStep(ctx)] : []),
  ];
}
