/**
 * Google Cloud's regions and zones, and which zones offer each TPU generation: what the spec is
 * validated against (an environment in `us-west9`, a zone `us-west1-z`, or `v4-8` in `us-west1` is
 * refused before anything is created) and what the sandbox accepts, so both agree with Google.
 *
 * Sources (read 2026-12; update both tables together when Google adds a region or a TPU zone):
 * - regions and zones: Compute Engine "Regions and zones", https://cloud.google.com/compute/docs/regions-zones
 * - TPU zones: Cloud TPU "TPU regions and zones", https://cloud.google.com/tpu/docs/regions-zones
 *   (the North America rows were read in full; Europe and Asia only in part: europe-west4 and
 *   asia-southeast1 / asia-northeast1 as GKE's "Plan TPUs" page lists them).
 */

/** Zone letters per region. */
export const REGIONS: Readonly<Record<string, readonly string[]>> = {
  'africa-south1': ['a', 'b', 'c'],
  'asia-east1': ['a', 'b', 'c'],
  'asia-east2': ['a', 'b', 'c'],
  'asia-northeast1': ['a', 'b', 'c'],
  'asia-northeast2': ['a', 'b', 'c'],
  'asia-northeast3': ['a', 'b', 'c'],
  'asia-south1': ['a', 'b', 'c'],
  'asia-south2': ['a', 'b', 'c'],
  'asia-southeast1': ['a', 'b', 'c'],
  'asia-southeast2': ['a', 'b', 'c'],
  'australia-southeast1': ['a', 'b', 'c'],
  'australia-southeast2': ['a', 'b', 'c'],
  'europe-central2': ['a', 'b', 'c'],
  'europe-north1': ['a', 'b', 'c'],
  'europe-north2': ['a', 'b', 'c'],
  'europe-southwest1': ['a', 'b', 'c'],
  'europe-west1': ['b', 'c', 'd'],
  'europe-west2': ['a', 'b', 'c'],
  'europe-west3': ['a', 'b', 'c'],
  'europe-west4': ['a', 'b', 'c'],
  'europe-west6': ['a', 'b', 'c'],
  'europe-west8': ['a', 'b', 'c'],
  'europe-west9': ['a', 'b', 'c'],
  'europe-west10': ['a', 'b', 'c'],
  'europe-west12': ['a', 'b', 'c'],
  'me-central1': ['a', 'b', 'c'],
  'me-central2': ['a', 'b', 'c'],
  'me-west1': ['a', 'b', 'c'],
  'northamerica-northeast1': ['a', 'b', 'c'],
  'northamerica-northeast2': ['a', 'b', 'c'],
  'northamerica-south1': ['a', 'b', 'c'],
  'southamerica-east1': ['a', 'b', 'c'],
  'southamerica-west1': ['a', 'b', 'c'],
  'us-central1': ['a', 'b', 'c', 'f'],
  // A TPU region: its one zone hosts v4 only.
  'us-central2': ['b'],
  'us-east1': ['b', 'c', 'd'],
  'us-east4': ['a', 'b', 'c'],
  'us-east5': ['a', 'b', 'c'],
  'us-south1': ['a', 'b', 'c'],
  'us-west1': ['a', 'b', 'c'],
  'us-west2': ['a', 'b', 'c'],
  'us-west3': ['a', 'b', 'c'],
  'us-west4': ['a', 'b', 'c'],
};

export type TpuGeneration = 'v4' | 'v5e' | 'v5p' | 'v6e';

/** Zones that offer each TPU generation (every slice size of it). */
export const TPU_ZONES: Readonly<Record<TpuGeneration, readonly string[]>> = {
  v4: ['us-central2-b'],
  v5e: ['us-central1-a', 'us-south1-a', 'us-west1-c', 'us-west4-a', 'europe-west4-b', 'asia-southeast1-b'],
  v5p: ['us-central1-a', 'us-east5-a', 'europe-west4-b'],
  v6e: ['us-central1-b', 'us-east1-d', 'us-east5-a', 'us-east5-b', 'europe-west4-a', 'asia-northeast1-b'],
};

/** The TPU generation of a GKE machine family (`ct5lp-hightpu-4t` → v5e), or undefined for CPU machines. */
export function tpuGenerationOf(machineType: string): TpuGeneration | undefined {
  const family = machineType.split('-')[0];
  return ({ ct4p: 'v4', ct5lp: 'v5e', ct5p: 'v5p', ct6e: 'v6e' } as const)[family as 'ct4p'];
}

export const isRegion = (region: string): boolean => Object.hasOwn(REGIONS, region);

export const zonesOf = (region: string): string[] => (REGIONS[region] ?? []).map((z) => `${region}-${z}`);

export const regionOfZone = (zone: string): string => zone.replace(/-[a-z]$/, '');

export const isZone = (zone: string): boolean => zonesOf(regionOfZone(zone)).includes(zone);

/** Zones of `region` that offer the generation, in the table's order. */
export const tpuZonesIn = (generation: TpuGeneration, region: string): string[] =>
  TPU_ZONES[generation].filter((z) => regionOfZone(z) === region);

/** Regions that offer the generation somewhere. */
export const tpuRegions = (generation: TpuGeneration): string[] => [...new Set(TPU_ZONES[generation].map(regionOfZone))];
