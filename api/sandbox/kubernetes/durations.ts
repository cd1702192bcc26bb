/**
 * Simulated seconds of what happens on a sandbox cluster (before the sandbox's time scale). The
 * figures are the ledger's (FIDELITY.md, "Kubernetes"): image pulls at GKE's usual ~100 MB/s
 * without image streaming, the Saxml servers' start-up, checkpoint loading from Cloud Storage, and
 * GKE's load balancer provisioning.
 */
export const KUBE_DURATIONS = {
  /** Image pulls by image name (the part before the tag); anything else takes `imagePullDefault`. */
  imagePull: {
    'sax-admin-server': 15,
    'sax-util': 10,
    // JAX, Pax and the TPU runtime: several GB.
    'sax-model-server': 90,
  } as Record<string, number>,
  /** A proxy image built as the guide does (Python, torch, the Sax client): several GB. */
  imagePullDefault: 60,
  /** From running to ready: the admin server registers in sax-root; the model server initialises the TPU. */
  adminStart: 5,
  modelServerStart: 20,
  containerStart: 2,
  /** The admin accepts a publish once saxutil reaches it. */
  publish: 2,
  /** The publish Job's wait loop polls `saxutil ls` this often. */
  publishPoll: 10,
  /** Loading a checkpoint onto the TPU, by model size in the model class name; else `modelLoadDefault`. */
  modelLoad: [
    { match: /70B/i, seconds: 900 },
    { match: /13B/i, seconds: 300 },
    // LLaMA 7B FP16: ~13.5 GB from Cloud Storage, then compilation.
    { match: /7B/i, seconds: 180 },
  ],
  modelLoadDefault: 120,
  /** ErrImagePull until the kubelet backs off. */
  imagePullBackOff: 10,
  /** Between two restarts of a crashing container (kubelet's back-off starts at 10 s). */
  crashLoopBackOff: 10,
  /** A LoadBalancer Service gets its address (and forwarding rule) after this. */
  loadBalancerCreate: 60,
  /** Deleting one: forwarding rule and firewall rules removed, finalizer dropped. */
  loadBalancerDelete: 45,
  /** Pods drain on delete (SIGTERM, then gone). */
  podTermination: 10,
} as const;

export function imagePullSeconds(image: string): number {
  const name = image.split('/').at(-1)!.split(/[:@]/)[0]!;
  return KUBE_DURATIONS.imagePull[name] ?? KUBE_DURATIONS.imagePullDefault;
}

export function modelLoadSeconds(modelPath: string): number {
  return KUBE_DURATIONS.modelLoad.find((m) => m.match.test(modelPath))?.seconds ?? KUBE_DURATIONS.modelLoadDefault;
}
