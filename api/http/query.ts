import type { MiddlewareHandler } from 'hono';
import { DomainError } from '../domain/errors.js';
import { suggest } from '../domain/field-errors.js';
import type { AppEnv } from './types.js';

/**
 * Refuses query parameters the route does not define, naming them: a typo such as
 * `?validateonly=true` must not silently create a real environment.
 */
export function knownQuery(known: readonly string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const unknown = Object.keys(c.req.queries()).filter((name) => !known.includes(name));
    if (unknown.length) {
      const errors = unknown.map((name) => {
        const guess = suggest(name, known);
        return { path: `$.query.${name}`, message: `unknown parameter${guess ? `; did you mean "${guess}"?` : ''}` };
      });
      const accepted = known.length ? `; this route accepts ${known.join(', ')}` : '; this route takes no query parameters';
      throw new DomainError('INVALID_ARGUMENT', `${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}${accepted}`, { errors });
    }
    await next();
  };
}
