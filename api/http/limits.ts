import { bodyLimit } from 'hono/body-limit';
import { HttpProblem } from './problem.js';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Bodies over 64 KiB are refused before they are read. Registered only on methods that carry a
 * body: the limiter wraps the request stream, which on GETs would cost more than the handler itself.
 */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => { throw new HttpProblem('PAYLOAD_TOO_LARGE', `request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB`); },
});
