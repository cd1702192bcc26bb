import { describe, expect, it } from 'vitest';
import { WorkflowError } from '../../../api/engine/local/errors.js';
import { callFunction } from '../../../api/engine/local/stdlib.js';
import type { Value } from '../../../api/engine/local/values.js';
import { run } from './helpers.js';

const env = { nowMs: () => Date.UTC(2024, 0, 10, 16, 15, 54, 615), env: (n: string) => ({ MY_VAR: 'hello' })[n] };
const call = (fn: string, ...args: Value[]): Value => callFunction(fn, args, env);
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

function tagsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof WorkflowError) return e.tags;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('stdlib: helpers', () => {
  it('default/if/len/keys/type', () => {
    expect(call('default', null, 'x')).toBe('x');
    expect(call('default', 0, 'x')).toBe(0);
    expect(call('if', true, 'a', 'b')).toBe('a');
    expect(call('if', false, 'a', 'b')).toBe('b');
    expect(tagsOf(() => call('if', 1, 'a', 'b'))).toEqual(['TypeError']);
    expect(call('len', 'héllo')).toBe(5);
    expect(call('len', [1, 2])).toBe(2);
    expect(call('len', { a: 1, b: 2, c: 3 })).toBe(3);
    expect(tagsOf(() => call('len', 5))).toEqual(['TypeError']);
    expect(call('keys', { a: 1, b: 2 })).toEqual(['a', 'b']);
    expect(['int', 'double', 'string', 'bool', 'null', 'list', 'map', 'bytes'].map((_t, i) => call('type', [1, 1.5, 's', true, null, [], {}, bytes('x')][i] as Value))).toEqual([
      'int',
      'double',
      'string',
      'bool',
      'null',
      'list',
      'map',
      'bytes',
    ]);
  });

  it('converts with int/double/string/bool and rejects what Google rejects', () => {
    expect(call('int', '42')).toBe(42);
    expect(call('int', 2.7)).toBe(2);
    expect(call('int', -2.7)).toBe(-2);
    expect(call('double', '2.5')).toBe(2.5);
    expect(call('string', 42)).toBe('42');
    expect(call('string', 1.5)).toBe('1.5');
    expect(call('string', true)).toBe('true');
    expect(call('bool', 'TRUE')).toBe(true);
    expect(call('bool', 'false')).toBe(false);
    expect(tagsOf(() => call('int', 'abc'))).toEqual(['ValueError']);
    expect(tagsOf(() => call('double', 'x1'))).toEqual(['ValueError']);
    expect(tagsOf(() => call('bool', 'yes'))).toEqual(['ValueError']);
    expect(tagsOf(() => call('string', [1]))).toEqual(['TypeError']);
    expect(tagsOf(() => call('int', null))).toEqual(['TypeError']);
    expect(tagsOf(() => call('len'))).toEqual(['TypeError']);
  });
});

describe('stdlib: map and list', () => {
  it('map.get returns null or the default instead of KeyError, and follows key paths', () => {
    const m = { a: { b: { c: 1 } }, n: null };
    expect(call('map.get', m, 'missing')).toBe(null);
    expect(call('map.get', m, 'missing', 'dflt')).toBe('dflt');
    expect(call('map.get', m, ['a', 'b', 'c'])).toBe(1);
    expect(call('map.get', m, ['a', 'x', 'c'], 0)).toBe(0);
    expect(call('map.get', m, 'n', 'dflt')).toBe(null);
    expect(tagsOf(() => call('map.get', 'not a map', 'k'))).toEqual(['TypeError']);
  });

  it('map.merge, map.merge_nested and map.delete return new maps', () => {
    const a = { x: 1, nested: { p: 1, q: 1 } };
    expect(call('map.merge', a, { x: 2, nested: { q: 2 } })).toEqual({ x: 2, nested: { q: 2 } });
    expect(call('map.merge_nested', a, { nested: { q: 2 } })).toEqual({ x: 1, nested: { p: 1, q: 2 } });
    expect(call('map.delete', a, 'x')).toEqual({ nested: { p: 1, q: 1 } });
    expect(a).toEqual({ x: 1, nested: { p: 1, q: 1 } });
  });

  it('list.concat appends and list.prepend prepends without changing the input', () => {
    const l = [1, 2];
    expect(call('list.concat', l, 3)).toEqual([1, 2, 3]);
    expect(call('list.concat', l, [3])).toEqual([1, 2, [3]]);
    expect(call('list.prepend', l, 0)).toEqual([0, 1, 2]);
    expect(l).toEqual([1, 2]);
    expect(tagsOf(() => call('list.concat', 'x', 1))).toEqual(['TypeError']);
  });
});

describe('stdlib: text', () => {
  it('splits, replaces, finds, matches and slices', () => {
    expect(call('text.split', 'a,b,,c', ',')).toEqual(['a', 'b', '', 'c']);
    expect(call('text.replace_all', 'a-b-c', '-', '+')).toBe('a+b+c');
    expect(call('text.replace_all_regex', 'id-12 id-34', 'id-(\\d+)', 'n\\1')).toBe('n12 n34');
    expect(call('text.find_all', 'abcabc', 'bc')).toEqual([
      { index: 1, match: 'bc' },
      { index: 4, match: 'bc' },
    ]);
    expect(call('text.find_all_regex', 'x1y22', '[0-9]+')).toEqual([
      { index: 1, match: '1' },
      { index: 3, match: '22' },
    ]);
    expect(call('text.match_regex', 'projects/p-1/zones', '^projects/[a-z0-9-]+/')).toBe(true);
    expect(call('text.match_regex', 'nope', '^projects/')).toBe(false);
    expect(tagsOf(() => call('text.match_regex', 'x', '('))).toEqual(['ValueError']);
    expect(call('text.substring', 'hello world', 6, 11)).toBe('world');
    expect(call('text.substring', 'hello', 3, 99)).toBe('lo');
    expect(call('text.substring', 'hello', 4, 2)).toBe('');
    expect(call('text.to_lower', 'MiXeD')).toBe('mixed');
    expect(call('text.to_upper', 'MiXeD')).toBe('MIXED');
  });

  it('url-encodes and round-trips bytes through encode/decode', () => {
    expect(call('text.url_encode', 'a b&c=d/é')).toBe('a%20b%26c%3Dd%2F%C3%A9');
    expect(call('text.url_encode_plus', 'a b')).toBe('a+b');
    expect(call('text.url_decode', 'a%20b')).toBe('a b');
    const b = call('text.encode', 'héllo');
    expect(b).toBeInstanceOf(Uint8Array);
    expect((b as Uint8Array).length).toBe(6);
    expect(call('text.decode', b)).toBe('héllo');
    expect(tagsOf(() => call('text.decode', 'not bytes'))).toEqual(['TypeError']);
    expect(tagsOf(() => call('text.decode', new Uint8Array([0xff, 0xfe])))).toEqual(['ValueError']);
  });
});

describe('stdlib: default retry predicates', () => {
  it('match the documented status codes and tags', () => {
    const http = (code: number): Value => ({ message: 'x', code, tags: ['HttpError'] });
    const tagged = (...tags: string[]): Value => ({ message: 'x', tags });
    const idem = [429, 500, 502, 503, 504, 404].map((c) => call('http.default_retry_predicate', http(c)));
    expect(idem).toEqual([true, false, true, true, true, false]);
    const nonIdem = [429, 500, 502, 503, 504].map((c) => call('http.default_retry_predicate_non_idempotent', http(c)));
    expect(nonIdem).toEqual([true, false, false, true, false]);
    expect(call('http.default_retry_predicate', tagged('TimeoutError'))).toBe(true);
    expect(call('http.default_retry_predicate', tagged('ConnectionError'))).toBe(true);
    expect(call('http.default_retry_predicate_non_idempotent', tagged('ConnectionError'))).toBe(false);
    expect(call('http.default_retry_predicate_non_idempotent', tagged('ConnectionFailedError'))).toBe(true);
    expect(call('http.default_retry_predicate', 'a string error')).toBe(false);
  });
});

describe('stdlib: json, base64, time, sys, uuid', () => {
  it('encodes and decodes JSON', () => {
    expect(call('json.encode_to_string', { a: [1, 'x', null] })).toBe('{"a":[1,"x",null]}');
    expect(Buffer.from(call('json.encode', { a: 1 }) as Uint8Array).toString()).toBe('{"a":1}');
    expect(call('json.decode', '{"k": [true]}')).toEqual({ k: [true] });
    expect(call('json.decode', bytes('[1,2]'))).toEqual([1, 2]);
    expect(tagsOf(() => call('json.decode', '{oops'))).toEqual(['ValueError']);
  });

  it('base64-encodes bytes and decodes strings', () => {
    expect(call('base64.encode', bytes('hi!'))).toBe('aGkh');
    expect(call('base64.encode', bytes('a'), false)).toBe('YQ');
    expect(Buffer.from(call('base64.decode', 'aGkh') as Uint8Array).toString()).toBe('hi!');
    expect(tagsOf(() => call('base64.encode', 'a string'))).toEqual(['TypeError']);
    expect(tagsOf(() => call('base64.decode', '***'))).toEqual(['ValueError']);
  });

  it('formats and parses time like time.format/time.parse, and sys.now reads the clock', () => {
    const now = call('sys.now') as number;
    expect(now).toBeCloseTo(1704903354.615, 3);
    expect(call('time.format', now)).toBe('2024-01-10T16:15:54.615000Z');
    expect(call('time.format', 1704903354.615087)).toBe('2024-01-10T16:15:54.615087Z');
    expect(call('time.format', 0, 'America/New_York')).toBe('1969-12-31T19:00:00.000000-05:00');
    expect(tagsOf(() => call('time.format', 0, 'Mars/Olympus'))).toEqual(['ValueError']);
    expect(call('time.parse', '2024-01-10T16:15:54.5Z')).toBe(1704903354.5);
  });

  it('reads env vars with defaults and generates UUIDs', () => {
    expect(call('sys.get_env', 'MY_VAR')).toBe('hello');
    expect(call('sys.get_env', 'NOPE')).toBe(null);
    expect(call('sys.get_env', 'NOPE', 'fallback')).toBe('fallback');
    const a = call('uuid.generate') as string;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(call('uuid.generate')).not.toBe(a);
  });
});

describe('stdlib from a workflow', () => {
  it('is callable in expressions and as call steps with named args; env has the execution id', async () => {
    const s = await run(
      `
main:
  steps:
    - split:
        call: text.split
        args:
          source: "a/b/c"
          separator: "/"
        result: parts
    - env:
        call: sys.get_env
        args: {name: GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID}
        result: execId
    - done:
        return:
          parts: \${parts}
          joined: \${json.encode_to_string(list.prepend(parts, "x"))}
          project: \${sys.get_env("GOOGLE_CLOUD_PROJECT_ID")}
          custom: \${sys.get_env("API_BASE", "https://default")}
          execId: \${execId}
`,
      {},
      { env: { API_BASE: 'http://127.0.0.1:1' }, namePrefix: 'projects/proj-1/locations/europe-west4/workflows/environment' },
    );
    expect(s.state).toBe('SUCCEEDED');
    const r = s.result as Record<string, unknown>;
    expect(r['parts']).toEqual(['a', 'b', 'c']);
    expect(r['joined']).toBe('["x","a","b","c"]');
    expect(r['project']).toBe('proj-1');
    expect(r['custom']).toBe('http://127.0.0.1:1');
    expect(s.name).toBe(`projects/proj-1/locations/europe-west4/workflows/environment/executions/${String(r['execId'])}`);
  });
});
