import { describe, expect, it } from 'vitest';
import { createIdGenerator, ENVIRONMENT_ID } from '../../../api/domain/ids.js';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
/** The millisecond timestamp in the first 10 characters of a lowercase ULID. */
const timeOf = (id: string) => [...id.slice(id.indexOf('-') + 1, id.indexOf('-') + 11)].reduce((t, c) => t * 32 + CROCKFORD.indexOf(c), 0);
const ulidOf = (id: string) => id.slice(id.indexOf('-') + 1);
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

describe('ids', () => {
  it.each([
    ['env', /^env-[0-9a-hjkmnp-tv-z]{26}$/],
    ['op', /^op-[0-9a-hjkmnp-tv-z]{26}$/],
  ] as const)('%s ids are the prefix and a 26-character lowercase ULID', (kind, shape) => {
    const id = createIdGenerator(() => T0)(kind);
    expect(id).toMatch(shape);
    expect(id).toBe(id.toLowerCase());
  });

  it('encode the clock in their first 10 ULID characters', () => {
    const next = createIdGenerator(() => T0);
    expect(timeOf(next('env'))).toBe(T0);
    expect(timeOf(createIdGenerator(() => 1)('op'))).toBe(1);
  });

  it('use Date.now by default', () => {
    const before = Date.now();
    const id = createIdGenerator()('env');
    const after = Date.now();
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(after);
  });

  it('sort in creation order even when made within one millisecond', () => {
    const next = createIdGenerator(() => T0);
    const ids = Array.from({ length: 2000 }, () => next('env'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(timeOf(id)).toBe(T0);
  });

  it('sort in creation order across milliseconds', () => {
    let now = T0;
    const next = createIdGenerator(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push(next('env'), next('env'));
      now += 1;
    }
    expect([...ids].sort()).toEqual(ids);
    expect(timeOf(ids.at(-1)!)).toBe(T0 + 49);
  });

  it('stay in creation order when the clock steps back', () => {
    const clock = [T0, T0 - 5_000, T0 - 1, T0];
    const next = createIdGenerator(() => clock.shift()!);
    const ids = [next('env'), next('env'), next('env'), next('env')];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
  });

  it('share one sequence across kinds (an operation made after an environment sorts after it)', () => {
    const next = createIdGenerator(() => T0);
    const made = [next('env'), next('op'), next('env'), next('op')].map(ulidOf);
    expect([...made].sort()).toEqual(made);
  });

  it('are random beyond the clock: two generators at the same instant do not collide', () => {
    const a = createIdGenerator(() => T0)('env');
    const b = createIdGenerator(() => T0)('env');
    expect(a).not.toBe(b);
    expect(a.slice(0, 14)).toBe(b.slice(0, 14));
  });
});

describe('ENVIRONMENT_ID', () => {
  it('matches generated environment ids', () => {
    const next = createIdGenerator();
    for (let i = 0; i < 20; i++) expect(next('env')).toMatch(ENVIRONMENT_ID);
  });

  it.each([
    ['op-01jabcdefghjkmnpqrstvwxyz0', 'an operation id'],
    ['env-01JABCDEFGHJKMNPQRSTVWXYZ0', 'uppercase'],
    ['env-01jabcdefghjkmnpqrstvwxyz', '25 characters'],
    ['env-01jabcdefghjkmnpqrstvwxyz01', '27 characters'],
    ['env-01jabcdefghjkmnpqrstvwxyi', 'the letter i (not Crockford base32)'],
    ['env-01jabcdefghjkmnpqrstvwxyl', 'the letter l'],
    ['env-01jabcdefghjkmnpqrstvwxyo', 'the letter o'],
    ['env-01jabcdefghjkmnpqrstvwxyu', 'the letter u'],
    ['xenv-01jabcdefghjkmnpqrstvwxyz0', 'a prefix before env'],
  ])('does not match %s (%s)', (id) => {
    expect(id).not.toMatch(ENVIRONMENT_ID);
  });

  it('matches a well-formed id', () => {
    expect('env-01jabcdefghjkmnpqrstvwxyz0').toMatch(ENVIRONMENT_ID);
  });
});
