import createClient, { type Client } from 'openapi-fetch';
import { expect } from 'vitest';
import type { EnvironmentSpecInput, paths } from '@saxml-environments/client';
import type { Environment, ProblemBody, Schemas } from './bodies.js';
import { SMALLEST_SPEC } from './fixtures.js';

export type ApiClient = Client<paths>;

/**
 * A client typed by the published OpenAPI document, talking to the in-process app (no socket):
 * request and response bodies are checked by the compiler, as an SDK user's would be.
 */
export function typedClient(app: { fetch: (request: Request) => Response | Promise<Response> }, headers: Record<string, string> = {}): ApiClient {
  return createClient<paths>({ baseUrl: 'http://app.test', fetch: async (request) => app.fetch(request), headers });
}

/** The same client for a service listening at `baseUrl` (the e2e worlds). */
export function serverClient(baseUrl: string, headers: Record<string, string> = {}): ApiClient {
  return createClient<paths>({ baseUrl, headers });
}

/** What a typed call resolves to (openapi-fetch's `FetchResponse`, loosened to what the helpers read). */
interface Answer<D, E> {
  data?: D;
  error?: E;
  response: Response;
}

/** The body of an answer that must have the given (success) status. */
export function dataOf<D>(answer: Answer<D, unknown>, status: number): D {
  expect(answer.response.status, `status (error body: ${JSON.stringify(answer.error)})`).toBe(status);
  expect(answer.response.headers.get('content-type')).toContain('application/json');
  if (answer.data === undefined) throw new Error(`${status} answer without a body`);
  return answer.data;
}

/** The problem of an answer that must have the given (error) status. */
export function errorOf(answer: Answer<unknown, Schemas['Problem']>, status: number): ProblemBody {
  expect(answer.response.status).toBe(status);
  expect(answer.response.headers.get('content-type')).toContain('application/problem+json');
  if (answer.error === undefined) throw new Error(`${status} answer without a problem body`);
  return answer.error as ProblemBody;
}

/** What a create sends (fields with a default may be left out). */
export type EnvironmentSpec = EnvironmentSpecInput;
/** An environment just created: it always has its create operation. */
export type CreatedEnvironment = Environment & { operation: NonNullable<Environment['operation']> };
type CreateAnswer = Answer<Schemas['ValidateOnlyResult'] | Environment, Schemas['Problem']>;

/** POST /environments answered 202: the environment, with its operation. */
export function createdOf(answer: CreateAnswer): CreatedEnvironment {
  const body = dataOf(answer, 202);
  if (!('id' in body)) throw new Error('202 without an environment');
  if (!body.operation) throw new Error(`created environment ${body.id} without an operation`);
  return body as CreatedEnvironment;
}

/** POST /environments?validateOnly=true answered 200: the normalised spec and the plan. */
export function validatedOf(answer: CreateAnswer): Schemas['ValidateOnlyResult'] {
  const body = dataOf(answer, 200);
  if ('id' in body) throw new Error(`validateOnly created environment ${body.id}`);
  return body;
}

/** Creates an environment (the smallest spec unless given another) and returns it. */
export async function created(client: ApiClient, spec: EnvironmentSpec = SMALLEST_SPEC): Promise<CreatedEnvironment> {
  return createdOf(await client.POST('/environments', { body: spec }));
}
