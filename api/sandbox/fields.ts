/**
 * Unknown-field checks. Google's JSON front end parses request bodies against the API's proto schema and
 * rejects any name the schema does not define:
 *   400 INVALID_ARGUMENT `Invalid JSON payload received. Unknown name "x" at 'cluster.node_pools[0]': Cannot find field.`
 * The sandbox does the same for the bodies it understands, so a plan that would fail on Google fails here.
 */
import { GoogleApiError } from './errors.js';

/** The allowed keys of one JSON object, and the shapes of the nested objects we also check. */
export interface BodyShape {
  readonly keys: ReadonlySet<string>;
  readonly nested: Record<string, BodyShape | readonly [BodyShape]>;
}

type Missing<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;

/**
 * `fieldsOf<Schema$X>()([...keys])` builds a shape; it does not compile unless the list names every key
 * of Schema$X (and only those), so the lists cannot drift from the discovery-generated types.
 */
export function fieldsOf<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K,
    ..._complete: [Missing<T, K>] extends [never] ? [] : [missing: Missing<T, K>]
  ): BodyShape => ({ keys: new Set<string>(keys), nested: {} });
}

/** Links nested shapes after all shapes exist (some are recursive, e.g. BigQuery table fields). */
export function nest(shape: BodyShape, nested: Record<string, BodyShape | readonly [BodyShape]>): void {
  Object.assign(shape.nested, nested);
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

/**
 * Throws Google's INVALID_ARGUMENT for the first unknown name. `at` is the proto path of the body (e.g.
 * `cluster` when the body is a CreateClusterRequest's cluster), empty for the request message itself.
 */
export function checkFields(value: unknown, shape: BodyShape, at = ''): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (!shape.keys.has(key)) throw unknownName(key, at);
    const sub = shape.nested[key];
    if (!sub || child === null || child === undefined) continue;
    const path = at ? `${at}.${snake(key)}` : snake(key);
    if (Array.isArray(sub)) {
      if (!Array.isArray(child)) throw invalidValue(path);
      child.forEach((item, i) => checkFields(item, sub[0] as BodyShape, `${path}[${i}]`));
    } else {
      if (typeof child !== 'object' || Array.isArray(child)) throw invalidValue(path);
      checkFields(child, sub as BodyShape, path);
    }
  }
}

function unknownName(key: string, at: string): GoogleApiError {
  const where = at ? ` at '${at}'` : '';
  const message = `Invalid JSON payload received. Unknown name "${key}"${where}: Cannot find field.`;
  return badRequest(message, at);
}

function invalidValue(path: string): GoogleApiError {
  return badRequest(`Invalid JSON payload received. Invalid value at '${path}'.`, path);
}

function badRequest(message: string, field: string): GoogleApiError {
  return new GoogleApiError(400, 'INVALID_ARGUMENT', message, {
    reason: 'invalid',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ ...(field ? { field } : {}), description: message }],
      },
    ],
  });
}
