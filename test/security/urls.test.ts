import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../api/domain/plan/index.js';
import { segment } from '../../api/domain/plan/google.js';
import type { Plan, PlanStep } from '../../api/domain/plan/types.js';
import type { NormalisedSpec } from '../../api/domain/spec.js';
import { parseSpec } from '../../api/domain/validate.js';
import { body } from '../support/fixtures.js';
import { options, specOf } from '../unit/plan/support.js';

/**
 * Every value that reaches a URL is validated, and encoded as defence in depth (review finding 4):
 * `artifactRegistry.location: "us/repositories/victim?quotaUser="` retargeted automation-token calls.
 */

/** Each field of a spec that ends up in a URL (or names a location), with a hostile value. */
const HOSTILE: [path: string, set: (b: Record<string, any>, v: string) => void][] = [
  ['$.project', (b, v) => { b.project = v; }],
  ['$.region', (b, v) => { b.region = v; }],
  ['$.name', (b, v) => { b.name = v; }],
  ['$.cluster.name', (b, v) => { b.cluster.name = v; }],
  ['$.cluster.tpuNodePools[0].name', (b, v) => { b.cluster.tpuNodePools[0].name = v; }],
  ['$.network.name', (b, v) => { b.network = { ...b.network, name: v }; }],
  ['$.network.subnetName', (b, v) => { b.network = { ...b.network, subnetName: v }; }],
  ['$.buckets.admin', (b, v) => { b.buckets = { ...b.buckets, admin: v }; }],
  ['$.buckets.modelRepository', (b, v) => { b.buckets = { ...b.buckets, modelRepository: v }; }],
  ['$.bootstrap.automationBucket', (b, v) => { b.bootstrap = { ...b.bootstrap, automationBucket: v }; }],
  ['$.bootstrap.automationServiceAccount', (b, v) => { b.bootstrap = { ...b.bootstrap, automationServiceAccount: v }; }],
  ['$.bootstrap.automationBucketLocation', (b, v) => { b.bootstrap = { ...b.bootstrap, automationBucketLocation: v }; }],
  ['$.serviceAccounts.nodePool.accountId', (b, v) => { b.serviceAccounts = { ...b.serviceAccounts, nodePool: { accountId: v } }; }],
  ['$.serviceAccounts.workload.accountId', (b, v) => { b.serviceAccounts = { ...b.serviceAccounts, workload: { accountId: v } }; }],
  ['$.artifactRegistry.name', (b, v) => { b.artifactRegistry = { ...b.artifactRegistry, name: v }; }],
  ['$.artifactRegistry.location', (b, v) => { b.artifactRegistry = { ...b.artifactRegistry, location: v }; }],
  ['$.perf.datasetLocation', (b, v) => { b.perf = { ...b.perf, datasetLocation: v }; }],
];

const VALUES = ['us/repositories/victim-serving-images?quotaUser=', '../../other-project/x', 'a#b', 'a b', '%2e%2e', 'us-west1/..', 'US?x=1'];

describe('validation refuses every hostile value where it is written', () => {
  it.each(HOSTILE.flatMap(([path, set]) => VALUES.map((v) => [path, v, set] as const)))('%s = %j', (path, value, set) => {
    const b = structuredClone(body()) as Record<string, any>;
    set(b, value);
    const parsed = parseSpec(b);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path)).toContain(path);
  });

  it('accepts the locations each product has', () => {
    for (const location of ['us', 'europe', 'asia', 'us-west1']) expect(parseSpec(body({ artifactRegistry: { location } })).ok).toBe(true);
    for (const datasetLocation of ['US', 'EU', 'us-west1']) expect(parseSpec(body({ perf: { datasetLocation } })).ok).toBe(true);
    for (const automationBucketLocation of ['US', 'eu', 'NAM4', 'us-west1', 'US-WEST1']) expect(parseSpec(body({ bootstrap: { automationBucketLocation } })).ok).toBe(true);
  });
});

/** Every URL of a plan, named by the step's place (ids hold pool names) and the call it belongs to. */
function urls(plan: Plan): Map<string, string> {
  const out = new Map<string, string>([['automation.tokenUrl', plan.automation.tokenUrl]]);
  const add = (step: PlanStep, what: string, url: string | undefined) => url && out.set(`${plan.steps.indexOf(step)}:${step.kind}.${what}`, url);
  for (const step of plan.steps) {
    if (step.kind === 'resource') {
      add(step, 'get', step.get?.url);
      add(step, 'create', step.create?.url);
      add(step, 'delete', step.delete?.url);
      // A bucket emptied before its delete: its objects' list, and the prefix of each object's URL.
      add(step, 'empty.list', step.delete?.empty?.list);
      add(step, 'empty.item', step.delete?.empty?.item);
    } else if (step.kind === 'iamBinding') {
      add(step, 'read', step.read.url);
      add(step, 'write', step.write.url);
    } else {
      add(step, 'call', step.call.url);
      add(step, 'status', step.status.url);
    }
  }
  return out;
}

const shape = (url: string) => {
  const [path, query = ''] = url.split('?') as [string, string?];
  return { segments: path.split('/').length, query: [...new URLSearchParams(query).keys()].sort(), hash: url.includes('#') };
};

describe('plans built from hostile values (validation bypassed) keep every URL on its intended path', () => {
  const clean = specOf();
  const hostileSpec = (value: string): NormalisedSpec => {
    const b = structuredClone(clean) as Record<string, any>;
    for (const [, set] of HOSTILE) set(b, value);
    return b as NormalisedSpec;
  };

  it.each(VALUES)('%j', (value) => {
    for (const kind of ['create', 'delete'] as const) {
      const expected = urls(buildPlan(clean, options({ kind, includeBootstrap: true, purgeData: true })));
      const actual = urls(buildPlan(hostileSpec(value), options({ kind, includeBootstrap: true, purgeData: true })));
      if (kind === 'delete') expect([...expected.keys()].filter((k) => k.includes('empty.'))).toHaveLength(4);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [name, planned] of actual) {
        // The executor fills `{{projectNumber}}` with the captured number before the call.
        const url = planned.replaceAll('{{projectNumber}}', '123456789012');
        // As many path segments and the same query parameters as the clean plan's URL, no fragment,
        // and nothing a URL parser would resolve differently (dot-segments).
        expect(shape(url), `${name}: ${url}`).toEqual(shape(expected.get(name)!));
        expect(new URL(url).pathname, `${name}: ${url}`).toBe(new URL(url.split('?')[0]!).pathname);
        expect(new URL(url).href.split('?')[0], name).toBe(url.split('?')[0]);
      }
    }
  });

  it('a value that could only be a dot-segment is refused outright', () => {
    for (const value of ['', '.', '..']) expect(() => segment(value)).toThrow(/cannot be a URL path segment/);
  });
});
