/**
 * Faults on demand. Tests (and a developer on a laptop) switch them on at construction, through
 * `sandbox.faults`, or with `PUT /_sandbox/_faults`; all random draws use the injected `random`.
 */
import { z } from 'zod';

export const faultConfigSchema = z
  .object({
    /** Share (0..1) of Google API calls answered 429 or 503 before anything else happens. */
    transientErrorRate: z.number().min(0).max(1),
    /** Zones without TPU capacity: a TPU node pool placed in one fails with GCE_STOCKOUT. */
    tpuStockoutZones: z.array(z.string().min(1)),
    /** Zones without CPU capacity: a cluster whose inline node pools use one ends in ERROR. */
    cpuStockoutZones: z.array(z.string().min(1)),
    /**
     * Services the organisation may not enable: batchEnable with one of them is refused whole
     * (403). Default: Cloud Source Repositories, closed to organisations that never used it since
     * June 17, 2024 — the common case.
     */
    unavailableServices: z.array(z.string().regex(/^[a-z][-a-z0-9]*\.googleapis\.com$/)),
    /** Clusters end their creation DEGRADED (running, but GKE asks for user action) instead of RUNNING. */
    degradedClusters: z.boolean(),
    /** Quotas that are exhausted, e.g. `{metric: 'TPUS_PER_TPU_FAMILY', region: 'us-west1'}`. */
    quotaExceeded: z.array(z.object({ metric: z.string().min(1), region: z.string().min(1).optional() }).strict()),
    /**
     * A project's own regional quota limits (quotas.ts has the defaults), e.g.
     * `{project: 'p', region: 'us-west1', metric: 'TPU_LITE_PODSLICE_V5', limit: 8}`; without a
     * region, every region's. Resources consume them; `regions.get` reports them.
     */
    quotas: z.array(
      z.object({ project: z.string().min(1), region: z.string().min(1).optional(), metric: z.string().min(1), limit: z.number().int().min(0) }).strict(),
    ),
    /**
     * Calls answered 403 PERMISSION_DENIED. `method` is an HTTP method (`DELETE`) or a permission
     * (`compute.networks.delete`); `pathPrefix` is matched against the path below the sandbox mount
     * (`/compute/compute/v1/projects/p/global/networks`). An entry matches when all its fields match.
     */
    permissionDenied: z.array(
      z.object({ method: z.string().min(1).optional(), pathPrefix: z.string().min(1).optional() }).strict(),
    ),
    /** Kubernetes (api/sandbox/kubernetes): images no node can pull (ErrImagePull, then ImagePullBackOff). */
    imagePullErrors: z.array(z.string().min(1)),
    /** Kubernetes: containers of these images exit 1 after starting, with this last log line (CrashLoopBackOff). */
    crashLoops: z.array(z.object({ image: z.string().min(1), lastLogLine: z.string() }).strict()),
    /** Kubernetes: checkpoint paths `saxutil publish` fails on (the publish Job fails with its output). */
    badCheckpoints: z.array(z.string().min(1)),
    /**
     * Kubernetes: labels of a node pool's nodes replaced (a string) or removed (null), e.g. a TPU
     * topology label that no longer matches the model server's selector. Clearing it heals the nodes.
     */
    nodeLabels: z.array(z.object({ pool: z.string().min(1), labels: z.record(z.string(), z.string().nullable()) }).strict()),
  })
  .strict();

export type FaultConfig = z.infer<typeof faultConfigSchema>;
export const partialFaultConfigSchema = faultConfigSchema.partial();

/** Not a fault but the organisation every sandbox project belongs to by default (see above). */
export const DEFAULT_UNAVAILABLE_SERVICES = ['sourcerepo.googleapis.com'];

/** No faults: Google as it normally behaves for a new organisation. */
export const noFaults = (): FaultConfig => ({
  transientErrorRate: 0,
  tpuStockoutZones: [],
  cpuStockoutZones: [],
  unavailableServices: [...DEFAULT_UNAVAILABLE_SERVICES],
  degradedClusters: false,
  quotaExceeded: [],
  quotas: [],
  permissionDenied: [],
  imagePullErrors: [],
  crashLoops: [],
  badCheckpoints: [],
  nodeLabels: [],
});

export interface FaultController {
  /** The faults in force. */
  get(): FaultConfig;
  /** Replaces the given keys, keeps the others. */
  set(partial: Partial<FaultConfig>): FaultConfig;
  /** No faults at all. */
  clear(): void;
}

export class Faults implements FaultController {
  #config: FaultConfig;

  constructor(
    private readonly random: () => number,
    initial: Partial<FaultConfig> = {},
  ) {
    this.#config = { ...noFaults(), ...partialFaultConfigSchema.parse(initial) };
  }

  get(): FaultConfig {
    return structuredClone(this.#config);
  }

  set(partial: Partial<FaultConfig>): FaultConfig {
    this.#config = { ...this.#config, ...partialFaultConfigSchema.parse(partial) };
    return this.get();
  }

  clear(): void {
    this.#config = noFaults();
  }

  /** 429, 503 or null for this call. Draws nothing when the rate is 0, so other draws stay stable. */
  transient(): 429 | 503 | null {
    const rate = this.#config.transientErrorRate;
    if (rate <= 0 || this.random() >= rate) return null;
    return this.random() < 0.5 ? 429 : 503;
  }

  isDenied(httpMethod: string, permission: string, path: string): boolean {
    return this.#config.permissionDenied.some(
      (rule) =>
        (rule.method === undefined ||
          rule.method.toUpperCase() === httpMethod.toUpperCase() ||
          rule.method === permission) &&
        (rule.pathPrefix === undefined || path.startsWith(rule.pathPrefix)),
    );
  }

  /** The first exhausted quota among `metrics` in `region`, if any. */
  exhaustedQuota(metrics: readonly string[], region: string | undefined): { metric: string; region?: string } | null {
    return (
      this.#config.quotaExceeded.find(
        (q) => metrics.includes(q.metric) && (q.region === undefined || q.region === region),
      ) ?? null
    );
  }

  /** The zones among `zones` without capacity for TPU (`tpu`) or CPU machines. */
  stockedOut(zones: readonly string[], kind: 'tpu' | 'cpu'): string[] {
    const out = kind === 'tpu' ? this.#config.tpuStockoutZones : this.#config.cpuStockoutZones;
    return zones.filter((z) => out.includes(z));
  }

  unavailable(services: readonly string[]): string[] {
    return services.filter((s) => this.#config.unavailableServices.includes(s));
  }

  get degradedClusters(): boolean {
    return this.#config.degradedClusters;
  }
}
