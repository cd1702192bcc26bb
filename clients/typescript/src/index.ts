/**
 * The TypeScript client of the Saxml Environments API: generated types (openapi-typescript) and a
 * thin layer over openapi-fetch. See ../README.md.
 */
export { createClient, WaitEndedError, type ClientOptions, type SaxenvClient, type TokenProvider, type WaitOptions } from './client.js';
export { googleIdTokenProvider } from './google.js';
export { ApiProblem } from './problem.js';
export type * from './types.js';
export { readEventStream, type EventStreamItem, type WatchItem, type WatchOptions } from './watch.js';
