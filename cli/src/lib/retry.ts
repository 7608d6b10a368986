/**
 * The CLI's one retry/backoff: p-retry behind two small helpers. `retry` repeats an attempt
 * that failed in a way worth repeating (Connect's 409 during a rebalance); `pollUntil` asks
 * a question until the answer is there (connectors RUNNING, products indexed, an order in
 * GraphQL). Both stop at a deadline and on Ctrl-C.
 */
import pRetry, { AbortError } from 'p-retry';
import { InterruptedError } from './steps.js';

export interface Backoff {
  /** Give up this long after the first attempt (the last attempt's error is thrown). */
  timeoutMs: number;
  /** Delay before the second attempt. */
  minDelayMs: number;
  /** Longest delay between two attempts (default: minDelayMs, i.e. a constant interval). */
  maxDelayMs?: number;
  /** Ends the wait early with an InterruptedError (or what `onAbort` returns). */
  signal?: AbortSignal;
  onAbort?: () => Error;
}

/** Delays keep the process alive (no `unref`): a CLI waiting on nothing else must not exit mid-wait. */
function options(b: Backoff) {
  const max = b.maxDelayMs ?? b.minDelayMs;
  return { retries: Number.POSITIVE_INFINITY, minTimeout: b.minDelayMs, maxTimeout: max, factor: max > b.minDelayMs ? 2 : 1, maxRetryTime: b.timeoutMs };
}

async function guarded<T>(b: Backoff, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (b.signal?.aborted) throw b.onAbort?.() ?? new InterruptedError();
    throw err;
  }
}

/** Runs `attempt` until it resolves; an error `shouldRetry` accepts is retried with backoff until the deadline, any other is thrown at once. */
export function retry<T>(attempt: (n: number) => Promise<T>, backoff: Backoff & { shouldRetry: (err: unknown) => boolean }): Promise<T> {
  return guarded(backoff, () =>
    pRetry(
      async (n) => {
        try {
          return await attempt(n);
        } catch (err) {
          if (backoff.shouldRetry(err)) throw err instanceof Error ? err : new Error(String(err));
          throw new AbortError(err instanceof Error ? err : new Error(String(err)));
        }
      },
      { ...options(backoff), ...(backoff.signal ? { signal: backoff.signal } : {}) },
    ),
  );
}

class NotYet extends Error {}

/**
 * Asks `check` until it returns something other than undefined, and returns that. An error
 * from `check` ends the wait at once (a FAILED connector will not heal by waiting). At the
 * deadline, throws what `onTimeout` builds.
 */
export function pollUntil<T>(check: () => Promise<T | undefined>, backoff: Backoff & { onTimeout: () => Error }): Promise<T> {
  return retry(
    async () => {
      const value = await check();
      if (value === undefined) throw new NotYet();
      return value;
    },
    { ...backoff, shouldRetry: (err) => err instanceof NotYet },
  ).catch((err: unknown) => {
    throw err instanceof NotYet ? backoff.onTimeout() : err;
  });
}
