import { stringify } from 'yaml';

/**
 * The OpenAPI document as YAML. A module of its own so that the service loads the YAML library (a
 * noticeable part of start-up) only when `/openapi.yaml` is first asked for.
 */
export const toYaml = (document: unknown): string => stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
