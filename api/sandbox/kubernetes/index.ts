/**
 * The fake Kubernetes API of the sandbox: one HTTPS server per sandbox cluster, on 127.0.0.1 with
 * a CA made when the cluster is created. The cluster's `endpoint` is that server's address and its
 * `masterAuth.clusterCaCertificate` that CA, so a client built from `getCluster` — the GKE adapter
 * itself — reaches it and verifies it as it would GKE's. The server stops when the cluster is
 * deleted; what the cluster held goes with it, except the forwarding rules of its LoadBalancer
 * Services (GKE leaves those behind too).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { InventoryItem } from '../inventory.js';
import type { ClusterRec, KubernetesHooks, World } from '../state.js';
import { kubernetesApp } from './api.js';
import { FakeCluster, clusterKey } from './cluster.js';
import { kindOf } from './kinds.js';
import type { JsonObject } from './objects.js';

export { KUBE_DURATIONS, imagePullSeconds, modelLoadSeconds } from './durations.js';

interface Running {
  cluster: FakeCluster;
  server: Server;
}

export class KubernetesFleet implements KubernetesHooks {
  readonly #running = new Map<string, Running>();

  constructor(private readonly world: World) {}

  async created(rec: ClusterRec): Promise<void> {
    // The certificate libraries (@peculiar/x509 and what it needs: two thirds of the sandbox's
    // code) are loaded by the first cluster, not with the sandbox: most calls never need them.
    const tls = await (await import('./tls.js')).makeClusterTls(rec.name);
    const cluster = new FakeCluster(this.world, rec);
    const server = createServer({ key: tls.keyPem, cert: tls.certPem }, getRequestListener(kubernetesApp(this.world, cluster).fetch));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    // Never keeps a process (or a test worker) alive on its own.
    server.unref();
    rec.endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    rec.caBase64 = Buffer.from(tls.caPem).toString('base64');
    this.#running.set(clusterKey(rec), { cluster, server });
  }

  deleted(rec: ClusterRec): void {
    const running = this.#running.get(clusterKey(rec));
    if (!running) return;
    this.#running.delete(clusterKey(rec));
    running.server.close();
    running.server.closeAllConnections();
  }

  /** The objects of every cluster (not Nodes and Pods, which the cluster derives). */
  inventory(): InventoryItem[] {
    const items: InventoryItem[] = [];
    for (const { cluster } of this.#running.values()) {
      cluster.reconcile();
      for (const object of cluster.objects.values()) {
        items.push({
          type: `kubernetes.${object.kind.kind}`,
          name: `${cluster.rec.name}/${object.namespace ? `${object.namespace}/` : ''}${object.name}`,
          project: cluster.rec.project,
          location: cluster.rec.location,
        });
      }
    }
    return items;
  }

  /** The fake cluster behind a sandbox cluster (tests and the test API). */
  cluster(project: string, location: string, name: string): FakeCluster | undefined {
    return this.#running.get(`projects/${project}/locations/${location}/clusters/${name}`)?.cluster;
  }

  /** Test API: an object another controller made (e.g. one holding a foreign finalizer). */
  createObject(project: string, location: string, name: string, object: JsonObject): JsonObject {
    const cluster = this.requireCluster(project, location, name);
    cluster.reconcile();
    const kind = kindOf(String(object.apiVersion), String(object.kind));
    if (!kind || kind.derived) throw new Error(`the fake Kubernetes API does not serve ${String(object.apiVersion)} ${String(object.kind)}`);
    const meta = (object.metadata ?? {}) as JsonObject;
    return cluster.render(cluster.apply(kind, meta.namespace as string | undefined, String(meta.name), object, 'sandbox-test', true));
  }

  /** Test API: a finalizer nobody will remove, added to an existing object. */
  addFinalizer(project: string, location: string, name: string, ref: { apiVersion: string; kind: string; namespace?: string; name: string; finalizer: string }): void {
    const cluster = this.requireCluster(project, location, name);
    const kind = kindOf(ref.apiVersion, ref.kind);
    if (!kind) throw new Error(`unknown kind ${ref.apiVersion} ${ref.kind}`);
    const object = cluster.get(kind, ref.name, ref.namespace);
    if (!object.finalizers.includes(ref.finalizer)) object.finalizers.push(ref.finalizer);
  }

  close(): void {
    for (const { server } of this.#running.values()) {
      server.close();
      server.closeAllConnections();
    }
    this.#running.clear();
  }

  private requireCluster(project: string, location: string, name: string): FakeCluster {
    const cluster = this.cluster(project, location, name);
    if (!cluster) throw new Error(`no sandbox cluster ${name} in ${project}/${location}`);
    return cluster;
  }
}
