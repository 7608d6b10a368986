import { setTimeout as sleep } from 'node:timers/promises';

/** Exponential backoff bounds; the delay doubles from `initialMs` up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1-based): `initialMs * 2^(attempt-1)`, capped at `maxMs`,
 * then spread by ±20 % so several instances that failed together do not retry in lockstep.
 */
export function backoffDelay(attempt: number, { initialMs, maxMs }: Backoff, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Sleeps `ms`, returning `false` instead of throwing when `signal` aborts first, so callers
 * can write `if (!(await pause(ms, signal))) return;`.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (err) {
    if (signal?.aborted) return false;
    throw err;
  }
}

/** Thrown by {@link retryUntil} when the deadline passed; `cause` is the last failure. */
export class RetryTimeoutError extends Error {
  constructor(
    what: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(`${what}: still failing after ${attempts} attempt${attempts === 1 ? '' : 's'} (${describeError(options.cause)})`, options);
    this.name = 'RetryTimeoutError';
  }
}

/** Thrown by {@link retryUntil} when `signal` aborted (shutdown during startup). */
export class RetryAbortedError extends Error {
  constructor(what: string) {
    super(`${what}: aborted`);
    this.name = 'RetryAbortedError';
  }
}

export interface RetryUntilOptions {
  /** Short description for errors and logs ("prepare the Elasticsearch index"). */
  what: string;
  /** Give up once this much time has passed since the first attempt. */
  timeoutMs: number;
  backoff: Backoff;
  signal?: AbortSignal;
  /** Called after each failed attempt that will be retried. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  now?: () => number;
}

/**
 * Runs `fn` until it resolves, backing off between attempts, for at most `timeoutMs`.
 * Startup uses it so the service survives Kafka or Elasticsearch coming up a little later
 * than it does, yet still fails clearly when they never come.
 */
export async function retryUntil<T>(fn: (attempt: number) => Promise<T>, options: RetryUntilOptions): Promise<T> {
  const { what, timeoutMs, backoff, signal, onRetry, now = Date.now } = options;
  const deadline = now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new RetryAbortedError(what);
    try {
      return await fn(attempt);
    } catch (error) {
      if (signal?.aborted) throw new RetryAbortedError(what);
      const delayMs = Math.min(backoffDelay(attempt, backoff), Math.max(0, deadline - now()));
      if (delayMs <= 0) throw new RetryTimeoutError(what, attempt, { cause: error });
      onRetry?.({ attempt, delayMs, error });
      if (!(await pause(delayMs, signal))) throw new RetryAbortedError(what);
    }
  }
}

/** One line for logs and health bodies. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
