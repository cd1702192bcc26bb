/**
 * IAM v1: service accounts and their IAM policies. Creation is synchronous (as on Google) but the new
 * account stays unknown to policy bindings for SA_PROPAGATION_SECONDS (see policies.ts).
 */
import { alreadyExists, concurrentPolicyChange, invalidArgument, notFound } from './errors.js';
import { addNotFound, createServiceApp, guard, readBody, splitVerb, type Ctx } from './http.js';
import {
  markServiceAccountDeleted,
  policyKey,
  readPolicy,
  renderPolicy,
  writePolicy,
  type IncomingPolicy,
} from './policies.js';
import { iamCreateServiceAccountRequest, iamSetIamPolicyRequest } from './schemas.js';
import { checkLength } from './labels.js';
import type { ServiceAccountRec, World } from './state.js';

const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
const API = 'iam.googleapis.com';

export function renderServiceAccount(sa: ServiceAccountRec) {
  return {
    name: `projects/${sa.project}/serviceAccounts/${sa.email}`,
    projectId: sa.project,
    uniqueId: sa.uniqueId,
    email: sa.email,
    ...(sa.displayName ? { displayName: sa.displayName } : {}),
    ...(sa.description ? { description: sa.description } : {}),
    etag: 'MDEwMjE5MjA=',
    oauth2ClientId: sa.uniqueId,
  };
}

/** Looks an account up by email or unique id; 404 `Unknown service account` as IAM answers. */
function findAccount(world: World, idOrEmail: string): ServiceAccountRec {
  const sa = lookupAccount(world, idOrEmail);
  if (!sa) throw notFound('Unknown service account');
  return sa;
}

/**
 * The account's project (the URL may say `-`) and its own policy decide; an account that does not
 * exist is the method's 404 once the caller may act on the URL's project.
 */
function guardAccount(world: World, c: Ctx, verb: string, project: string, idOrEmail: string): void {
  const resource = `projects/${project}/serviceAccounts/${idOrEmail}`;
  const sa = lookupAccount(world, idOrEmail);
  const owner = sa?.project ?? (project !== '-' ? project : undefined);
  guard(world, c, {
    permission: `iam.serviceAccounts.${verb}`,
    resource,
    ...(owner ? { project: owner, api: API } : {}),
    ...(sa ? { resourcePolicies: [policyKey.serviceAccount(sa.email)] } : {}),
  });
}

const lookupAccount = (world: World, idOrEmail: string): ServiceAccountRec | undefined =>
  world.serviceAccounts.get(idOrEmail) ?? [...world.serviceAccounts.values()].find((s) => s.uniqueId === idOrEmail);

export function iamApp(world: World) {
  const app = createServiceApp(world, 'iam');

  app.post('/v1/projects/:project/serviceAccounts', async (c) => {
    const project = c.req.param('project');
    guard(world, c, { permission: 'iam.serviceAccounts.create', resource: `projects/${project}`, project, api: API });
    type CreateRequest = { accountId?: string; serviceAccount?: { displayName?: string; description?: string } };
    const body = await readBody<CreateRequest>(c, iamCreateServiceAccountRequest);
    const accountId = body.accountId ?? '';
    if (!ACCOUNT_ID.test(accountId) || accountId.length < 6 || accountId.length > 30) {
      throw invalidArgument(
        `Invalid value for field 'accountId': '${accountId}'. Account ID must match regex ` +
          '[a-z]([-a-z0-9]*[a-z0-9]) and be 6-30 characters long.',
      );
    }
    // Google's limits (ServiceAccount): displayName at most 100 UTF-8 bytes, description at most 256.
    checkLength(body.serviceAccount?.displayName, 100, 'service_account.display_name');
    checkLength(body.serviceAccount?.description, 256, 'service_account.description');
    const email = `${accountId}@${project}.iam.gserviceaccount.com`;
    if (world.serviceAccounts.has(email)) {
      throw alreadyExists(`Service account ${accountId} already exists within project projects/${project}.`);
    }
    const sa: ServiceAccountRec = {
      project,
      accountId,
      email,
      displayName: body.serviceAccount?.displayName,
      description: body.serviceAccount?.description,
      uniqueId: `${world.numericId()}00`.slice(0, 21),
      createdAt: world.now(),
    };
    world.serviceAccounts.set(email, sa);
    return c.json(renderServiceAccount(sa));
  });

  app.get('/v1/projects/:project/serviceAccounts/:sa', (c) => {
    const { project, sa: id } = c.req.param();
    guardAccount(world, c, 'get', project, id);
    return c.json(renderServiceAccount(findAccount(world, id)));
  });

  app.delete('/v1/projects/:project/serviceAccounts/:sa', (c) => {
    const { project, sa: id } = c.req.param();
    guardAccount(world, c, 'delete', project, id);
    const sa = findAccount(world, id);
    world.serviceAccounts.delete(sa.email);
    world.policies.delete(policyKey.serviceAccount(sa.email));
    markServiceAccountDeleted(world, sa.email, sa.uniqueId);
    return c.json({});
  });

  app.post('/v1/projects/:project/serviceAccounts/:saVerb', async (c) => {
    const project = c.req.param('project');
    const { id, verb } = splitVerb(c.req.param('saVerb'));
    if (verb !== 'getIamPolicy' && verb !== 'setIamPolicy') throw notFound('Method not found.');
    guardAccount(world, c, verb, project, id);
    const sa = findAccount(world, id);
    const key = policyKey.serviceAccount(sa.email);
    if (verb === 'getIamPolicy') {
      await readBody(c);
      return c.json(renderPolicy(key, readPolicy(world, key)));
    }
    const body = await readBody<{ policy?: IncomingPolicy }>(c, iamSetIamPolicyRequest);
    if (!body.policy) throw invalidArgument("Request contains an invalid argument: 'policy' is required.");
    return c.json(renderPolicy(key, writePolicy(world, key, body.policy, concurrentPolicyChange)));
  });

  return addNotFound(app);
}
