/**
 * Time as the engine sees it. Injectable so tests drive `sys.sleep`, retry backoff and HTTP
 * timeouts with a fake clock instead of real waiting (tests never sleep to synchronise).
 */
import { CancelledError } from './errors.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason (or CancelledError) when aborted. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock: `Date.now` and `setTimeout`, cancellable through the signal. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(abortReason(signal));
        return;
      }
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The error a cancelled wait rejects with: the signal's reason when it is an Error. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CancelledError();
}
