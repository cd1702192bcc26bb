import { checkLabels } from './labels.js';

/**
 * Labels as a PATCH changes them, by each API's rule: Cloud Storage and BigQuery merge the map they
 * are sent (a label given as `null` is removed, "To delete a label, set its value to null"); APIs
 * that take an `updateMask` (Pub/Sub, Artifact Registry) replace the whole map with the one sent.
 */
export function mergedLabels(current: unknown, patch: unknown, at: string): Record<string, string> {
  const labels: Record<string, string> = { ...(current as Record<string, string> | undefined) };
  for (const [key, value] of Object.entries((patch ?? {}) as Record<string, string | null>)) {
    if (value === null) delete labels[key];
    else labels[key] = value;
  }
  checkLabels(labels, at);
  return labels;
}

export function replacedLabels(patch: unknown, at: string): Record<string, string> {
  const labels = { ...(patch as Record<string, string> | undefined) };
  checkLabels(labels, at);
  return labels;
}
