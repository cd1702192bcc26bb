/**
 * Which Persistent Disk boot-disk types each Compute Engine machine series supports. Newer series
 * refuse pd-standard (C3, C3D, H3, Z3, A3, G2, M3) or every Persistent Disk type (N4, C4, C4A,
 * C4D, X4: Hyperdisk only), and GKE refuses a node pool asking for one. A series not listed
 * supports all three.
 *
 * Source: Compute Engine "Persistent Disk" — machine series support
 * (https://cloud.google.com/compute/docs/disks/persistent-disks#disk-types) and the per-series
 * pages (https://cloud.google.com/compute/docs/general-purpose-machines), read in part, 2026-12.
 */

export const PD_TYPES = ['pd-standard', 'pd-balanced', 'pd-ssd'] as const;
export type PdType = (typeof PD_TYPES)[number];

const NO_STANDARD: readonly PdType[] = ['pd-balanced', 'pd-ssd'];
const HYPERDISK_ONLY: readonly PdType[] = [];

const SUPPORTED: Readonly<Record<string, readonly PdType[]>> = {
  c3: NO_STANDARD,
  c3d: NO_STANDARD,
  h3: ['pd-balanced'],
  z3: NO_STANDARD,
  a3: NO_STANDARD,
  g2: NO_STANDARD,
  m3: NO_STANDARD,
  n4: HYPERDISK_ONLY,
  c4: HYPERDISK_ONLY,
  c4a: HYPERDISK_ONLY,
  c4d: HYPERDISK_ONLY,
  x4: HYPERDISK_ONLY,
};

/** The machine series of a machine type (`n2-highmem-32` → n2). */
export const machineSeries = (machineType: string): string => machineType.split('-')[0]!;

/** The Persistent Disk types the machine type's series accepts as boot disk. */
export const supportedDiskTypes = (machineType: string): readonly PdType[] => SUPPORTED[machineSeries(machineType)] ?? PD_TYPES;
