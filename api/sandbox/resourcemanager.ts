/**
 * Cloud Resource Manager v1: the project and its IAM policy. setIamPolicy with a stale etag gets
 * 409 ABORTED "There were concurrent policy changes…", the signal to redo the read-modify-write.
 * testIamPermissions answers which of the given permissions the caller holds now (propagated
 * grants only): the way to wait for a role grant to take effect.
 */
import { rfc3339 } from './clock.js';
import { concurrentPolicyChange, invalidArgument, notFound } from './errors.js';
import { addNotFound, createServiceApp, guard, readBody, splitVerb } from './http.js';
import { isAllowed, policyKey, readPolicy, renderPolicy, writePolicy, type IncomingPolicy } from './policies.js';
import { crmGetIamPolicyRequest, crmSetIamPolicyRequest, crmTestIamPermissionsRequest } from './schemas.js';
import type { World } from './state.js';

const API = 'cloudresourcemanager.googleapis.com';

export function resourceManagerApp(world: World) {
  const app = createServiceApp(world, 'cloudresourcemanager');

  app.get('/v1/projects/:project', (c) => {
    const projectId = c.req.param('project');
    const resource = `projects/${projectId}`;
    guard(world, c, { permission: 'resourcemanager.projects.get', resource, project: projectId, api: API });
    const p = world.project(projectId);
    return c.json({
      projectNumber: p.projectNumber,
      projectId: p.projectId,
      lifecycleState: 'ACTIVE',
      name: p.projectId,
      createTime: rfc3339(p.createdAt),
    });
  });

  app.post('/v1/projects/:projectVerb', async (c) => {
    const { id: project, verb } = splitVerb(c.req.param('projectVerb'));
    if (verb === 'testIamPermissions') {
      // Any caller may test its own permissions; the project must exist and the API be enabled.
      guard(world, c, { permission: 'resourcemanager.projects.testIamPermissions', resource: `projects/${project}`, project, api: API, authorise: false });
      const { permissions = [] } = await readBody<{ permissions?: string[] }>(c, crmTestIamPermissionsRequest);
      const wild = permissions.find((p) => p.includes('*'));
      if (wild) throw invalidArgument(`Permissions with wildcards (such as * or storage.*) are not allowed: ${wild}.`);
      const held = permissions.filter((p) => isAllowed(world, c.var.principal.member, p, { project }));
      return c.json(held.length ? { permissions: held } : {});
    }
    if (verb !== 'getIamPolicy' && verb !== 'setIamPolicy') throw notFound('Method not found.');
    const permission = `resourcemanager.projects.${verb}`;
    guard(world, c, { permission, resource: `projects/${project}`, project, api: API });
    const key = policyKey.project(project);
    if (verb === 'getIamPolicy') {
      await readBody(c, crmGetIamPolicyRequest);
      return c.json(renderPolicy(key, readPolicy(world, key)));
    }
    const body = await readBody<{ policy?: IncomingPolicy }>(c, crmSetIamPolicyRequest);
    if (!body.policy) throw invalidArgument("Request contains an invalid argument: 'policy' is required.");
    return c.json(renderPolicy(key, writePolicy(world, key, body.policy, concurrentPolicyChange)));
  });

  return addNotFound(app);
}
