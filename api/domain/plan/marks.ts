import type { Ownership } from './types.js';

/**
 * Ownership marks: an environment touches only what it owns. Every resource the plan creates
 * carries its owner's mark — a Google label where the resource has labels, a marker in its
 * `description` where it has none (service accounts, networks, subnets, routers; a comment in a
 * Pub/Sub schema's definition, which has neither). The workflow reads the mark back before it
 * adopts a resource that already exists (a create that found it, or answered 409) and before it
 * deletes one: without the mark the create step fails ALREADY_EXISTS, and the delete leaves the
 * resource alone and says so.
 *
 * Environment resources carry the environment's id; the project's bootstrap resources (shared by
 * its environments) carry the project's id under another key.
 */

export const ENVIRONMENT_LABEL = 'saxml-environment';
export const BOOTSTRAP_LABEL = 'saxml-bootstrap';
/** Label keys a spec may not use: the marks are the service's. */
export const RESERVED_LABEL_KEYS: readonly string[] = [ENVIRONMENT_LABEL, BOOTSTRAP_LABEL];

export interface Mark {
  /** The label that marks a resource. */
  labels: Record<string, string>;
  /** `text` with the marker appended, for resources marked in their description. */
  describe(text: string): string;
  /** The marker alone (in a Pub/Sub schema's definition, as a comment). */
  marker: string;
  /** Ownership through the labels GET shows at `labelsPath` (`labels`, `resourceLabels`, `config.resourceLabels`). */
  byLabel(labelsPath: string, resource: string, hint: string, extra?: Ownership['checks']): Ownership;
  /** Ownership through the marker in the text GET shows at `path` (`description`, `definition`). */
  byMarker(path: string, resource: string, hint: string): Ownership;
}

function mark(key: string, value: string, owner: string): Mark {
  const marker = `[${key}=${value}]`;
  const ownership = (checks: Ownership['checks'], resource: string, hint: string): Ownership => ({
    resource,
    checks,
    conflict: {
      message: `${resource} already exists and was not made by ${owner} (it does not carry the ${marker} mark)`,
      hint,
    },
    leftAlone: `${resource} does not carry the ${marker} mark (${owner} did not make it), so it was left alone`,
  });
  return {
    labels: { [key]: value },
    describe: (text) => `${text} ${marker}`,
    marker,
    byLabel: (labelsPath, resource, hint, extra = []) => ownership([{ path: `${labelsPath}.${key}`, equals: value }, ...extra], resource, hint),
    byMarker: (path, resource, hint) => ownership([{ path, contains: marker }], resource, hint),
  };
}

/** The mark of one environment's resources. */
export const environmentMark = (environmentId: string): Mark => mark(ENVIRONMENT_LABEL, environmentId, `environment ${environmentId}`);

/** The mark of a project's bootstrap resources (shared by the project's environments). */
export const bootstrapMark = (project: string): Mark => mark(BOOTSTRAP_LABEL, project, `the Saxml bootstrap of project ${project}`);
