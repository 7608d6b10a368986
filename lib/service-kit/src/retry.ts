import pRetry, { AbortError } from 'p-retry';

/**
 * Exponential backoff: the first wait is `initialMs`, each next one `factor` (default 2) times
 * longer, capped at `maxMs`. With `jitter` (the default) each wait is multiplied by a random
 * 1–2, so instances that failed together do not retry in lockstep.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor?: number;
  jitter?: boolean;
}

/** What every service uses while it waits for a dependency at start-up. */
export const STARTUP_BACKOFF: Backoff = { initialMs: 500, maxMs: 5_000 };

/** What a retry hook learns about the attempt that just failed. */
export interface RetryAttempt {
  /** 1-based number of the attempt that failed. */
  attempt: number;
  error: unknown;
  /** Time since the first attempt began. */
  elapsedMs: number;
}

export interface RetryOptions {
  /** Short description for errors and logs ("reach Kafka at 127.0.0.1:9092"). */
  what: string;
  backoff: Backoff;
  /** Give up once this much time has passed since the first attempt (default: never). */
  timeoutMs?: number;
  /** Give up after this many retries (default: no limit). */
  retries?: number;
  /** Stops retrying at once; the call rejects with {@link RetryAbortedError}. */
  signal?: AbortSignal;
  /** Errors no wait can fix are rethrown as they are (default: every error is retried). */
  retryIf?: (error: unknown) => boolean;
  /** Called after each failed attempt that will be retried, before the wait. */
  onRetry?: (attempt: RetryAttempt) => void;
}

/** The time or the number of retries ran out; `cause` is the last failure. */
export class RetryTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(`${what}: still failing after ${attempts} attempt${attempts === 1 ? '' : 's'} (${describeError(options.cause)})`, options);
    this.name = 'RetryTimeoutError';
  }
}

/** The signal aborted (a shutdown) before the work succeeded. */
export class RetryAbortedError extends Error {
  constructor(readonly what: string) {
    super(`${what}: aborted`);
    this.name = 'RetryAbortedError';
  }
}

/**
 * Runs `work` until it resolves, waiting with {@link Backoff} between attempts: the one retry
 * policy of the services (start-up waits, the indexer's writes, the processor's rebuilds).
 * Built on p-retry. Rejects with {@link RetryTimeoutError} when `timeoutMs` or `retries` run
 * out, {@link RetryAbortedError} when `signal` aborts, or the error itself when `retryIf` says
 * it is not worth retrying.
 */
export async function retry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { what, backoff, timeoutMs, retries, signal, retryIf, onRetry } = options;
  const started = performance.now();
  let attempts = 0;
  try {
    return await pRetry(
      async (attempt) => {
        attempts = attempt;
        try {
          return await work(attempt);
        } catch (error) {
          // p-retry treats a thrown non-Error and most TypeErrors as bugs and stops; we decide.
          const wrapped = error instanceof Error && !(error instanceof TypeError) ? error : new RetriedFailure(error);
          if (retryIf && !retryIf(error)) throw new AbortError(new FatalFailure(error));
          throw wrapped;
        }
      },
      {
        retries: retries ?? Number.POSITIVE_INFINITY,
        maxRetryTime: timeoutMs,
        minTimeout: backoff.initialMs,
        maxTimeout: backoff.maxMs,
        factor: backoff.factor ?? 2,
        randomize: backoff.jitter ?? true,
        signal,
        onFailedAttempt: ({ attemptNumber, error, retriesLeft }) => {
          const elapsedMs = performance.now() - started;
          const willRetry = retriesLeft > 0 && (timeoutMs === undefined || elapsedMs < timeoutMs) && !signal?.aborted;
          if (willRetry) onRetry?.({ attempt: attemptNumber, error: unwrap(error), elapsedMs });
        },
      },
    );
  } catch (error) {
    if (signal?.aborted) throw new RetryAbortedError(what);
    if (error instanceof FatalFailure) throw error.original;
    throw new RetryTimeoutError(what, attempts, { cause: unwrap(error) });
  }
}

/** Carries a failure p-retry would otherwise refuse to retry (a TypeError, a non-Error). */
class RetriedFailure extends Error {
  constructor(readonly original: unknown) {
    super(describeError(original));
  }
}

/** Carries a failure `retryIf` declined, through p-retry's AbortError, back to the caller unchanged. */
class FatalFailure extends Error {
  constructor(readonly original: unknown) {
    super(describeError(original));
  }
}

function unwrap(error: unknown): unknown {
  return error instanceof RetriedFailure ? error.original : error;
}

/** One line for logs and health bodies. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describeError).join('; ');
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}
