import createFetchClient, { type Client as FetchClient } from 'openapi-fetch';
import type { paths } from './generated/openapi.js';
import { ApiProblem } from './problem.js';
import type {
  Environment, EnvironmentEvent, EnvironmentSpecInput, ListEnvironmentsQuery, PlanWithProgress, ValidateOnlyResult, EnvironmentSpecPatch, UpdatePreview,
} from './types.js';
import { watchEnvironment, type WatchItem, type WatchOptions } from './watch.js';

/** Where a bearer token comes from: asked before every request (a provider caches and refreshes). */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export interface ClientOptions {
  /** The service's URL, e.g. `http://127.0.0.1:8080` or the Cloud Run URL. */
  baseUrl: string;
  /** A fixed bearer token (the local `API_TOKEN`, or an ID token you minted). */
  token?: string;
  /** Or a source of tokens, e.g. `googleIdTokenProvider(audience)` in the cloud. */
  tokenProvider?: TokenProvider;
  /** For tests and special transports. */
  fetch?: typeof globalThis.fetch;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Each event as it happens (the history first). */
  onEvent?: (event: EnvironmentEvent) => void;
  /** The environment each time it is read again. */
  onEnvironment?: (environment: Environment) => void;
}

/** The environment did not reach what `waitFor` waited for, and nothing is running that could get it there. */
export class WaitEndedError extends Error {
  constructor(readonly environment: Environment) {
    const error = environment.operation?.error;
    super(`environment ${environment.id} is ${environment.state}${error ? `: ${error.code}: ${error.message}` : ''}`);
    this.name = 'WaitEndedError';
  }
}

/**
 * A typed client of the Saxml Environments API: every call checked against the OpenAPI document's
 * types, every refusal thrown as an ApiProblem, and `waitFor` to follow an operation to its end.
 * `api` is the underlying openapi-fetch client, for anything the methods do not cover.
 */
export function createClient(options: ClientOptions) {
  const tokenOf: TokenProvider = options.tokenProvider ?? (() => options.token);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const api: FetchClient<paths, 'application/json'> = createFetchClient<paths, 'application/json'>({ baseUrl, fetch: options.fetch });
  api.use({
    async onRequest({ request }) {
      const token = await tokenOf();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });

  /** The data of a 2xx answer, or the answer as an ApiProblem. */
  async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await call;
    if (!response.ok) throw await ApiProblem.from(response, error);
    return data as T;
  }

  const client = {
    api,

    /** Validates and records the environment, and starts its create operation. */
    async create(spec: EnvironmentSpecInput, opts: { idempotencyKey?: string } = {}): Promise<Environment> {
      const header = opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {};
      const created = await ok(api.POST('/environments', { body: spec, params: { header } }));
      if (created.kind !== 'Environment') throw new Error('expected the created environment');
      return created;
    },

    /** What a create would do: the normalised spec and the plan. Records nothing. */
    async validate(spec: EnvironmentSpecInput): Promise<ValidateOnlyResult> {
      const result = await ok(api.POST('/environments', { body: spec, params: { query: { validateOnly: true } } }));
      if (result.kind !== 'ValidateOnlyResult') throw new Error('expected the validate-only result');
      return result;
    },

    get: (id: string): Promise<Environment> => ok(api.GET('/environments/{id}', { params: { path: { id } } })),

    list: (query: ListEnvironmentsQuery = {}) => ok(api.GET('/environments', { params: { query } })),

    plan: (id: string): Promise<PlanWithProgress> => ok(api.GET('/environments/{id}/plan', { params: { path: { id } } })),

    events: (id: string, query: { after?: number; pageSize?: number; pageToken?: string } = {}) =>
      ok(api.GET('/environments/{id}/events', { params: { path: { id }, query } })),

    retry: (id: string, opts: { ifMatch?: string; idempotencyKey?: string } = {}): Promise<Environment> =>
      ok(api.POST('/environments/{id}/retry', { params: { path: { id }, header: conditionalHeaders(opts) } })),

    cancel: (id: string, opts: { ifMatch?: string; idempotencyKey?: string } = {}): Promise<Environment> =>
      ok(api.POST('/environments/{id}/cancel', { params: { path: { id }, header: conditionalHeaders(opts) } })),

    /** Starts the teardown (or answers the environment when it is DELETED already). */
    delete: (id: string, opts: { force?: boolean; deleteBootstrap?: boolean; ifMatch?: string } = {}): Promise<Environment> =>
      ok(api.DELETE('/environments/{id}', {
        params: { path: { id }, query: { force: opts.force, deleteBootstrap: opts.deleteBootstrap }, header: conditionalHeaders(opts) },
      })),

    /**
     * Changes the spec with a JSON merge patch (RFC 7396): `PATCH /environments/{id}` with
     * `application/merge-patch+json`. The environment (UPDATING with its update operation, or as it
     * is when nothing needed to start), or with `validateOnly` the preview. A server without the
     * route answers 404 or 405: thrown as an ApiProblem with code ROUTE_NOT_FOUND or METHOD_NOT_ALLOWED.
     */
    async patch(id: string, patch: EnvironmentSpecPatch, opts: { ifMatch?: string; idempotencyKey?: string; validateOnly?: boolean } = {}): Promise<Environment | UpdatePreview> {
      const url = `${baseUrl}/environments/${encodeURIComponent(id)}${opts.validateOnly ? '?validateOnly=true' : ''}`;
      const headers = new Headers({ 'content-type': 'application/merge-patch+json', ...conditionalHeaders(opts) });
      const token = await tokenOf();
      if (token) headers.set('authorization', `Bearer ${token}`);
      const response = await (options.fetch ?? fetch)(url, { method: 'PATCH', headers, body: JSON.stringify(patch) });
      if (!response.ok) throw await ApiProblem.from(response);
      return (await response.json()) as Environment | UpdatePreview;
    },

    /** The environment's events as they happen (Server-Sent Events), resuming after drops. */
    watch(id: string, opts: WatchOptions = {}): AsyncGenerator<WatchItem> {
      return watchEnvironment(async (after, { untilOperationEnd, signal }) => {
        const { data, error, response } = await api.GET('/environments/{id}/events:watch', {
          params: { path: { id }, query: { after, until: untilOperationEnd ? 'operationEnd' : undefined } },
          parseAs: 'stream',
          signal,
        });
        if (!response.ok || !data) throw await ApiProblem.from(response, error);
        return data;
      }, opts);
    },

    /**
     * Follows the environment until `predicate` holds and returns it then. Throws WaitEndedError
     * when no operation is running (or the running one ends) and the predicate still does not
     * hold: nothing would change by itself. The environment is read again after events (at most
     * one read at a time), so `onEnvironment` sees stage progress as it happens.
     */
    async waitFor(id: string, predicate: (environment: Environment) => boolean, opts: WaitOptions = {}): Promise<Environment> {
      let latest = await client.get(id);
      opts.onEnvironment?.(latest);
      if (predicate(latest)) return latest;
      let reading: Promise<void> | undefined;
      let stale = false;
      let waiting = true;
      const reread = () => {
        if (reading) {
          stale = true;
          return;
        }
        reading = client.get(id).then((environment) => {
          if (!waiting) return;
          latest = environment;
          opts.onEnvironment?.(environment);
        }).catch(() => {
          // A failed read is retried with the next event; the end carries the final environment.
        }).finally(() => {
          reading = undefined;
          if (stale && waiting) {
            stale = false;
            reread();
          }
        });
      };
      try {
        for await (const item of client.watch(id, { untilOperationEnd: true, signal: opts.signal })) {
          if (item.type === 'event') {
            opts.onEvent?.(item.event);
            reread();
            if (predicate(latest)) return latest;
          } else if (item.type === 'end') {
            await reading?.catch(() => undefined);
            latest = item.environment;
            opts.onEnvironment?.(latest);
            if (predicate(latest)) return latest;
          }
        }
        throw new WaitEndedError(latest);
      } finally {
        // A read still in flight reports nothing after the wait is over.
        waiting = false;
      }
    },
  };
  return client;
}

export type SaxenvClient = ReturnType<typeof createClient>;

const conditionalHeaders = (opts: { ifMatch?: string; idempotencyKey?: string }) => ({
  ...(opts.ifMatch && { 'if-match': opts.ifMatch }),
  ...(opts.idempotencyKey && { 'idempotency-key': opts.idempotencyKey }),
});
