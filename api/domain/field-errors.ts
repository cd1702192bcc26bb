import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { FieldError } from './errors.js';

/**
 * Validation failures as a person can act on them: one entry per problem with the JSON path of the
 * field to change, "is required" for a missing field, and "did you mean …" for a name close to a
 * known one (`validateonly` → `validateOnly`).
 */

/** `['cluster','tpuNodePools',0,'tpuType']` → `$.cluster.tpuNodePools[0].tpuType` */
export function jsonPath(path: ReadonlyArray<PropertyKey>, root = '$'): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(key)) ? `${acc}.${String(key)}` : `${acc}[${JSON.stringify(String(key))}]`),
    root,
  );
}

/** The known name closest to `word`, when it is close enough to be a typo of it. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  if (!known.length) return undefined;
  const exact = known.find((k) => k.toLowerCase() === word.toLowerCase());
  if (exact) return exact;
  const best = closest(word, [...known]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export const unknownName = (word: string, known: readonly string[]): string => {
  const guess = suggest(word, known);
  return guess ? `unknown field; did you mean "${guess}"?` : 'unknown field';
};

/**
 * zod issues → field errors. `input` is what was parsed (to tell a missing field from a wrong one)
 * and `schema` what it was parsed with (to name the fields an unknown one may have meant).
 */
export function zodFieldErrors(error: z.ZodError, context: { input?: unknown; schema?: z.ZodType; root?: string } = {}): FieldError[] {
  const root = context.root ?? '$';
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = context.schema ? keysAt(context.schema, issue.path) : [];
      return issue.keys.map((key) => ({ path: jsonPath([...issue.path, key], root), message: unknownName(key, known) }));
    }
    // A record key that fails its schema: say why (zod's own message is only "Invalid key in record").
    if (issue.code === 'invalid_key' && issue.issues.length) {
      return [{ path: jsonPath(issue.path, root), message: issue.issues.map((i) => i.message).join('; ') }];
    }
    if (issue.code === 'invalid_type' && 'input' in context && valueAt(context.input, issue.path) === undefined) {
      return [{ path: jsonPath(issue.path, root), message: 'is required' }];
    }
    return [{ path: jsonPath(issue.path, root), message: issue.message }];
  });
}

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/** The field names an object schema defines at `path` (through optional, default, array and pipe wrappers). */
export function keysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let at: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (!at) return [];
    const def = at._zod.def as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; valueType?: z.ZodType };
    at = unwrap(def.type === 'object' ? def.shape?.[String(key)] : def.type === 'array' ? def.element : def.type === 'record' ? def.valueType : undefined);
  }
  const def = at?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let at = schema;
  for (let i = 0; at && i < 10; i++) {
    const def = at._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.innerType) at = def.innerType;
    else if (def.type === 'pipe' && def.in) at = def.in;
    else break;
  }
  return at;
}
