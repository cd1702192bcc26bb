import { z } from 'zod';
import {
  DEFAULT_CPU_NODE_POOLS, DEFAULT_PODS_CIDR, DEFAULT_SERVICES_CIDR, DEFAULT_SUBNET_CIDR, SAXML_CELL, SAXML_IMAGES,
} from './defaults.js';
import { DURATION } from './expiry.js';
import { NotificationSpecSchema } from './notifications/targets.js';

/**
 * The environment spec (DESIGN §5). Every object is strict (unknown fields are refused) and every
 * default reproduces the reference guide. Names derived from `name` are optional overrides here and
 * resolved in naming.ts; cross-field rules live in validate.ts.
 */

// Google's resource-name grammar (RFC 1035 label): compute, GKE, node pools, Kubernetes objects.
export const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const rfc1035 = (max: number) =>
  z.string().max(max).regex(RFC1035, 'must start with a lowercase letter and contain only lowercase letters, digits and hyphens, not ending with a hyphen');

export const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
export const ZONE = /^[a-z]+-[a-z]+[0-9]+-[a-z]$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
export const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
export const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
export const SA_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
// Locations are checked like every other value that reaches a URL (or a body): a region, or one of
// the product's multi-region names — never free text.
/** Cloud Storage: a region, a multi-region (US, EU, ASIA) or a predefined dual-region; any case, as Storage accepts. */
const BUCKET_LOCATION = /^(?:[a-z]+-[a-z]+[0-9]+|us|eu|asia|asia1|eur4|eur5|eur7|eur8|nam4)$/i;
/** Artifact Registry: a region or a multi-region (`us`, `europe`, `asia`), lowercase as in its resource names. */
const REGISTRY_LOCATION = /^(?:us|europe|asia|[a-z]+-[a-z]+[0-9]+)$/;
/** BigQuery: a region or a multi-region (`US`, `EU`). */
const DATASET_LOCATION = /^(?:US|EU|[a-z]+-[a-z]+[0-9]+)$/;


const cidr = z
  .string()
  // abort: zod 4 runs later checks after a failed one, and the refine below needs the regex to have matched.
  .regex(CIDR, { message: 'must be an IPv4 CIDR like 10.0.0.0/20', abort: true })
  .refine((v) => {
    const m = CIDR.exec(v)!;
    return m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  }, 'must be a valid IPv4 CIDR');

/**
 * Upper bounds of the spec's lists: what real environments use, within Google's own limits, so one
 * request cannot make the service build (and the workflow run) an unbounded plan. README "The spec"
 * lists them with their reasons.
 */
export const SPEC_LIMITS = {
  /** One pool per TPU slice; GKE clusters hold a few dozen node pools in all. */
  tpuNodePools: 16,
  /** The guide's four plus a few; they are created inline with the cluster. */
  cpuNodePools: 8,
  /** Zones of a region (Google's regions have 3 or 4). */
  zones: 4,
  /** Google allows 64 labels per resource; the environment's ownership mark takes one of them. */
  labels: 63,
  /** Kubernetes node labels and taints of a CPU pool. */
  nodeLabels: 64,
  taints: 16,
  /** Saxml models of one cell. */
  models: 32,
  /** Besides the default services and roles (services are enabled 20 to a batch). */
  additionalServices: 40,
  additionalRoles: 40,
  reservationValues: 16,
  /** Characters of an image reference or a model path. */
  text: 1024,
} as const;

/** A Kubernetes label key (`[prefix/]name`) and value. */
const K8S_LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const K8S_LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export const LabelsSchema = z
  .record(z.string().regex(LABEL_KEY, 'label keys: lowercase letter first, then lowercase letters, digits, _ or -, at most 63'),
    z.string().regex(LABEL_VALUE, 'label values: lowercase letters, digits, _ or -, at most 63'))
  .refine((l) => Object.keys(l).length <= SPEC_LIMITS.labels, `at most ${SPEC_LIMITS.labels} labels (Google allows 64; the environment's mark takes one)`)
  .default({});

const Taint = z.strictObject({
  key: z.string().regex(K8S_LABEL_KEY, 'taint keys are Kubernetes label keys: [prefix/]name, name at most 63 characters'),
  value: z.string().regex(K8S_LABEL_VALUE, 'taint values are Kubernetes label values: at most 63 letters, digits, -, _ or .'),
  effect: z.enum(['NO_SCHEDULE', 'PREFER_NO_SCHEDULE', 'NO_EXECUTE']),
});

export const CpuNodePoolSchema = z.strictObject({
  name: rfc1035(40),
  machineType: z.string().regex(/^[a-z0-9]+-[a-z0-9-]+$/, 'must be a machine type like n1-standard-8'),
  diskSizeGb: z.number().int().min(10).max(65536).default(100),
  /** pd-balanced by default: newer machine series refuse pd-standard (validate.ts checks the series). */
  diskType: z.enum(['pd-standard', 'pd-balanced', 'pd-ssd']).default('pd-balanced'),
  minNodeCount: z.number().int().min(0).max(1000).default(1),
  maxNodeCount: z.number().int().min(0).max(1000).default(1),
  /** Zones for this pool; default: the environment's zones. */
  zones: z.array(z.string().regex(ZONE, 'must be a zone like us-west1-c')).min(1).max(SPEC_LIMITS.zones).optional(),
  labels: z
    .record(z.string().regex(K8S_LABEL_KEY, 'node label keys are Kubernetes label keys: [prefix/]name, name at most 63 characters'),
      z.string().regex(K8S_LABEL_VALUE, 'node label values: at most 63 letters, digits, -, _ or .'))
    .refine((l) => Object.keys(l).length <= SPEC_LIMITS.nodeLabels, `at most ${SPEC_LIMITS.nodeLabels} node labels`)
    .default({}),
  taints: z.array(Taint).max(SPEC_LIMITS.taints).default([]),
  spot: z.boolean().default(false),
});

export const TpuNodePoolSchema = z.strictObject({
  name: rfc1035(40),
  /**
   * The GKE node pool's name; default `name`. A PATCH that replaces the pool (another zone, TPU
   * type or Spot) while the old one still serves creates the new one under another name first.
   */
  nodePoolName: rfc1035(40).optional().describe('The GKE node pool’s name (default: name); the service picks another one when a change replaces the pool'),
  tpuType: z.string().describe('A single-host TPU type from the TPU table, e.g. v5litepod-4'),
  /** A slice lives in one zone: exactly one. */
  zones: z.array(z.string().regex(ZONE, 'must be a zone like us-west1-c')).length(1, 'a TPU slice lives in exactly one zone'),
  spot: z.boolean().default(false),
  /** Scale the slice between 0 and 1 on demand instead of keeping it up. */
  autoscaling: z.boolean().default(false),
  diskSizeGb: z.number().int().min(10).max(65536).default(200),
  reservation: z
    .strictObject({
      consumeReservationType: z.enum(['ANY_RESERVATION', 'SPECIFIC_RESERVATION', 'NO_RESERVATION']),
      key: z.string().optional(),
      values: z.array(z.string().min(1).max(253)).max(SPEC_LIMITS.reservationValues).optional(),
    })
    .optional(),
});

const ServiceAccountRef = z.strictObject({
  accountId: z.string().regex(SA_ID, 'service account ids are 6–30 characters: lowercase letter first, then lowercase letters, digits or hyphens').optional(),
});

export const EnvironmentSpecSchema = z.strictObject({
  name: rfc1035(63).describe('Environment name, unique per project; prefixes every derived resource name'),
  project: z.string().regex(PROJECT_ID, 'must be a Google Cloud project id: 6–30 characters, lowercase letter first, lowercase letters, digits or hyphens, not ending with a hyphen'),
  region: z.string().regex(REGION, 'must be a region like us-west1'),
  /** Zones of the CPU node pools; default: the zones of the TPU node pools. */
  zones: z.array(z.string().regex(ZONE, 'must be a zone like us-west1-c')).min(1).max(SPEC_LIMITS.zones).optional(),
  labels: LabelsSchema,
  deletionProtection: z.boolean().default(false),
  /** When the environment is deleted by itself (expiry.ts); at most one of expireTime and ttl. */
  expireTime: z.iso.datetime({ offset: true }).optional().describe('When the service deletes the environment, e.g. 2026-07-01T18:00:00Z'),
  ttl: z.string().regex(DURATION, 'must be a duration like 30m, 12h or 7d').optional().describe('Time to live from creation: 30m, 12h, 7d'),
  bootstrap: z
    .strictObject({
      automationServiceAccount: z.string().regex(SA_ID, 'service account ids are 6–30 characters: lowercase letter first, then lowercase letters, digits or hyphens').default('saxml-automation'),
      /** Default `<project>-saxml-automation` (bucket names are global; project ids are unique). */
      automationBucket: z.string().regex(BUCKET, 'bucket names: 3–63 lowercase letters, digits, -, _ or .').optional(),
      automationBucketLocation: z.string().regex(BUCKET_LOCATION, 'must be a Cloud Storage location: a region like us-west1, US, EU, ASIA, or a dual-region like NAM4').optional(),
      /** Extra services to enable besides the defaults. */
      additionalServices: z.array(z.string().regex(/^[a-z0-9-]+\.googleapis\.com$/, 'must be a service like pubsub.googleapis.com')).max(SPEC_LIMITS.additionalServices).default([]),
      /** Extra project roles for the automation account. */
      additionalRoles: z.array(z.string().regex(/^roles\/[A-Za-z0-9_.]+$/, 'must be a role like roles/aiplatform.user')).max(SPEC_LIMITS.additionalRoles).default([]),
    })
    .prefault({}),
  network: z
    .strictObject({
      /** Use an existing VPC instead of creating one. */
      existing: z
        .strictObject({
          network: rfc1035(63),
          subnet: rfc1035(63),
          podsRangeName: rfc1035(63),
          servicesRangeName: rfc1035(63),
        })
        .optional(),
      name: rfc1035(63).optional(),
      subnetName: rfc1035(63).optional(),
      subnetCidr: cidr.default(DEFAULT_SUBNET_CIDR),
      podsCidr: cidr.default(DEFAULT_PODS_CIDR),
      servicesCidr: cidr.default(DEFAULT_SERVICES_CIDR),
      /** Cloud Router + Cloud NAT (the guide creates none by default). */
      nat: z.boolean().default(false),
    })
    .prefault({}),
  serviceAccounts: z
    .strictObject({ nodePool: ServiceAccountRef.prefault({}), workload: ServiceAccountRef.prefault({}) })
    .prefault({}),
  cluster: z.strictObject({
    name: rfc1035(40).optional(),
    releaseChannel: z.enum(['RAPID', 'REGULAR', 'STABLE', 'EXTENDED']).default('REGULAR'),
    cpuNodePools: z.array(CpuNodePoolSchema).min(1).max(SPEC_LIMITS.cpuNodePools).default(() => DEFAULT_CPU_NODE_POOLS.map((p) => CpuNodePoolSchema.parse(p))),
    tpuNodePools: z.array(TpuNodePoolSchema).min(1, 'at least one TPU node pool is needed to serve models').max(SPEC_LIMITS.tpuNodePools),
  }),
  buckets: z
    .strictObject({
      admin: z.string().regex(BUCKET, 'bucket names: 3–63 lowercase letters, digits, -, _ or .').optional(),
      modelRepository: z.string().regex(BUCKET, 'bucket names: 3–63 lowercase letters, digits, -, _ or .').optional(),
    })
    .prefault({}),
  artifactRegistry: z
    .strictObject({
      enabled: z.boolean().default(true),
      name: rfc1035(63).optional(),
      location: z.string().regex(REGISTRY_LOCATION, 'must be an Artifact Registry location: a region like us-west1, or us, europe, asia').default('us'),
    })
    .prefault({}),
  perf: z
    .strictObject({
      enabled: z.boolean().default(true),
      datasetLocation: z.string().regex(DATASET_LOCATION, 'must be a BigQuery location: a region like us-west1, or US, EU').default('US'),
    })
    .prefault({}),
  saxml: z
    .strictObject({
      enabled: z.boolean().default(true),
      namespace: rfc1035(63).default('saxml'),
      serviceAccountName: rfc1035(63).default('saxml-ksa'),
      cell: z.string().regex(/^\/sax\/[a-z0-9_-]+$/, 'must look like /sax/test').default(SAXML_CELL),
      images: z
        .strictObject({
          adminServer: z.string().min(1).max(SPEC_LIMITS.text).default(SAXML_IMAGES.adminServer),
          modelServer: z.string().min(1).max(SPEC_LIMITS.text).default(SAXML_IMAGES.modelServer),
          util: z.string().min(1).max(SPEC_LIMITS.text).default(SAXML_IMAGES.util),
        })
        .prefault({}),
      /** The HTTP proxy has no public image; without one it is skipped (DESIGN §5). */
      proxy: z
        .strictObject({
          image: z.string().min(1).max(SPEC_LIMITS.text).optional(),
          /** How the proxy is exposed: an external load balancer by default, as the guide does. */
          serviceType: z.enum(['LoadBalancer', 'ClusterIP', 'NodePort']).default('LoadBalancer'),
        })
        .prefault({}),
      models: z
        .array(
          z.strictObject({
            // At most 40: the publish Job's name (`sax-publish-<id>`) is also a label value (≤ 63).
            id: z.string().max(40).regex(/^[a-z0-9_]+$/, 'model ids: lowercase letters, digits and _'),
            modelPath: z.string().min(1).max(SPEC_LIMITS.text).describe('e.g. saxml.server.pax.lm.params.lm_cloud.LLaMA7BFP16TPUv5e'),
            checkpoint: z.string().max(SPEC_LIMITS.text).regex(/^gs:\/\/.+/, 'must be a gs:// path'),
            replicas: z.number().int().min(1).max(64).default(1),
            tpuPool: z.string().max(40).describe('Name of a TPU node pool of this environment'),
          }),
        )
        .max(SPEC_LIMITS.models)
        .default([]),
    })
    .prefault({}),
  notifications: z.array(NotificationSpecSchema).max(10, 'at most 10 notification targets').default([])
    .describe('Webhooks (Standard Webhooks, signed) and Slack incoming webhooks told about this environment; URLs and secrets are stored encrypted and never shown again'),
});

export type EnvironmentSpec = z.output<typeof EnvironmentSpecSchema>;
/** A spec validation accepted and completed (validate.ts `checkSpec`): what the plan is built from. */
export type NormalisedSpec = EnvironmentSpec & { zones: string[] };
export type CpuNodePool = z.output<typeof CpuNodePoolSchema>;
export type TpuNodePool = z.output<typeof TpuNodePoolSchema>;

/** The GKE node pool of a TPU pool (spec `nodePoolName`, else its name). */
export const gkeNodePoolName = (pool: Pick<TpuNodePool, 'name' | 'nodePoolName'>): string => pool.nodePoolName ?? pool.name;
