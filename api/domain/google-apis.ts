/**
 * The Google APIs the plan calls, in one table. Everything that lists them derives from it: the
 * `GoogleApi` union, the production bases, the sandbox's services (sandbox/bases.ts), the service
 * a bootstrap batch must enable before an API answers (plan/context.ts), and the discovery
 * documents every planned call is checked against (test/unit/plan/requests.test.ts).
 */
export const GOOGLE_APIS = {
  // generateServiceIdentity exists in v1beta1 only.
  serviceusage: { service: 'serviceusage.googleapis.com', discovery: { package: '@googleapis/serviceusage', version: 'v1', also: ['v1beta1'] } },
  iam: { service: 'iam.googleapis.com', discovery: { package: '@googleapis/iam', version: 'v1' } },
  iamcredentials: { service: 'iamcredentials.googleapis.com', discovery: { package: '@googleapis/iamcredentials', version: 'v1' } },
  cloudresourcemanager: {
    service: 'cloudresourcemanager.googleapis.com', discovery: { package: '@googleapis/cloudresourcemanager', version: 'v1' },
  },
  storage: { service: 'storage.googleapis.com', discovery: { package: '@googleapis/storage', version: 'v1' } },
  compute: { service: 'compute.googleapis.com', discovery: { package: '@googleapis/compute', version: 'v1' } },
  container: { service: 'container.googleapis.com', discovery: { package: '@googleapis/container', version: 'v1' } },
  // Google publishes no standalone @googleapis package for these three: their discovery types and
  // methods are vendored from the `googleapis` bundle (vendor/googleapis).
  pubsub: { service: 'pubsub.googleapis.com', discovery: { package: 'vendor/googleapis', version: 'v1' } },
  bigquery: { service: 'bigquery.googleapis.com', discovery: { package: 'vendor/googleapis', version: 'v2' } },
  artifactregistry: { service: 'artifactregistry.googleapis.com', discovery: { package: 'vendor/googleapis', version: 'v1' } },
} as const;

export type GoogleApi = keyof typeof GOOGLE_APIS;

export const GOOGLE_API_NAMES = Object.keys(GOOGLE_APIS) as readonly GoogleApi[];

/** Base URL per Google API: `https://compute.googleapis.com` in production, the sandbox locally. */
export type ApiBases = Record<GoogleApi, string>;

/** One base per API, from the API's name. */
export function apiBases(baseOf: (api: GoogleApi) => string): ApiBases {
  return Object.fromEntries(GOOGLE_API_NAMES.map((api) => [api, baseOf(api)])) as ApiBases;
}

export const PRODUCTION_API_BASES: ApiBases = apiBases((api) => `https://${GOOGLE_APIS[api].service}`);
