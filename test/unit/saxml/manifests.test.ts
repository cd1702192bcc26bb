import { readFileSync } from 'node:fs';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { describe, expect, it } from 'vitest';
import { PUBLISH_SCRIPT, UNPUBLISH_SCRIPT, saxmlManifests, type SaxmlObject } from '../../../api/domain/saxml/manifests.js';
import type { V1Deployment, V1Job, V1PodTemplateSpec, V1Service } from '@kubernetes/client-node';
import { MODEL, body, specOf, tpuPool } from '../plan/support.js';

// The cell's objects (reference §4.3, with the guide's defects avoided): checked against
// Kubernetes' own schemas (kubernetes-models, generated from Kubernetes' OpenAPI), against a golden
// file read by hand, and rule by rule.

const ENV = 'env-01jabcdefghjkmnpqrstvwxyz0';
const PROXY = 'us-docker.pkg.dev/my-project-1/demo-serving-images/saxml-proxy:1.0';
const manifests = (overrides = {}) => saxmlManifests({ spec: specOf(body(overrides)), environmentId: ENV });
const full = () => manifests({ saxml: { proxy: { image: PROXY }, models: [MODEL] } });
const golden = (file: string): unknown => JSON.parse(readFileSync(new URL(`./golden/${file}`, import.meta.url), 'utf8'));
const byName = (objects: SaxmlObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
const templates = (objects: SaxmlObject[]): V1PodTemplateSpec[] =>
  objects.flatMap((o) => (o.kind === 'Deployment' || o.kind === 'Job' ? [(o as V1Deployment | V1Job).spec!.template] : []));

const MODELS = { Namespace, ServiceAccount, ConfigMap, Service, Deployment, Job } as const;

const TWO_V5E = {
  cluster: { tpuNodePools: [tpuPool(), tpuPool({ name: 'tpu-v5e-8', tpuType: 'v5litepod-8' }), tpuPool({ name: 'idle' })] },
  saxml: { models: [MODEL, { ...MODEL, id: 'other', tpuPool: 'tpu-v5e-8' }] },
};
const V4 = {
  region: 'us-central2',
  cluster: { tpuNodePools: [tpuPool({ name: 'tpu-v4-8', tpuType: 'v4-8', zones: ['us-central2-b'] })] },
  saxml: { models: [{ ...MODEL, id: 'llama7b_v4', modelPath: 'saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv4', tpuPool: 'tpu-v4-8' }] },
};

describe('Saxml manifests', () => {
  it('match the golden file: namespace, KSA, parameters, admin server, one model server, proxy Deployment and Service, one publish Job', () => {
    expect(full()).toStrictEqual(golden('manifests.llama7b-proxy.json'));
  });

  it.each([
    ['default (no model, no proxy)', {}],
    ['a model and a ClusterIP proxy', { saxml: { proxy: { image: PROXY, serviceType: 'ClusterIP' }, models: [MODEL] } }],
    ['two v5e pools serving models', TWO_V5E],
    // No region offers both v4 and v5e (domain/locations.ts): v4 is us-central2's alone.
    ['a v4 pool serving a model', V4],
  ])('are valid Kubernetes objects by Kubernetes’ own schemas: %s', (_name, overrides) => {
    for (const object of manifests(overrides)) {
      const Model = MODELS[object.kind as keyof typeof MODELS];
      expect(Model, object.kind).toBeDefined();
      expect(() => new Model(object as never).validate(), `${object.kind} ${object.metadata?.name}`).not.toThrow();
    }
  });

  it('mark every object and every pod with the managed-by label and the environment id', () => {
    const objects = full();
    for (const o of objects) {
      expect(o.metadata?.labels, `${o.kind} ${o.metadata?.name}`).toMatchObject({ 'app.kubernetes.io/managed-by': 'saxml-environments', 'saxml-environments.io/environment': ENV });
    }
    for (const t of templates(objects)) expect(t.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'saxml-environments', 'saxml-environments.io/environment': ENV });
  });

  it('request resources on every container; only the model server is privileged; every container leaves its last log lines in its termination message', () => {
    for (const t of templates(full())) {
      for (const c of t.spec!.containers) {
        expect(c.resources?.requests?.cpu, c.name).toBeTruthy();
        expect(c.resources?.requests?.memory, c.name).toBeTruthy();
        expect(c.securityContext?.privileged ?? false, c.name).toBe(c.name === 'sax-model-server');
        expect(c.terminationMessagePolicy, c.name).toBe('FallbackToLogsOnError');
      }
    }
  });

  it('have one consistent set of parameter keys (no TPU_SLICE_* / TPU_* mismatch) and no debug deployments', () => {
    const objects = full();
    expect(Object.keys((byName(objects, 'ConfigMap', 'saxml-parameters') as { data: object }).data).sort()).toEqual(['GSBUCKET', 'SAX_CELL', 'SAX_ROOT']);
    const names = objects.map((o) => o.metadata?.name);
    expect(names).not.toContain('http-utils');
    expect(names).not.toContain('saxml-util');
    // Every variable the containers use comes from that ConfigMap or their own env.
    for (const t of templates(objects)) {
      for (const c of t.spec!.containers) expect(c.envFrom).toEqual([{ configMapRef: { name: 'saxml-parameters' } }]);
    }
  });

  it('place one model server per serving pool from the TPU table, pinned to its pool', () => {
    const servers = (overrides: object) =>
      manifests(overrides).filter((o) => o.kind === 'Deployment' && o.metadata!.name!.startsWith('sax-model-server-')) as V1Deployment[];
    const v5eServers = servers(TWO_V5E);
    expect(v5eServers.map((d) => d.metadata!.name)).toEqual(['sax-model-server-tpu-v5e-4', 'sax-model-server-tpu-v5e-8']);
    const [v5e4, v5e8] = v5eServers.map((d) => d.spec!.template.spec!);
    expect(v5e4!.nodeSelector).toEqual({ 'cloud.google.com/gke-nodepool': 'tpu-v5e-4', 'cloud.google.com/gke-tpu-accelerator': 'tpu-v5-lite-podslice', 'cloud.google.com/gke-tpu-topology': '2x2' });
    expect(v5e8!.nodeSelector).toEqual({ 'cloud.google.com/gke-nodepool': 'tpu-v5e-8', 'cloud.google.com/gke-tpu-accelerator': 'tpu-v5-lite-podslice', 'cloud.google.com/gke-tpu-topology': '2x4' });
    expect(v5e4!.containers[0]!.args).toEqual(['--port=10001', '--sax_cell=$(SAX_CELL)', '--platform_chip=tpuv5e', '--platform_topology=2x2', '--jax_platforms=tpu']);
    expect(v5e8!.containers[0]!.args).toContain('--platform_topology=2x4');
    expect(v5e4!.containers[0]!.resources).toMatchObject({ requests: { 'google.com/tpu': '4' }, limits: { 'google.com/tpu': '4' } });
    expect(v5e8!.containers[0]!.resources).toMatchObject({ requests: { 'google.com/tpu': '8' }, limits: { 'google.com/tpu': '8' } });
    const [v4] = servers(V4).map((d) => d.spec!.template.spec!);
    expect(v4!.nodeSelector).toEqual({ 'cloud.google.com/gke-nodepool': 'tpu-v4-8', 'cloud.google.com/gke-tpu-accelerator': 'tpu-v4-podslice', 'cloud.google.com/gke-tpu-topology': '2x2x1' });
    expect(v4!.containers[0]!.args).toContain('--platform_chip=tpuv4');
  });

  it('run the proxy on the proxy pool without --reload, behind a Service of the spec’s type (LoadBalancer by default); none without an image', () => {
    const proxy = byName(full(), 'Deployment', 'saxml-proxy') as V1Deployment;
    const spec = proxy.spec!.template.spec!;
    expect(spec.nodeSelector).toEqual({ 'cloud.google.com/gke-nodepool': 'saxml-proxy-node-pool' });
    expect(spec.tolerations).toEqual([{ key: 'saxml-proxy-node-pool', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(spec.containers[0]!.args).not.toContain('--reload');
    expect((byName(full(), 'Service', 'saxml-proxy') as V1Service).spec).toMatchObject({ type: 'LoadBalancer', ports: [{ port: 8080, targetPort: 'http' }] });
    const clusterIp = manifests({ saxml: { proxy: { image: PROXY, serviceType: 'ClusterIP' } } });
    expect((byName(clusterIp, 'Service', 'saxml-proxy') as V1Service).spec!.type).toBe('ClusterIP');
    expect(manifests().filter((o) => o.metadata?.name === 'saxml-proxy')).toEqual([]);
  });

  it('publish each model with one Job using the util image: saxutil publish <cell>/<id> <modelPath> <checkpoint> <replicas>, or update when already published', () => {
    const job = byName(full(), 'Job', 'sax-publish-llama7b') as V1Job;
    const c = job.spec!.template.spec!.containers[0]!;
    expect(c.image).toBe('us-docker.pkg.dev/cloud-tpu-images/inference/sax-util:v1.1.0');
    expect(c.env).toEqual([
      { name: 'MODEL_ID', value: 'llama7b' }, { name: 'MODEL_PATH', value: MODEL.modelPath },
      { name: 'CHECKPOINT', value: MODEL.checkpoint }, { name: 'REPLICAS', value: '1' },
    ]);
    expect(c.command).toEqual(['/bin/bash', '-c', PUBLISH_SCRIPT]);
    expect(PUBLISH_SCRIPT).toContain('saxutil publish "${model}" "${MODEL_PATH}" "${CHECKPOINT}" "${REPLICAS}"');
    expect(PUBLISH_SCRIPT).toMatch(/if saxutil ls [^\n]*"\$\{model\}"[^\n]*then saxutil update "\$\{model\}" "\$\{MODEL_PATH\}" "\$\{CHECKPOINT\}" "\$\{REPLICAS\}"/);
    expect(job.spec!.template.spec!.restartPolicy).toBe('Never');
  });

  it('a Job carries the hash of its (immutable) template: a new checkpoint is a new hash, the same spec the same', () => {
    const hash = (o: SaxmlObject) => o.metadata?.annotations?.['saxml-environments.io/template-hash'];
    const a = byName(full(), 'Job', 'sax-publish-llama7b')!;
    expect(hash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(byName(full(), 'Job', 'sax-publish-llama7b')!)).toBe(hash(a));
    const moved = manifests({ saxml: { proxy: { image: PROXY }, models: [{ ...MODEL, checkpoint: 'gs://ckpt/other' }] } });
    expect(hash(byName(moved, 'Job', 'sax-publish-llama7b')!)).not.toBe(hash(a));
  });

  it('a model removed from the spec gets an unpublish Job (saxutil unpublish, done when it is not listed)', () => {
    const spec = specOf(body({ saxml: { models: [MODEL] } }));
    const objects = saxmlManifests({ spec, environmentId: ENV, unpublish: ['gemma_2b'] });
    const job = byName(objects, 'Job', 'sax-unpublish-gemma-2b') as V1Job;
    const c = job.spec!.template.spec!.containers[0]!;
    expect(job.metadata?.labels).toMatchObject({ 'app.kubernetes.io/component': 'unpublish', 'saxml-environments.io/model': 'gemma_2b' });
    expect(c.env).toEqual([{ name: 'MODEL_ID', value: 'gemma_2b' }]);
    expect(c.command).toEqual(['/bin/bash', '-c', UNPUBLISH_SCRIPT]);
    expect(UNPUBLISH_SCRIPT).toContain('then saxutil unpublish "${model}" || exit 1; fi');
  });
});
