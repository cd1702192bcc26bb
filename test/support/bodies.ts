import { expect } from 'vitest';
import type { Problem } from '../../api/http/problem.js';
import type { components } from '@saxml-environments/client';

/**
 * Typed readers of raw response bodies, for the requests the typed client (support/client.ts)
 * cannot express: malformed or unknown-field bodies, raw headers, unauthenticated calls, and the
 * routes the OpenAPI document does not describe (internal, service, sandbox). Each checks the
 * media type, so a problem is never read as an environment or the other way round.
 */

export type Schemas = components['schemas'];
export type Environment = Schemas['Environment'];

/** A schema's type without its index signature: through one, a misspelt field would read as `unknown` and compile. */
type KnownFields<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/**
 * An RFC 9457 problem (api/http/problem.ts) as the tests read it: the published fields only, plus
 * the extensions some codes carry.
 */
export type ProblemBody = KnownFields<Problem> & {
  /** UNAVAILABLE after the environment was recorded (its workflow could not start): the environment to retry. */
  environmentId?: string;
  /** OPERATION_IN_PROGRESS: the operation that is running. */
  operation?: { id: string; kind: string };
};

async function bodyOf(res: Response, mediaType: 'application/json' | 'application/problem+json'): Promise<unknown> {
  expect(res.headers.get('content-type'), `${res.status} answer's media type`).toContain(mediaType);
  return res.json();
}

/** A problem answer's body (any status). */
export const problemOf = async (res: Response): Promise<ProblemBody> => (await bodyOf(res, 'application/problem+json')) as ProblemBody;

/** An environment answer's body, as the published Environment schema types it. */
export const environmentOf = async (res: Response): Promise<Environment> => (await bodyOf(res, 'application/json')) as Environment;

/**
 * A JSON body whose type the test names: for routes outside the OpenAPI document, with the type
 * their own module declares. Without a type argument the body is `unknown`, fit for whole-body
 * comparisons only.
 */
export const jsonOf = async <T = unknown>(res: Response): Promise<T> => (await bodyOf(res, 'application/json')) as T;
