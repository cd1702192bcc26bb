import { apiBases, type ApiBases, type GoogleApi } from '../domain/google-apis.js';

/**
 * Where each simulated service lives: the sandbox simulates every Google API the plan calls, each
 * under its own name. Kept apart from the sandbox itself so that callers that only need URLs
 * (plans, the local profile's composition) do not load the simulation.
 */
export type ServiceName = GoogleApi;

/** Base URL per service for a sandbox mounted at `root` (e.g. `http://127.0.0.1:8080/_sandbox`). */
export function sandboxBases(root: string): ApiBases {
  const base = root.replace(/\/+$/, '');
  return apiBases((s) => `${base}/${s}`);
}
