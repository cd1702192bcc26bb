import type { Ctx, StepDef } from '../context.js';
import type { Bodies } from '../google.js';
import { resourceStep, type Common, type StageResource } from '../resources.js';
import type { TransientError } from '../types.js';
import { BASE_STEPS } from './ids.js';

/** The VPC, its subnet with the pods/services ranges, and the optional Cloud Router + NAT. */

/** Compute refuses to delete a network/subnet while GKE is still releasing what used it (load balancers, NEGs). */
const NETWORK_IN_USE: TransientError = { status: 400, matches: 'is already being used by', within: 1800 };

/** Compute answers with an operation to poll; a delete waits out GKE still releasing the network. */
function computeStep(common: Omit<Common, 'stage' | 'as'>, r: StageResource): StepDef {
  return resourceStep({ ...common, stage: 'base', as: 'automation' }, { ...r, poll: 'compute', undo: r.undo && { ...r.undo, transient: [NETWORK_IN_USE] } });
}

export function networkSteps(ctx: Ctx): StepDef[] {
  const { spec, names, urls } = ctx;
  // A spec that brings its own network gets none of these.
  if (spec.network.existing) return [];
  const region = spec.region;
  const networkRef = `projects/${spec.project}/global/networks/${names.network}`;

  // Networks, subnets and routers have no labels: the mark is in their description.
  const { mark } = ctx;
  const networkBody: Bodies['network'] = {
    name: names.network,
    description: mark.describe(`Saxml environment ${spec.name}`),
    autoCreateSubnetworks: false,
    routingConfig: { routingMode: 'REGIONAL' },
  };
  const network = computeStep(
    { id: BASE_STEPS.network, title: `Create the VPC network ${names.network}`, after: ctx.automationAfter(['compute']), outputs: { network: names.network } },
    {
      url: urls.compute.network(names.network),
      create: { method: 'POST', url: urls.compute.networks, body: networkBody },
      owner: mark.byMarker('description', `VPC network ${names.network}`, 'pick another name in network.name, or use it as it is with network.existing'),
      undo: { title: `Delete the VPC network ${names.network}` },
    },
  );

  const subnetBody: Bodies['subnetwork'] = {
    name: names.subnet,
    description: mark.describe(`Saxml environment ${spec.name}`),
    network: networkRef,
    region: urls.compute.region(region),
    ipCidrRange: spec.network.subnetCidr,
    secondaryIpRanges: [
      { rangeName: names.podsRange, ipCidrRange: spec.network.podsCidr },
      { rangeName: names.servicesRange, ipCidrRange: spec.network.servicesCidr },
    ],
    // fabric net-vpc's default: nodes reach Google APIs without external addresses.
    privateIpGoogleAccess: true,
  };
  const subnet = computeStep(
    {
      id: BASE_STEPS.subnet,
      title: `Create the subnet ${names.subnet} with secondary ranges ${names.podsRange} and ${names.servicesRange}`,
      after: [BASE_STEPS.network],
      outputs: { subnet: names.subnet },
    },
    {
      url: urls.compute.subnetwork(region, names.subnet),
      create: { method: 'POST', url: urls.compute.subnetworks(region), body: subnetBody },
      owner: mark.byMarker('description', `subnet ${names.subnet}`, 'pick another name in network.subnetName, or use it as it is with network.existing'),
      undo: { title: `Delete the subnet ${names.subnet}` },
    },
  );
  if (!spec.network.nat) return [network, subnet];

  // No `region`: output-only on a router ("You must specify this field as part of the HTTP request URL").
  const routerBody: Bodies['router'] = {
    name: names.router,
    description: mark.describe(`Cloud NAT of Saxml environment ${spec.name}`),
    network: networkRef,
    nats: [{ name: names.nat, natIpAllocateOption: 'AUTO_ONLY', sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES' }],
  };
  const router = computeStep(
    { id: BASE_STEPS.router, title: `Create the Cloud Router ${names.router} with Cloud NAT ${names.nat}`, after: [BASE_STEPS.network] },
    {
      url: urls.compute.router(region, names.router),
      create: { method: 'POST', url: urls.compute.routers(region), body: routerBody },
      owner: mark.byMarker('description', `Cloud Router ${names.router}`, 'its name derives from the environment\'s name: pick another name, or configure NAT on an existing network'),
      undo: { title: `Delete the Cloud Router ${names.router} and its NAT` },
    },
  );
  return [network, subnet, router];
}
