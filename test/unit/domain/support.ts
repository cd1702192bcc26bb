import type { FieldError } from '../../../api/domain/errors.js';
import type { EnvironmentSpec } from '../../../api/domain/spec.js';
import { parseSpec, type ParseResult } from '../../../api/domain/validate.js';

/** The smallest valid body, byte for byte as the issue gives it. */
export const SMALLEST_BODY_JSON =
  '{"name":"demo","project":"my-project-1","region":"us-west1","cluster":{"tpuNodePools":[{"name":"tpu-v5e-4","tpuType":"v5litepod-4","zones":["us-west1-c"]}]}}';

export { body, tpuPool, type Body } from '../../support/fixtures.js';
import { body, tpuPool, type Body } from '../../support/fixtures.js';

/** A CPU pool with only the required fields, plus overrides. */
export const cpuPool = (overrides: Body = {}): Body => ({ name: 'cpu-pool', machineType: 'n1-standard-8', ...overrides });

/** The smallest body with `cluster` fields replaced; `tpuNodePools` defaults to the smallest body's pool. */
export function bodyWithCluster(cluster: Body, overrides: Body = {}): Body {
  return body({ cluster: { tpuNodePools: [tpuPool()], ...cluster }, ...overrides });
}

/** The spec, or a thrown error that lists every field error (so a failing test says why). */
export function specOf(result: ParseResult): EnvironmentSpec {
  if (!result.ok) throw new Error(`expected the spec to be accepted, got ${JSON.stringify(result.errors, null, 2)}`);
  return result.spec;
}

export function errorsOf(result: ParseResult): FieldError[] {
  if (result.ok) throw new Error('expected the spec to be refused, but it was accepted');
  return result.errors;
}

export const parseOk = (b: unknown): EnvironmentSpec => specOf(parseSpec(b));
export const parseErrors = (b: unknown): FieldError[] => errorsOf(parseSpec(b));

/** A valid RFC 1035 name of exactly `length` characters (never containing "goog"). */
export function nameOfLength(length: number): string {
  if (length < 1) throw new Error('length must be positive');
  return ('e' + 'x1'.repeat(length)).slice(0, length - 1) + 'z';
}
