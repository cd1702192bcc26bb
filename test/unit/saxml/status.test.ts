import type { V1Deployment, V1Job, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { saxmlOutputs } from '../../../api/domain/saxml/outputs.js';
import { deployerStatus, type Observed } from '../../../api/domain/saxml/status.js';
import { MODEL, body, specOf } from '../plan/support.js';

// The deployer's status rules on what a cluster shows: each failure precise, waits not failures.

const spec = specOf(body({ saxml: { proxy: { image: 'proxy:1' }, models: [MODEL] } }));
const sel = (component: string, extra: Record<string, string> = {}) => ({ 'saxml-environments.io/environment': 'env-1', 'app.kubernetes.io/component': component, ...extra });

const deployment = (name: string, labels: Record<string, string>, available: number, pool?: string): V1Deployment => ({
  metadata: { name }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { spec: { containers: [], ...(pool && { nodeSelector: { 'cloud.google.com/gke-nodepool': pool } }) } } },
  status: { availableReplicas: available, updatedReplicas: 1 },
});
const ready = (): Observed => ({
  deployments: [
    deployment('sax-admin-server', sel('admin-server'), 1),
    deployment('sax-model-server-tpu-v5e-4', sel('model-server', { 'saxml-environments.io/tpu-pool': 'tpu-v5e-4' }), 1, 'tpu-v5e-4'),
    deployment('saxml-proxy', sel('proxy'), 1),
  ],
  jobs: [{ metadata: { name: 'sax-publish-llama7b' }, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } } as V1Job],
  services: [{ metadata: { name: 'saxml-proxy' }, spec: { type: 'LoadBalancer', ports: [{ port: 8080 }] }, status: { loadBalancer: { ingress: [{ ip: '34.1.2.3' }] } } } as V1Service],
  pods: [],
  nodes: [node('tpu-v5e-4'), node('saxml-admin-node-pool')],
});
function node(pool: string): V1Node {
  return { metadata: { name: `n-${pool}`, labels: { 'cloud.google.com/gke-nodepool': pool } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as V1Node;
}
const pod = (labels: Record<string, string>, status: V1Pod['status']): V1Pod => ({ metadata: { name: 'p-1', labels }, status } as V1Pod);
const unavailable = (observed: Observed, name: string) => {
  const d = observed.deployments.find((x) => x.metadata!.name === name)!;
  d.status = { availableReplicas: 0 };
  return d;
};

describe('deployer status', () => {
  it('READY when every part is, with the proxy address; outputs say how to use it', () => {
    const status = deployerStatus(spec, ready());
    expect(status).toMatchObject({ state: 'READY', cell: { state: 'READY' }, proxy: { state: 'READY', address: '34.1.2.3:8080' } });
    expect(status.models.llama7b).toMatchObject({ state: 'READY', modelId: '/sax/test/llama7b', replicas: { requested: 1, ready: 1 } });
    expect(saxmlOutputs(spec, status)).toMatchObject({ state: 'READY', proxy: { url: 'http://34.1.2.3:8080' }, models: [{ state: 'READY', exampleRequest: expect.stringContaining('curl -s -X POST http://34.1.2.3:8080/generate') }] });
  });

  it('an unschedulable model server WAITS while its TPU pool has no nodes, and FAILS naming the pool once it has', () => {
    const observed = ready();
    const d = unavailable(observed, 'sax-model-server-tpu-v5e-4');
    const message = "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {saxml-admin-node-pool: true}.";
    observed.pods = [pod(d.spec!.selector.matchLabels!, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] })];
    observed.jobs[0]!.status = { active: 1 };
    observed.nodes = observed.nodes.filter((n) => n.metadata!.labels!['cloud.google.com/gke-nodepool'] !== 'tpu-v5e-4');
    expect(deployerStatus(spec, observed)).toMatchObject({ state: 'DEPLOYING', cell: { state: 'READY' }, modelServers: { 'tpu-v5e-4': { state: 'WAITING', message: 'waiting for the nodes of node pool tpu-v5e-4' } } });
    observed.nodes.push(node('tpu-v5e-4'));
    const failed = deployerStatus(spec, observed);
    expect(failed).toMatchObject({ state: 'FAILED', code: 'UNSCHEDULABLE', cell: { state: 'READY' }, modelServers: { 'tpu-v5e-4': { state: 'FAILED' } } });
    expect(failed.message).toBe(`Deployment saxml/sax-model-server-tpu-v5e-4: pod p-1 cannot be scheduled on node pool tpu-v5e-4: ${message}`);
  });

  it('an image that cannot be pulled is named; a failed pull still being retried is not yet a failure', () => {
    const observed = ready();
    const d = unavailable(observed, 'sax-admin-server');
    const waiting = (reason: string) => [pod(d.spec!.selector.matchLabels!, { phase: 'Pending', containerStatuses: [{ name: 'sax-admin-server', image: 'bad:1', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message: 'Back-off pulling image "bad:1"' } } }] })];
    observed.pods = waiting('ErrImagePull');
    expect(deployerStatus(spec, observed)).toMatchObject({ state: 'DEPLOYING', adminServer: { state: 'DEPLOYING' } });
    observed.pods = waiting('ImagePullBackOff');
    expect(deployerStatus(spec, observed)).toMatchObject({
      state: 'FAILED', code: 'IMAGE_PULL_FAILED', cell: { state: 'FAILED' },
      message: 'Deployment saxml/sax-admin-server: cannot pull image bad:1 for container sax-admin-server: Back-off pulling image "bad:1"',
    });
  });

  it('a crash loop names the container, its restarts and its last log line', () => {
    const observed = ready();
    const d = unavailable(observed, 'saxml-proxy');
    observed.pods = [pod(d.spec!.selector.matchLabels!, { phase: 'Running', containerStatuses: [{
      name: 'saxml-proxy', image: 'proxy:1', imageID: '', ready: false, restartCount: 4,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, message: 'Traceback (most recent call last):\nNameError: name _lm_models is not defined\n' } },
    }] })];
    expect(deployerStatus(spec, observed)).toMatchObject({
      state: 'FAILED', code: 'CRASH_LOOP',
      message: 'Deployment saxml/saxml-proxy: container saxml-proxy keeps crashing (4 restarts, exit code 1); last log line: NameError: name _lm_models is not defined',
    });
  });

  it('a failed publish Job fails its pool with the Job’s output', () => {
    const observed = ready();
    observed.jobs[0]!.status = { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };
    observed.pods = [pod({ 'job-name': 'sax-publish-llama7b' }, { phase: 'Failed', containerStatuses: [{ name: 'publish', image: 'u', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, message: 'Error: Failed to publish model: bad checkpoint' } } }] })];
    const status = deployerStatus(spec, observed);
    expect(status).toMatchObject({ state: 'FAILED', code: 'PUBLISH_FAILED', cell: { state: 'READY' }, modelServers: { 'tpu-v5e-4': { state: 'FAILED' } } });
    expect(status.models.llama7b!.message).toBe('BackoffLimitExceeded: Job has reached the specified backoff limit; output: Error: Failed to publish model: bad checkpoint');
  });

  it('the proxy waits for its load balancer address; a model still loading keeps its pool DEPLOYING', () => {
    const observed = ready();
    observed.services[0]!.status = { loadBalancer: {} };
    observed.jobs[0]!.status = { active: 1 };
    observed.pods = [pod({ 'job-name': 'sax-publish-llama7b' }, { phase: 'Running' })];
    expect(deployerStatus(spec, observed)).toMatchObject({
      state: 'DEPLOYING', cell: { state: 'DEPLOYING' },
      proxy: { state: 'DEPLOYING', message: 'waiting for the load balancer address' },
      modelServers: { 'tpu-v5e-4': { state: 'DEPLOYING', message: 'loading /sax/test/llama7b' } },
    });
  });
});
