/**
 * The non-blocking standard library: functions usable inside `${...}` and as `call:` steps with
 * named `args`. Blocking functions (`http.*`, `sys.sleep`, `sys.log`) live in the interpreter and
 * http.ts because Google forbids them inside expressions, and so do we (at load time).
 *
 * Each function declares its parameter names (Google's names, so `call: text.split` with
 * `args: {source, separator}` works) and how many are required; arity and types are checked and
 * fail with Google's tags (TypeError/ValueError/KeyError) so `except` blocks see what production
 * would raise. Regular expressions use JavaScript's engine with the `u` flag — Google uses RE2;
 * the common syntax is the same, RE2-only or JS-only constructs may differ.
 */
import { createHash, randomUUID } from 'node:crypto';
import { systemError } from './errors.js';
import { fromJson, getKey, hasKey, isBytes, isMap, newMap, setKey, shallowCopyMap, toJsonText, typeName, type Value, type WfMap } from './values.js';

/** What stdlib functions may read from the execution. */
export interface StdlibEnv {
  /** Current time in epoch milliseconds (the engine's clock). */
  nowMs(): number;
  /** `sys.get_env` lookup: built-ins plus user env vars. */
  env(name: string): string | undefined;
}

interface FnDef {
  params: string[];
  required: number;
  fn: (a: Value[], env: StdlibEnv) => Value;
}

// ---------------------------------------------------------------- argument helpers

function str(v: Value, fn: string, param: string): string {
  if (typeof v !== 'string') throw systemError('TypeError', `${fn}: ${param} must be a string, got ${typeName(v)}`);
  return v;
}
function int(v: Value, fn: string, param: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw systemError('TypeError', `${fn}: ${param} must be an int, got ${typeName(v)}`);
  return v;
}
function numArg(v: Value, fn: string, param: string): number {
  if (typeof v !== 'number') throw systemError('TypeError', `${fn}: ${param} must be a number, got ${typeName(v)}`);
  return v;
}
function mapArg(v: Value, fn: string, param: string): WfMap {
  if (!isMap(v)) throw systemError('TypeError', `${fn}: ${param} must be a map, got ${typeName(v)}`);
  return v;
}
function listArg(v: Value, fn: string, param: string): Value[] {
  if (!Array.isArray(v)) throw systemError('TypeError', `${fn}: ${param} must be a list, got ${typeName(v)}`);
  return v;
}
function regex(pattern: string, fn: string, flags = 'u'): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (e) {
    throw systemError('ValueError', `${fn}: invalid regular expression: ${(e as Error).message}`);
  }
}
function charset(v: Value | undefined, fn: string): BufferEncoding {
  const cs = v === undefined || v === null ? 'UTF-8' : str(v, fn, 'charset');
  const map: Record<string, BufferEncoding> = { 'UTF-8': 'utf8', UTF8: 'utf8', 'US-ASCII': 'ascii', ASCII: 'ascii', 'ISO-8859-1': 'latin1', LATIN1: 'latin1', 'UTF-16LE': 'utf16le' };
  const enc = map[cs.toUpperCase()];
  if (!enc) throw systemError('ValueError', `${fn}: unsupported charset ${cs}`);
  return enc;
}
const codePoints = (s: string): string[] => [...s];

function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
}

function mergeNested(a: WfMap, b: WfMap): WfMap {
  const out = shallowCopyMap(a);
  for (const [k, v] of Object.entries(b)) {
    const prev = getKey(out, k);
    setKey(out, k, isMap(prev) && isMap(v) ? mergeNested(prev, v) : v);
  }
  return out;
}

function percentEncode(s: string, plus: boolean): string {
  const enc = encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return plus ? enc.replace(/%20/g, '+') : enc;
}

/** RFC 3339 with microseconds, like Google's `time.format` ("2024-01-10T16:15:54.615087Z"). */
function formatTime(seconds: number, tz: string | undefined): string {
  const micros = Math.round(seconds * 1e6);
  const fraction = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  const date = new Date(Math.floor(micros / 1000));
  if (Number.isNaN(date.getTime())) throw systemError('ValueError', 'time.format: timestamp out of range');
  if (tz === undefined || tz === 'UTC' || tz === 'Etc/UTC') {
    return `${date.toISOString().slice(0, 19)}.${fraction}Z`;
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    }).formatToParts(date);
  } catch {
    throw systemError('ValueError', `time.format: unknown time zone ${tz}`);
  }
  const p = (t: string): string => parts.find((x) => x.type === t)?.value ?? '';
  const off = p('timeZoneName').replace('GMT', '') || '+00:00';
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}.${fraction}${off}`;
}

// ---------------------------------------------------------------- the library

const FUNCTIONS: Record<string, FnDef> = {
  default: { params: ['value', 'default_value'], required: 2, fn: ([v, d]) => (v === null ? (d as Value) : (v as Value)) },
  if: {
    params: ['condition', 'if_true', 'if_false'],
    required: 3,
    fn: ([c, t, f]) => {
      if (typeof c !== 'boolean') throw systemError('TypeError', `if: condition must be a bool, got ${typeName(c as Value)}`);
      return (c ? t : f) as Value;
    },
  },
  len: {
    params: ['value'],
    required: 1,
    fn: ([v]) => {
      if (typeof v === 'string') return codePoints(v).length;
      if (Array.isArray(v)) return v.length;
      if (isBytes(v)) return v.length;
      if (isMap(v)) return Object.keys(v).length;
      throw systemError('TypeError', `len: unsupported type ${typeName(v as Value)}`);
    },
  },
  keys: { params: ['map'], required: 1, fn: ([m]) => Object.keys(mapArg(m as Value, 'keys', 'map')) },
  type: { params: ['value'], required: 1, fn: ([v]) => typeName(v as Value) },
  int: {
    params: ['value'],
    required: 1,
    fn: ([v]) => {
      if (typeof v === 'number') return Math.trunc(v);
      if (typeof v === 'string') {
        const t = v.trim();
        if (/^[+-]?\d+$/.test(t)) return Number(t);
        if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Math.trunc(Number(t));
        throw systemError('ValueError', `int: cannot convert "${v}" to int`);
      }
      throw systemError('TypeError', `int: cannot convert a ${typeName(v as Value)} to int`);
    },
  },
  double: {
    params: ['value'],
    required: 1,
    fn: ([v]) => {
      if (typeof v === 'number') return v;
      if (typeof v === 'string') {
        const t = v.trim();
        if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
        throw systemError('ValueError', `double: cannot convert "${v}" to double`);
      }
      throw systemError('TypeError', `double: cannot convert a ${typeName(v as Value)} to double`);
    },
  },
  string: {
    params: ['value'],
    required: 1,
    fn: ([v]) => {
      if (typeof v === 'string') return v;
      if (typeof v === 'number') return formatNumber(v);
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      throw systemError('TypeError', `string: cannot convert a ${typeName(v as Value)} to string`);
    },
  },
  bool: {
    params: ['value'],
    required: 1,
    fn: ([v]) => {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === 'true') return true;
        if (t === 'false') return false;
        throw systemError('ValueError', `bool: cannot convert "${v}" to bool`);
      }
      throw systemError('TypeError', `bool: cannot convert a ${typeName(v as Value)} to bool`);
    },
  },

  'map.get': {
    params: ['map', 'keys', 'default'],
    required: 2,
    fn: ([m, k, d]) => {
      const fallback = d === undefined ? null : d;
      const path = Array.isArray(k) ? k : [k as Value];
      let cur: Value = mapArg(m as Value, 'map.get', 'map');
      for (const key of path) {
        const name = str(key, 'map.get', 'keys');
        if (!isMap(cur) || !hasKey(cur, name)) return fallback;
        cur = cur[name] as Value;
      }
      return cur;
    },
  },
  'map.merge': {
    params: ['first', 'second'],
    required: 2,
    fn: ([a, b]) => newMap([...Object.entries(mapArg(a as Value, 'map.merge', 'first')), ...Object.entries(mapArg(b as Value, 'map.merge', 'second'))]),
  },
  'map.merge_nested': {
    params: ['first', 'second'],
    required: 2,
    fn: ([a, b]) => mergeNested(mapArg(a as Value, 'map.merge_nested', 'first'), mapArg(b as Value, 'map.merge_nested', 'second')),
  },
  'map.delete': {
    params: ['map', 'key'],
    required: 2,
    fn: ([m, k]) => {
      const key = str(k as Value, 'map.delete', 'key');
      return newMap(Object.entries(mapArg(m as Value, 'map.delete', 'map')).filter(([x]) => x !== key));
    },
  },
  'list.concat': { params: ['objs', 'val'], required: 2, fn: ([l, v]) => [...listArg(l as Value, 'list.concat', 'objs'), v as Value] },
  'list.prepend': { params: ['objs', 'val'], required: 2, fn: ([l, v]) => [v as Value, ...listArg(l as Value, 'list.prepend', 'objs')] },

  'text.split': {
    params: ['source', 'separator'],
    required: 2,
    fn: ([s, sep]) => {
      const src = str(s as Value, 'text.split', 'source');
      const by = str(sep as Value, 'text.split', 'separator');
      return by === '' ? codePoints(src) : src.split(by);
    },
  },
  'text.replace_all': {
    params: ['source', 'substr', 'replacement'],
    required: 3,
    fn: ([s, sub, rep]) => {
      const needle = str(sub as Value, 'text.replace_all', 'substr');
      if (needle === '') throw systemError('ValueError', 'text.replace_all: substr must not be empty');
      return str(s as Value, 'text.replace_all', 'source').split(needle).join(str(rep as Value, 'text.replace_all', 'replacement'));
    },
  },
  'text.replace_all_regex': {
    params: ['source', 'regexp', 'replacement'],
    required: 3,
    fn: ([s, re, rep]) => {
      const r = regex(str(re as Value, 'text.replace_all_regex', 'regexp'), 'text.replace_all_regex', 'gu');
      // Google's replacement syntax: \0 is the whole match, \1..\9 the groups.
      const js = str(rep as Value, 'text.replace_all_regex', 'replacement')
        .replace(/\$/g, '$$$$')
        .replace(/\\(\d)/g, (_m, d: string) => (d === '0' ? '$&' : `$${d}`));
      return str(s as Value, 'text.replace_all_regex', 'source').replace(r, js);
    },
  },
  'text.find_all': {
    params: ['source', 'substr'],
    required: 2,
    fn: ([s, sub]) => {
      const src = str(s as Value, 'text.find_all', 'source');
      const needle = str(sub as Value, 'text.find_all', 'substr');
      if (needle === '') throw systemError('ValueError', 'text.find_all: substr must not be empty');
      const out: Value[] = [];
      for (let i = src.indexOf(needle); i !== -1; i = src.indexOf(needle, i + needle.length)) {
        out.push(newMap([
          ['index', i],
          ['match', needle],
        ]));
      }
      return out;
    },
  },
  'text.find_all_regex': {
    params: ['source', 'regexp'],
    required: 2,
    fn: ([s, re]) => {
      const r = regex(str(re as Value, 'text.find_all_regex', 'regexp'), 'text.find_all_regex', 'gu');
      return [...str(s as Value, 'text.find_all_regex', 'source').matchAll(r)].map((m) =>
        newMap([
          ['index', m.index],
          ['match', m[0]],
        ]),
      );
    },
  },
  'text.match_regex': {
    params: ['source', 'regexp'],
    required: 2,
    fn: ([s, re]) => regex(str(re as Value, 'text.match_regex', 'regexp'), 'text.match_regex').test(str(s as Value, 'text.match_regex', 'source')),
  },
  'text.substring': {
    params: ['source', 'start', 'end'],
    required: 3,
    fn: ([s, a, b]) => {
      const cps = codePoints(str(s as Value, 'text.substring', 'source'));
      const clamp = (n: number): number => Math.max(0, Math.min(cps.length, n));
      const start = clamp(int(a as Value, 'text.substring', 'start'));
      const end = clamp(int(b as Value, 'text.substring', 'end'));
      return start >= end ? '' : cps.slice(start, end).join('');
    },
  },
  'text.to_lower': { params: ['source'], required: 1, fn: ([s]) => str(s as Value, 'text.to_lower', 'source').toLowerCase() },
  'text.to_upper': { params: ['source'], required: 1, fn: ([s]) => str(s as Value, 'text.to_upper', 'source').toUpperCase() },
  'text.url_encode': { params: ['source'], required: 1, fn: ([s]) => percentEncode(str(s as Value, 'text.url_encode', 'source'), false) },
  'text.url_encode_plus': { params: ['source'], required: 1, fn: ([s]) => percentEncode(str(s as Value, 'text.url_encode_plus', 'source'), true) },
  'text.url_decode': {
    params: ['source'],
    required: 1,
    fn: ([s]) => {
      try {
        return decodeURIComponent(str(s as Value, 'text.url_decode', 'source'));
      } catch {
        throw systemError('ValueError', 'text.url_decode: malformed percent-encoding');
      }
    },
  },
  'text.encode': { params: ['text', 'charset'], required: 1, fn: ([s, cs]) => new Uint8Array(Buffer.from(str(s as Value, 'text.encode', 'text'), charset(cs, 'text.encode'))) },
  'text.decode': {
    params: ['data', 'charset'],
    required: 1,
    fn: ([d, cs]) => {
      if (!isBytes(d)) throw systemError('TypeError', `text.decode: data must be bytes, got ${typeName(d as Value)}`);
      const enc = charset(cs, 'text.decode');
      if (enc === 'utf8') {
        try {
          return new TextDecoder('utf-8', { fatal: true }).decode(d);
        } catch {
          throw systemError('ValueError', 'text.decode: data is not valid UTF-8');
        }
      }
      return Buffer.from(d).toString(enc);
    },
  },

  'json.decode': {
    params: ['data'],
    required: 1,
    fn: ([d]) => {
      let text: string;
      if (typeof d === 'string') text = d;
      else if (isBytes(d)) text = Buffer.from(d).toString('utf8');
      else throw systemError('TypeError', `json.decode: data must be bytes or a string, got ${typeName(d as Value)}`);
      try {
        return fromJson(JSON.parse(text));
      } catch {
        throw systemError('ValueError', 'json.decode: invalid JSON');
      }
    },
  },
  'json.encode': { params: ['data', 'indent'], required: 1, fn: ([d, ind]) => new Uint8Array(Buffer.from(toJsonText(d as Value, indentOf(ind)), 'utf8')) },
  'json.encode_to_string': { params: ['data', 'indent'], required: 1, fn: ([d, ind]) => toJsonText(d as Value, indentOf(ind)) },

  'base64.encode': {
    params: ['data', 'padding'],
    required: 1,
    fn: ([d, pad]) => {
      if (!isBytes(d)) throw systemError('TypeError', `base64.encode: data must be bytes, got ${typeName(d as Value)}`);
      const s = Buffer.from(d).toString('base64');
      return pad === false ? s.replace(/=+$/, '') : s;
    },
  },
  'base64.decode': {
    params: ['data', 'padding'],
    required: 1,
    fn: ([d]) => {
      const s = str(d as Value, 'base64.decode', 'data').trim();
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw systemError('ValueError', 'base64.decode: invalid base64 data');
      return new Uint8Array(Buffer.from(s, 'base64'));
    },
  },

  'time.format': {
    params: ['seconds', 'timezone'],
    required: 1,
    fn: ([s, tz]) => formatTime(numArg(s as Value, 'time.format', 'seconds'), tz === undefined || tz === null ? undefined : str(tz, 'time.format', 'timezone')),
  },
  'time.parse': {
    params: ['value'],
    required: 1,
    fn: ([v]) => {
      const s = str(v as Value, 'time.parse', 'value');
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s)) throw systemError('ValueError', `time.parse: not an RFC 3339 timestamp: ${s}`);
      const frac = /\.(\d+)/.exec(s)?.[1] ?? '';
      const ms = Date.parse(s.replace(/\.\d+/, ''));
      if (Number.isNaN(ms)) throw systemError('ValueError', `time.parse: invalid timestamp: ${s}`);
      return ms / 1000 + (frac ? Number(`0.${frac}`) : 0);
    },
  },

  'sys.now': { params: [], required: 0, fn: (_a, env) => env.nowMs() / 1000 },
  'sys.get_env': {
    params: ['name', 'default'],
    required: 1,
    fn: ([n, d], env) => {
      const v = env.env(str(n as Value, 'sys.get_env', 'name'));
      return v === undefined ? (d === undefined ? null : d) : v;
    },
  },
  'uuid.generate': { params: [], required: 0, fn: () => randomUUID() },

  'math.abs': { params: ['x'], required: 1, fn: ([x]) => Math.abs(numArg(x as Value, 'math.abs', 'x')) },
  'math.floor': { params: ['x'], required: 1, fn: ([x]) => Math.floor(numArg(x as Value, 'math.floor', 'x')) },
  'math.max': { params: ['x', 'y'], required: 2, fn: ([x, y]) => Math.max(numArg(x as Value, 'math.max', 'x'), numArg(y as Value, 'math.max', 'y')) },
  'math.min': { params: ['x', 'y'], required: 2, fn: ([x, y]) => Math.min(numArg(x as Value, 'math.min', 'x'), numArg(y as Value, 'math.min', 'y')) },

  'http.default_retry_predicate': { params: ['exception'], required: 1, fn: ([e]) => retryableByDefault(e as Value, false) },
  'http.default_retry_predicate_non_idempotent': { params: ['exception'], required: 1, fn: ([e]) => retryableByDefault(e as Value, true) },

  'hash.compute_checksum': {
    params: ['data', 'algorithm'],
    required: 2,
    fn: ([d, alg]) => {
      const algorithms: Record<string, string> = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
      const name = algorithms[str(alg as Value, 'hash.compute_checksum', 'algorithm').toUpperCase()];
      if (!name) throw systemError('ValueError', 'hash.compute_checksum: unsupported algorithm');
      if (!isBytes(d)) throw systemError('TypeError', 'hash.compute_checksum: data must be bytes');
      return new Uint8Array(createHash(name).update(d).digest());
    },
  },
};

/**
 * Google's default retry predicates (documented): the idempotent one retries 429, 502, 503, 504,
 * ConnectionError, ConnectionFailedError and TimeoutError; the non-idempotent one only 429, 503
 * and ConnectionFailedError. Anything that is not an error map is not retried.
 */
export function retryableByDefault(error: Value, nonIdempotent: boolean): boolean {
  if (!isMap(error)) return false;
  const rawTags = getKey(error, 'tags');
  const tags = Array.isArray(rawTags) ? rawTags : [];
  const code = getKey(error, 'code');
  const httpCodes = nonIdempotent ? [429, 503] : [429, 502, 503, 504];
  if (tags.includes('HttpError') && typeof code === 'number' && httpCodes.includes(code)) return true;
  if (tags.includes('ConnectionFailedError')) return true;
  return !nonIdempotent && (tags.includes('ConnectionError') || tags.includes('TimeoutError'));
}

function indentOf(v: Value | undefined): number | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) return 2;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw systemError('TypeError', 'json.encode: indent must be a bool or an int');
}

/** Functions that block and therefore only exist as `call:` steps (never inside `${}`). */
export const BLOCKING_FUNCTIONS = new Set(['http.get', 'http.post', 'http.put', 'http.patch', 'http.delete', 'http.request', 'sys.sleep', 'sys.sleep_until', 'sys.log']);

/** Parameter names of every `call:`-able function, for load-time `args` checks. */
export const BLOCKING_PARAMS: Record<string, { params: string[]; required: string[] }> = {
  'http.get': { params: ['url', 'headers', 'query', 'auth', 'timeout', 'body', 'private_service_name', 'ca_certificate'], required: ['url'] },
  'http.post': { params: ['url', 'headers', 'query', 'auth', 'timeout', 'body', 'private_service_name', 'ca_certificate'], required: ['url'] },
  'http.put': { params: ['url', 'headers', 'query', 'auth', 'timeout', 'body', 'private_service_name', 'ca_certificate'], required: ['url'] },
  'http.patch': { params: ['url', 'headers', 'query', 'auth', 'timeout', 'body', 'private_service_name', 'ca_certificate'], required: ['url'] },
  'http.delete': { params: ['url', 'headers', 'query', 'auth', 'timeout', 'body', 'private_service_name', 'ca_certificate'], required: ['url'] },
  'http.request': { params: ['method', 'url', 'headers', 'query', 'auth', 'timeout', 'body', 'private_service_name', 'ca_certificate'], required: ['method', 'url'] },
  'sys.sleep': { params: ['seconds'], required: ['seconds'] },
  'sys.sleep_until': { params: ['time'], required: ['time'] },
  'sys.log': { params: ['data', 'text', 'json', 'severity', 'timeout'], required: [] },
};

export function isFunction(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}

export function functionParams(name: string): { params: string[]; required: number } | undefined {
  const def = isFunction(name) ? FUNCTIONS[name] : undefined;
  return def ? { params: def.params, required: def.required } : undefined;
}

/** Calls a library function with positional arguments (expressions). */
export function callFunction(name: string, args: Value[], env: StdlibEnv): Value {
  const def = isFunction(name) ? FUNCTIONS[name] : undefined;
  if (!def) throw systemError('TypeError', `unknown function ${name}`);
  if (args.length < def.required || args.length > def.params.length) {
    const want = def.required === def.params.length ? `${def.required}` : `${def.required}-${def.params.length}`;
    throw systemError('TypeError', `${name}: expected ${want} arguments, got ${args.length}`);
  }
  return def.fn(args, env);
}

/** Calls a library function from a `call:` step with named `args`. */
export function callFunctionNamed(name: string, args: WfMap, env: StdlibEnv): Value {
  const def = FUNCTIONS[name];
  if (!def) throw systemError('TypeError', `unknown function ${name}`);
  const positional: Value[] = [];
  let last = -1;
  def.params.forEach((p, i) => {
    if (hasKey(args, p)) last = i;
  });
  for (let i = 0; i <= last; i++) {
    const p = def.params[i] as string;
    positional.push(hasKey(args, p) ? (args[p] as Value) : null);
  }
  return callFunction(name, positional, env);
}
