/**
 * Per-type rules of the simulated compute resources: how a create body is validated (references must
 * exist, CIDRs must be valid and must not overlap), what the resource uses (which blocks deleting
 * those), and how it is rendered.
 */
import { rfc3339 } from './clock.js';
import { formatCidr, gatewayOf, overlaps, parseCidr, type Cidr } from './cidr.js';
import { GoogleApiError, invalidArgument } from './errors.js';
import type { BodyShape } from './fields.js';
import { computeNetwork, computeRouter, computeSubnetwork } from './schemas.js';
import type { ComputeRec, ComputeType, World } from './state.js';

export const PLURAL: Record<ComputeType, string> = {
  network: 'networks',
  subnetwork: 'subnetworks',
  router: 'routers',
  forwardingRule: 'forwardingRules',
};

export const SHAPES: Partial<Record<ComputeType, BodyShape>> = {
  network: computeNetwork,
  subnetwork: computeSubnetwork,
  router: computeRouter,
};

/** Quota metric a create consumes (for quotaExceeded faults). */
export const QUOTA_METRIC: Record<ComputeType, string> = {
  network: 'NETWORKS',
  subnetwork: 'SUBNETWORKS',
  router: 'ROUTERS',
  forwardingRule: 'FORWARDING_RULES',
};

export const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export function keyOf(type: ComputeType, project: string, region: string | null, name: string): string {
  const scope = region ? `regions/${region}` : 'global';
  return `projects/${project}/${scope}/${PLURAL[type]}/${name}`;
}

/**
 * Normalises a reference (full URL of any origin, `projects/p/…`, `global/networks/n`, `regions/r/…`
 * or a bare name) to the relative key `projects/p/<scope>/<plural>/<name>`.
 */
export function refKey(ref: string, type: ComputeType, project: string, region: string | null): string {
  const rel = ref.replace(/^.*?\/compute\/(v1|beta)\//, '');
  const plural = PLURAL[type];
  const full = new RegExp(`^projects/([^/]+)/(global|regions/[^/]+)/${plural}/([^/]+)$`).exec(rel);
  if (full) return `projects/${full[1]}/${full[2]}/${plural}/${full[3]}`;
  const scoped = new RegExp(`^(global|regions/[^/]+)/${plural}/([^/]+)$`).exec(rel);
  if (scoped) return `projects/${project}/${scoped[1]}/${plural}/${scoped[2]}`;
  return keyOf(type, project, type === 'network' ? null : region, rel);
}

const invalidField = (field: string, value: unknown, why: string) =>
  new GoogleApiError(
    400,
    'INVALID_ARGUMENT',
    `Invalid value for field 'resource.${field}': '${String(value ?? '')}'. ${why}`,
    { reason: 'invalid' },
  );

export const NAME_RULE = 'Must be a match of regex (?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)';

/** A ready (not still being created) resource, or undefined. */
export function readyRec(world: World, key: string): ComputeRec | undefined {
  const rec = world.compute.get(key);
  return rec && rec.phase !== 'creating' ? rec : undefined;
}

interface Scope {
  project: string;
  region: string | null;
}

function requireRef(world: World, field: string, ref: unknown, type: ComputeType, scope: Scope): string {
  const key = typeof ref === 'string' && ref !== '' ? refKey(ref, type, scope.project, scope.region) : '';
  if (!key || !readyRec(world, key)) throw invalidField(field, ref, `The referenced ${type} resource cannot be found.`);
  return key;
}

/** Every primary and secondary range of the subnets of `network`, for overlap checks. */
function rangesOf(world: World, network: string): { owner: string; cidr: Cidr }[] {
  const out: { owner: string; cidr: Cidr }[] = [];
  for (const rec of world.compute.values()) {
    if (rec.type !== 'subnetwork' || !rec.uses.includes(network)) continue;
    const secondary = (rec.body.secondaryIpRanges as { ipCidrRange?: string }[] | undefined) ?? [];
    for (const r of [rec.body.ipCidrRange, ...secondary.map((s) => s.ipCidrRange)]) {
      const cidr = parseCidr(r);
      if (cidr) out.push({ owner: rec.name, cidr });
    }
  }
  return out;
}

/**
 * `region` in a body: a subnetwork may name its region (a URL, as Compute documents, or a partial
 * one) but it must be the URL's; on a router it is output-only ("You must specify this field as
 * part of the HTTP request URL. It is not settable as a field in the request body.").
 */
function checkBodyRegion(type: ComputeType, scope: Scope, body: Record<string, unknown>): void {
  if (body.region === undefined) return;
  if (type === 'router') {
    throw invalidField('region', body.region, 'Output only: the region is part of the request URL, not of the body.');
  }
  const named = typeof body.region === 'string' ? body.region.replace(/\/+$/, '').split('/').pop() : undefined;
  if (named !== scope.region) throw invalidField('region', body.region, `The region must be the request's, ${scope.region}.`);
}

/** Validates a create body and returns the keys of what the new resource uses. */
export function validate(world: World, type: ComputeType, scope: Scope, body: Record<string, unknown>): string[] {
  checkBodyRegion(type, scope, body);
  if (type === 'network') return [];
  const network = requireRef(world, 'network', body.network, 'network', scope);
  if (type === 'router') {
    const nats = (body.nats as { name?: string; subnetworks?: { name?: string }[] }[] | undefined) ?? [];
    const uses = [network];
    nats.forEach((nat, i) => {
      if (!nat.name) throw invalidField(`nats[${i}].name`, nat.name, 'Must be specified.');
      (nat.subnetworks ?? []).forEach((s, j) =>
        uses.push(requireRef(world, `nats[${i}].subnetworks[${j}].name`, s.name, 'subnetwork', scope)),
      );
    });
    return uses;
  }
  return [network, ...validateRanges(world, network, body)];
}

/** Subnet ranges: valid CIDRs, unique names, no overlap with each other or other subnets of the network. */
function validateRanges(world: World, network: string, body: Record<string, unknown>): string[] {
  const primary = parseCidr(body.ipCidrRange);
  if (!primary) throw invalidField('ipCidrRange', body.ipCidrRange, `Invalid IPCidrRange: ${String(body.ipCidrRange)}`);
  const taken = rangesOf(world, network);
  const mine: { name: string; cidr: Cidr }[] = [{ name: 'primary', cidr: primary }];
  const names = new Set<string>();
  for (const [i, r] of ((body.secondaryIpRanges as { rangeName?: string; ipCidrRange?: string }[]) ?? []).entries()) {
    const field = `secondaryIpRanges[${i}]`;
    if (!r.rangeName || !NAME.test(r.rangeName)) throw invalidField(`${field}.rangeName`, r.rangeName, NAME_RULE);
    if (names.has(r.rangeName)) throw invalidArgument(`Secondary range name '${r.rangeName}' is used more than once.`);
    names.add(r.rangeName);
    const cidr = parseCidr(r.ipCidrRange);
    if (!cidr) throw invalidField(`${field}.ipCidrRange`, r.ipCidrRange, `Invalid IPCidrRange: ${String(r.ipCidrRange)}`);
    mine.push({ name: r.rangeName, cidr });
  }
  for (const [i, a] of mine.entries()) {
    for (const b of mine.slice(i + 1)) {
      if (overlaps(a.cidr, b.cidr)) {
        throw invalidArgument(`Invalid IPCidrRange: range '${b.name}' overlaps with range '${a.name}' of this subnetwork.`);
      }
    }
    const clash = taken.find((t) => overlaps(a.cidr, t.cidr));
    if (clash) {
      const net = network.split('/').pop();
      throw invalidArgument(
        `Invalid IPCidrRange: ${formatCidr(a.cidr)} conflicts with existing subnetwork '${clash.owner}' in network '${net}'.`,
      );
    }
  }
  return [];
}

export function render(world: World, rec: ComputeRec, computeBase: string): Record<string, unknown> {
  const link = (key: string) => `${computeBase}/${key}`;
  const key = keyOf(rec.type, rec.project, rec.region, rec.name);
  const common = {
    kind: `compute#${rec.type}`,
    id: rec.id,
    creationTimestamp: rfc3339(rec.createdAt),
    name: rec.name,
    ...(rec.region ? { region: link(`projects/${rec.project}/regions/${rec.region}`) } : {}),
    selfLink: link(key),
    selfLinkWithId: link(key.replace(/[^/]+$/, rec.id)),
  };
  const body = { ...rec.body };
  for (const f of ['kind', 'id', 'creationTimestamp', 'selfLink', 'selfLinkWithId', 'region']) delete body[f];
  switch (rec.type) {
    case 'network': {
      const subnetworks = [...world.compute.values()]
        .filter((r) => r.type === 'subnetwork' && r.phase !== 'creating' && r.uses.includes(key))
        .map((r) => link(keyOf('subnetwork', r.project, r.region, r.name)));
      return {
        ...common,
        ...body,
        routingConfig: { routingMode: 'REGIONAL', ...(body.routingConfig as object) },
        networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
        ...(subnetworks.length ? { subnetworks } : {}),
      };
    }
    case 'subnetwork':
      return {
        ...common,
        ...body,
        network: link(rec.uses[0]!),
        gatewayAddress: gatewayOf(parseCidr(body.ipCidrRange)!),
        privateIpGoogleAccess: body.privateIpGoogleAccess ?? false,
        purpose: body.purpose ?? 'PRIVATE',
        stackType: body.stackType ?? 'IPV4_ONLY',
        fingerprint: Buffer.from(rec.id).toString('base64').slice(0, 11) + '=',
      };
    case 'router': {
      const subnetLink = (name: string) => link(refKey(name, 'subnetwork', rec.project, rec.region));
      const nats = ((body.nats as { subnetworks?: { name?: string }[] }[]) ?? []).map((nat) => ({
        ...nat,
        ...(nat.subnetworks ? { subnetworks: nat.subnetworks.map((s) => ({ ...s, name: subnetLink(s.name!) })) } : {}),
      }));
      return { ...common, ...body, network: link(rec.uses[0]!), ...(nats.length ? { nats } : {}) };
    }
    case 'forwardingRule':
      return {
        ...common,
        ...body,
        ...(rec.uses[0] ? { network: link(rec.uses[0]) } : {}),
        ...(rec.uses[1] ? { subnetwork: link(rec.uses[1]) } : {}),
      };
  }
}
