/**
 * Where each simulated service lives. Kept apart from the sandbox itself so that callers that
 * only need URLs (plans, the local profile's composition) do not load the simulation.
 */
export const SERVICE_NAMES = [
  'serviceusage',
  'iam',
  'iamcredentials',
  'cloudresourcemanager',
  'storage',
  'compute',
  'container',
  'pubsub',
  'bigquery',
  'artifactregistry',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Base URL per service for a sandbox mounted at `root` (e.g. `http://127.0.0.1:8080/_sandbox`). */
export function sandboxBases(root: string): Record<ServiceName, string> {
  const base = root.replace(/\/+$/, '');
  return Object.fromEntries(SERVICE_NAMES.map((s) => [s, `${base}/${s}`])) as Record<ServiceName, string>;
}
