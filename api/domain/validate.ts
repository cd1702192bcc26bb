import { DEFAULT_PODS_CIDR, DEFAULT_SERVICES_CIDR, DEFAULT_SUBNET_CIDR } from './defaults.js';
import type { FieldError } from './errors.js';
import { jsonPath, zodFieldErrors } from './field-errors.js';
import { limitViolations } from './naming.js';
import { RESERVED_LABEL_KEYS } from './plan/marks.js';
import { EnvironmentSpecSchema, type EnvironmentSpec, type NormalisedSpec } from './spec.js';
import { isRegion, isZone, regionOfZone, zonesOf } from './locations.js';
import { machineSeries, supportedDiskTypes } from './machines.js';
import { tpuAvailabilityProblem, tpuTypeProblem } from './tpu.js';

/**
 * parseSpec: the schema, then the cross-field rules (DESIGN §5), so one request learns every
 * problem at once — one entry per violation, each with the JSON path of the field to change.
 */

export type ParseResult = { ok: true; spec: NormalisedSpec } | { ok: false; errors: FieldError[] };

export function parseSpec(body: unknown): ParseResult {
  const proto = protoKeyPaths(body);
  if (proto.length) return { ok: false, errors: proto.map((path) => ({ path, message: '"__proto__" is not a valid key' })) };
  const parsed = EnvironmentSpecSchema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: zodFieldErrors(parsed.error, { input: body, schema: EnvironmentSpecSchema }) };
  return checkSpec(parsed.data);
}

/**
 * `__proto__` keys, wherever they are. JSON.parse makes them own properties, which zod's records
 * would silently drop (so a label would vanish); they are refused instead, naming where they are.
 */
function protoKeyPaths(value: unknown, path: (string | number)[] = [], depth = 0): string[] {
  if (value === null || typeof value !== 'object' || depth > 64) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const here = !Array.isArray(value) && Object.hasOwn(value, '__proto__') ? [jsonPath([...path, '__proto__'])] : [];
  return [...here, ...entries.flatMap(([k, v]) => protoKeyPaths(v, [...path, k], depth + 1))];
}

/** The cross-field rules over a spec the schema already accepted; fills the default zones. */
export function checkSpec(spec: EnvironmentSpec): ParseResult {
  const errors = crossFieldErrors(spec);
  return errors.length ? { ok: false, errors } : { ok: true, spec: { ...spec, zones: spec.zones ?? defaultZones(spec) } };
}

/** CPU pools default to the TPU pools' zones, so the whole cell sits next to its slices; sorted, so pool order does not matter. */
function defaultZones(spec: EnvironmentSpec): string[] {
  return [...new Set(spec.cluster.tpuNodePools.flatMap((p) => p.zones))].sort();
}

function crossFieldErrors(spec: EnvironmentSpec): FieldError[] {
  const errors: FieldError[] = [];
  const regionKnown = isRegion(spec.region);
  if (!regionKnown) errors.push({ path: '$.region', message: `${spec.region} is not a Google Cloud region` });
  const checkZones = (zones: string[] | undefined, path: (string | number)[]) =>
    zones?.forEach((zone, i) => {
      const at = jsonPath([...path, i]);
      if (regionOfZone(zone) !== spec.region) errors.push({ path: at, message: `zone ${zone} is not in region ${spec.region}` });
      else if (regionKnown && !isZone(zone)) errors.push({ path: at, message: `${spec.region} has no zone ${zone}; its zones are ${zonesOf(spec.region).join(', ')}` });
    });

  checkZones(spec.zones, ['zones']);
  const poolNames = new Map<string, string>();
  const checkUnique = (name: string, path: (string | number)[]) => {
    const seen = poolNames.get(name);
    if (seen) errors.push({ path: jsonPath(path), message: `node pool name "${name}" is already used at ${seen}` });
    else poolNames.set(name, jsonPath(path));
  };

  spec.cluster.cpuNodePools.forEach((pool, i) => {
    const at = ['cluster', 'cpuNodePools', i];
    checkZones(pool.zones, [...at, 'zones']);
    checkUnique(pool.name, [...at, 'name']);
    if (pool.minNodeCount > pool.maxNodeCount) {
      errors.push({ path: jsonPath([...at, 'minNodeCount']), message: `minNodeCount ${pool.minNodeCount} exceeds maxNodeCount ${pool.maxNodeCount}` });
    }
    const disks = supportedDiskTypes(pool.machineType);
    if (disks.length === 0) {
      errors.push({ path: jsonPath([...at, 'machineType']), message: `${machineSeries(pool.machineType)} machines boot only from Hyperdisk, which node pools here do not offer yet; choose another series (e.g. n2, n2d, e2, c3)` });
    } else if (!disks.includes(pool.diskType)) {
      errors.push({ path: jsonPath([...at, 'diskType']), message: `${machineSeries(pool.machineType)} machines do not support ${pool.diskType}; use ${disks.join(' or ')}` });
    }
  });
  spec.cluster.tpuNodePools.forEach((pool, i) => {
    const at = ['cluster', 'tpuNodePools', i];
    checkZones(pool.zones, [...at, 'zones']);
    checkUnique(pool.name, [...at, 'name']);
    // GKE names every node pool of the cluster, CPU and TPU alike, in one namespace.
    if (pool.nodePoolName && pool.nodePoolName !== pool.name) checkUnique(pool.nodePoolName, [...at, 'nodePoolName']);
    const problem = tpuTypeProblem(pool.tpuType);
    if (problem) errors.push({ path: jsonPath([...at, 'tpuType']), message: problem });
    else if (regionKnown && isZone(pool.zones[0]!) && regionOfZone(pool.zones[0]!) === spec.region) {
      const zone = pool.zones[0]!;
      const offered = tpuAvailabilityProblem(pool.tpuType, spec.region, zone);
      if (offered) errors.push({ path: jsonPath([...at, offered.field === 'zone' ? 'zones' : 'tpuType']), message: offered.message });
    }
    const r = pool.reservation;
    if (r?.consumeReservationType === 'SPECIFIC_RESERVATION' && (!r.key || !r.values?.length)) {
      errors.push({ path: jsonPath([...at, 'reservation']), message: 'SPECIFIC_RESERVATION needs key and values' });
    }
  });

  const tpuPools = new Set(spec.cluster.tpuNodePools.map((p) => p.name));
  const modelIds = new Set<string>();
  spec.saxml.models.forEach((model, i) => {
    const at = ['saxml', 'models', i];
    if (!tpuPools.has(model.tpuPool)) {
      errors.push({ path: jsonPath([...at, 'tpuPool']), message: `no TPU node pool named "${model.tpuPool}"; pools: ${[...tpuPools].join(', ')}` });
    }
    // A TPU pool is one single-host slice: one model server, so one replica of each model it serves.
    if (model.replicas > 1) {
      errors.push({ path: jsonPath([...at, 'replicas']), message: `a TPU pool is one single-host slice running one model server, so a model has 1 replica per pool; got ${model.replicas}` });
    }
    if (modelIds.has(model.id)) errors.push({ path: jsonPath([...at, 'id']), message: `model id "${model.id}" is used twice` });
    modelIds.add(model.id);
  });

  const net = spec.network;
  if (net.existing) {
    for (const field of ['name', 'subnetName'] as const) {
      if (net[field]) errors.push({ path: `$.network.${field}`, message: 'cannot be set together with network.existing' });
    }
    if (net.nat) errors.push({ path: '$.network.nat', message: 'Cloud NAT is only created with a new network; configure NAT on the existing one' });
    // The CIDRs have defaults, so only a value other than the default shows the client set one; it would be ignored.
    const defaults = { subnetCidr: DEFAULT_SUBNET_CIDR, podsCidr: DEFAULT_PODS_CIDR, servicesCidr: DEFAULT_SERVICES_CIDR } as const;
    for (const field of ['subnetCidr', 'podsCidr', 'servicesCidr'] as const) {
      if (net[field] !== defaults[field]) errors.push({ path: `$.network.${field}`, message: 'cannot be set together with network.existing: the existing subnet and its ranges are used' });
    }
  } else {
    const ranges = [['subnetCidr', net.subnetCidr], ['podsCidr', net.podsCidr], ['servicesCidr', net.servicesCidr]] as const;
    for (let a = 0; a < ranges.length; a++) {
      for (let b = a + 1; b < ranges.length; b++) {
        if (cidrsOverlap(ranges[a]![1], ranges[b]![1])) {
          errors.push({ path: `$.network.${ranges[b]![0]}`, message: `${ranges[b]![1]} overlaps network.${ranges[a]![0]} ${ranges[a]![1]}` });
        }
      }
    }
  }
  if (spec.serviceAccounts.nodePool.accountId && spec.serviceAccounts.nodePool.accountId === spec.serviceAccounts.workload.accountId) {
    errors.push({ path: '$.serviceAccounts.workload.accountId', message: 'must differ from serviceAccounts.nodePool.accountId' });
  }
  for (const key of RESERVED_LABEL_KEYS) {
    if (key in spec.labels) errors.push({ path: `$.labels.${key}`, message: `the label ${key} marks what the service made; it cannot be set` });
  }
  errors.push(...limitViolations(spec));
  return errors;
}

function cidrRange(cidr: string): [number, number] {
  const [ip, bits] = cidr.split('/') as [string, string];
  const base = ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  const start = base - (base % size);
  return [start, start + size - 1];
}

export function cidrsOverlap(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}
