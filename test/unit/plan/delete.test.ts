import { describe, expect, it } from 'vitest';
import type { Plan, PlanStep } from '../../../api/domain/plan/types.js';
import { buildPlan } from '../../../api/domain/plan/index.js';
import { SCENARIOS, TEST_APIS, body, closure, createPlan, deletePlan, options, specOf, stepById } from './support.js';

const buildPlanWith = (overrides: Parameters<typeof options>[0]) => buildPlan(specOf(body()), options({ kind: 'delete', ...overrides }));

// The delete plan is the reverse of the create DAG over what can be undone. Checked both ways:
// every create ordering is reversed in delete, and delete adds no ordering create does not imply.

/** The create step a delete step undoes: the same id (the Saxml teardown replaces the cell's step under its id). */
const createIdOf = (deleteId: string) => deleteId;

const cases = Object.entries(SCENARIOS).flatMap(([name, b]) =>
  [true, false].map((includeBootstrap) => ({
    name: `${name} / ${includeBootstrap ? 'with' : 'without'} bootstrap`,
    b,
    includeBootstrap,
    create: createPlan(b),
    del: deletePlan(b, includeBootstrap),
  })),
);

describe.each(cases)('$name', ({ b, includeBootstrap, create, del }) => {
  const createUp = closure(create.steps);
  const deleteUp = closure(del.steps);
  const lookups = (plan: Plan) => plan.steps.filter((s) => s.kind === 'resource' && !s.create && !s.delete).map((s) => s.id);
  const undone = del.steps.filter((s) => !lookups(del).includes(s.id));
  const spec = specOf(b);

  it('reverses every create ordering: if b waited for a in create, a’s undo waits for b’s', () => {
    for (const x of undone) {
      for (const y of undone) {
        if (createUp.get(createIdOf(y.id))!.has(createIdOf(x.id))) {
          expect(deleteUp.get(x.id), `${y.id} came after ${x.id} in create`).toContain(y.id);
        }
      }
    }
  });

  it('adds no ordering that create does not imply (apart from waiting for a lookup)', () => {
    for (const step of undone) {
      for (const dep of step.after) {
        if (lookups(del).includes(dep)) continue;
        expect(createUp.get(createIdOf(dep)), `${step.id} waits for ${dep}`).toContain(createIdOf(step.id));
      }
    }
  });

  it('never disables services and deletes node pools only with the cluster', () => {
    expect(del.steps.filter((s) => s.id.startsWith('bootstrap.services.') || s.id.startsWith('base.tpu-pool.'))).toEqual([]);
  });

  it('has bootstrap steps only when asked (the project lookup aside)', () => {
    const bootstrap = del.steps.filter((s) => s.stage === 'bootstrap' && !lookups(del).includes(s.id)).map((s) => s.id);
    expect(bootstrap).toEqual(includeBootstrap
      ? ['bootstrap.token-creator', 'bootstrap.automation-bucket.iam', 'bootstrap.automation-bucket', 'bootstrap.automation-sa.roles', 'bootstrap.automation-sa']
      : []);
  });

  it('keeps the project lookup only when a delete step uses the project number, and runs it first', () => {
    const users = del.steps.filter((s) => s.uses?.includes('projectNumber')).map((s) => s.id);
    expect(lookups(del)).toEqual(users.length ? ['bootstrap.project'] : []);
    for (const u of users) expect(stepById(del, u).after).toContain('bootstrap.project');
    // The Pub/Sub agent's roles are the project's: removed only with the bootstrap resources; so is
    // the automation bucket, deleted only if it is the project's (its projectNumber) and the bootstrap's.
    expect(users).toEqual(includeBootstrap ? [...(spec.perf.enabled ? ['perf.pubsub-agent.roles'] : []), 'bootstrap.automation-bucket'] : []);
  });

  it('turns resource steps into deletes and IAM grants into removals', () => {
    for (const step of undone) {
      if (step.kind === 'resource') {
        expect(step.create, step.id).toBeUndefined();
        expect(step.delete?.method, step.id).toBe('DELETE');
        expect(step.outputs, step.id).toBeUndefined();
        expect(step.ready, step.id).toBeUndefined();
      }
      if (step.kind === 'iamBinding') expect(step.action, step.id).toBe('remove');
      if (step.kind === 'api') expect(step.id).toBe('saxml.cell');
    }
    // Same ids as in create, so a step keeps its name across operations.
    for (const step of undone) expect(create.steps.map((s) => s.id)).toContain(createIdOf(step.id));
  });

  it('removes Saxml first, then the cluster, then the subnet, then the network', () => {
    const order = del.steps.map((s) => s.id);
    if (spec.saxml.enabled) {
      expect(order.indexOf('saxml.cell')).toBeLessThan(order.indexOf('base.cluster'));
      expect(deleteUp.get('base.cluster')).toContain('saxml.cell');
      // The buckets go after the cell that used them (the admin bucket holds its sax-root).
      expect(deleteUp.get('base.bucket.admin')).toContain('saxml.cell');
      expect(stepById(del, 'saxml.cell').after).toEqual([]);
      expect(order.filter((id) => id.startsWith('saxml.model-server.'))).toEqual([]);
    }
    if (!spec.network.existing) {
      expect(stepById(del, 'base.subnet').after).toEqual(['base.cluster']);
      expect(stepById(del, 'base.network').after).toEqual(spec.network.nat ? ['base.subnet', 'base.router'] : ['base.subnet']);
    }
  });

  it('removes IAM grants before the accounts they name are deleted', () => {
    for (const sa of ['base.node-sa', 'base.workload-sa']) {
      for (const grant of ['base.bucket.admin.iam', 'base.bucket.models.iam', `${sa}.roles`]) expect(deleteUp.get(sa)).toContain(grant);
    }
    expect(deleteUp.get('base.workload-sa')).toContain('base.workload-identity');
  });

  if (includeBootstrap) {
    it('deletes the automation account last: everything it does comes first', () => {
      const automation = del.steps.filter((s) => s.as === 'automation').map((s) => s.id);
      for (const gate of ['bootstrap.token-creator', 'bootstrap.automation-sa.roles', 'bootstrap.automation-sa']) {
        for (const id of automation) expect(deleteUp.get(gate), `${gate} after ${id}`).toContain(id);
      }
      expect(stepById(del, 'bootstrap.automation-sa').as).toBe('workflow');
      expect(stepById(del, 'bootstrap.token-creator').as).toBe('workflow');
    });
  }
});

describe('delete details', () => {
  const step = (plan: Plan, id: string): PlanStep => stepById(plan, id);

  it('deletes the dataset with its contents only without deletion protection', () => {
    const unprotected = step(deletePlan(body({ deletionProtection: false })), 'perf.dataset');
    const protectedDs = step(deletePlan(body({ deletionProtection: true })), 'perf.dataset');
    expect(unprotected.kind === 'resource' && unprotected.delete?.url).toMatch(/\/datasets\/demo_metrics_dataset\?deleteContents=true$/);
    expect(protectedDs.kind === 'resource' && protectedDs.delete?.url).toMatch(/\/datasets\/demo_metrics_dataset$/);
  });

  it('waits out a busy cluster on cluster delete (up to an hour: a creation takes 7 minutes and more) and a network still in use', () => {
    const del = deletePlan(body({ network: { nat: true } }));
    expect(step(del, 'base.cluster').transient).toEqual([
      { status: 400, matches: 'incompatible operation|Please wait and try again once it is done', within: 3600 },
    ]);
    for (const id of ['base.subnet', 'base.network', 'base.router']) {
      expect(step(del, id).transient).toEqual([{ status: 400, matches: 'is already being used by', within: 1800 }]);
    }
  });

  it('deletes the Cloud Router (and its NAT) after the cluster, so nodes keep egress while they go', () => {
    const del = deletePlan(body({ network: { nat: true } }));
    expect(step(del, 'base.router').after).toContain('base.cluster');
  });

  it('calls the Saxml teardown route until it answers DELETED (each call moves the teardown on)', () => {
    const s = step(deletePlan(), 'saxml.cell');
    const teardown = { method: 'POST', url: 'http://127.0.0.1:8080/internal/environments/env-01jabcdefghjkmnpqrstvwxyz0/saxml/delete', body: {} };
    expect(s).toMatchObject({
      kind: 'api',
      stage: 'saxml',
      call: teardown,
      status: teardown,
      ready: { path: 'state', values: ['DELETED'] },
      failed: { path: 'state', values: ['FAILED'] },
    });
  });

  it('empties the admin bucket (Saxml’s own sax-root) and keeps the model repository when it holds data, unless purgeData', () => {
    const bucketDelete = (plan: Plan, id: string) => { const s = step(plan, id); return s.kind === 'resource' ? s.delete : undefined; };
    const objects = (bucket: string) => ({
      list: `${TEST_APIS.storage}/storage/v1/b/${bucket}/o?fields=items(name)&maxResults=1000`,
      item: `${TEST_APIS.storage}/storage/v1/b/${bucket}/o/`,
    });
    expect(bucketDelete(deletePlan(), 'base.bucket.admin')).toMatchObject({ method: 'DELETE', empty: objects('my-project-1-demo-saxml-admin') });
    expect(bucketDelete(deletePlan(), 'base.bucket.models')).toMatchObject({
      method: 'DELETE',
      keep: { status: 409, contains: 'not empty', resource: 'gs://my-project-1-demo-saxml-model-repository', reason: expect.stringContaining('purgeData=true') },
    });
    expect(bucketDelete(deletePlan(), 'base.bucket.models')).not.toHaveProperty('empty');
    const purge = buildPlanWith({ purgeData: true });
    expect(bucketDelete(purge, 'base.bucket.models')).toMatchObject({ empty: objects('my-project-1-demo-saxml-model-repository') });
    expect(bucketDelete(purge, 'base.bucket.models')).not.toHaveProperty('keep');
    // The shared, versioned automation bucket is never emptied, even with purgeData: what it holds
    // is not ours. A bucket that holds objects is kept, with what to do about it.
    for (const plan of [deletePlan(body(), true), buildPlanWith({ purgeData: true, includeBootstrap: true })]) {
      const automation = bucketDelete(plan, 'bootstrap.automation-bucket');
      expect(automation).not.toHaveProperty('empty');
      expect(automation).toMatchObject({
        keep: { status: 409, contains: 'not empty', resource: 'gs://my-project-1-saxml-automation', reason: expect.stringContaining('DELETE /projects/my-project-1/bootstrap') },
      });
    }
  });

  it('keeps the existence check on deletes (404 means done) and the same identity as create', () => {
    const create = createPlan();
    const del = deletePlan(body(), true);
    for (const d of del.steps) {
      const c = step(create, createIdOf(d.id));
      expect(d.as).toBe(c.as);
      expect(d.stage).toBe(c.stage);
      if (d.kind === 'resource' && c.kind === 'resource') expect(d.get).toEqual(c.get);
      if (d.kind === 'iamBinding' && c.kind === 'iamBinding') expect({ ...d, action: 'add', title: c.title, after: c.after, transient: c.transient }).toEqual(c);
    }
  });
});
