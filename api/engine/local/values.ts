/**
 * The Workflows value model in JavaScript terms, and the few helpers every other module needs.
 *
 * Workflows has int, double, string, bool, null, bytes, list and map. We map them onto JSON-like
 * JS values so results, HTTP bodies and errors need no conversion at the edges:
 *   int/double → number (see `typeName`: an integral number reports as "int"; JS cannot tell
 *                `2.0` from `2`, which is the one documented deviation of this interpreter),
 *   bytes      → Uint8Array,
 *   list       → Array,
 *   map        → plain object (keys are always strings, insertion-ordered).
 *
 * Values are never mutated in place after they are stored: nested assignments (`a.b: 1`) copy
 * the path they change (`setPath`). That gives Workflows' value semantics (`b: ${a}` followed by
 * `b.x: 1` leaves `a` alone) without deep-copying on every read.
 */

export type Value = null | boolean | number | string | Uint8Array | Value[] | WfMap;
export interface WfMap {
  [key: string]: Value;
}

export function isMap(v: unknown): v is WfMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** Workflows' `type()` names. */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  return 'map';
}

/** Own-property read that ignores the prototype chain (a key like "constructor" is just a key). */
export function getKey(m: WfMap, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
}

export function hasKey(m: WfMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}

/** Own-property write; `defineProperty` so a key named "__proto__" stays a plain key. */
export function setKey(m: WfMap, key: string, v: Value): void {
  Object.defineProperty(m, key, { value: v, writable: true, enumerable: true, configurable: true });
}

export function newMap(entries?: Iterable<[string, Value]>): WfMap {
  const m: WfMap = {};
  if (entries) for (const [k, v] of entries) setKey(m, k, v);
  return m;
}

export function shallowCopyMap(m: WfMap): WfMap {
  return newMap(Object.entries(m));
}

/** Structural equality as Workflows' `==` and `in` use it. */
export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a !== typeof b) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i] as Value));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => hasKey(b, k) && deepEqual(a[k] as Value, b[k] as Value));
  }
  return false;
}

/** Converts any JSON-parsed or user value into the value model (bytes become base64 on the way out only). */
export function fromJson(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') return newMap(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJson(x)]));
  return String(v);
}

/** JSON text of a value; bytes are written as base64 strings (how Workflows serialises them). */
export function toJsonText(v: Value, indent?: number): string {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x), indent);
}

/** Plain JSON-compatible copy (bytes → base64), for results leaving the engine. */
export function toPlain(v: Value): unknown {
  return JSON.parse(toJsonText(v)) as unknown;
}

/** Size of a value in bytes as the memory limit counts it: the UTF-8 length of its JSON text. */
export function sizeOf(v: Value): number {
  return Buffer.byteLength(toJsonText(v) ?? 'null', 'utf8');
}
