/**
 * Cloud Resource Manager v1: the project and its IAM policy. setIamPolicy with a stale etag gets
 * 409 ABORTED "There were concurrent policy changes…", the signal to redo the read-modify-write.
 */
import { rfc3339 } from './clock.js';
import { concurrentPolicyChange, invalidArgument, notFound } from './errors.js';
import { addNotFound, createServiceApp, guard, readBody, splitVerb } from './http.js';
import { policyKey, readPolicy, renderPolicy, writePolicy, type IncomingPolicy } from './policies.js';
import { crmGetIamPolicyRequest, crmSetIamPolicyRequest } from './schemas.js';
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
