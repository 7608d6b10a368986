import type { Logger } from 'pino';
import { describeError, retry, RetryAbortedError, RetryTimeoutError, STARTUP_BACKOFF, type Backoff } from './retry.js';

/** `waiting`: not reached yet (or being prepared); `ready`: reached and prepared. */
export type DependencyPhase = 'waiting' | 'ready';

/** What `/health` and the error middleware know about one dependency. */
export interface DependencyStatus {
  name: string;
  phase: DependencyPhase;
  /** Failed attempts to reach it so far. */
  attempts: number;
  /** The last failure, while it is not ready. */
  lastError: string | null;
}

/**
 * The state of a service's dependencies (`mariadb`, `postgres`, `elasticsearch`, `kafka`),
 * shared by the start-up wait that moves it, `/health` that reports it and the error
 * middleware that answers 503 naming what is missing. One object per service instance.
 */
export class DependencyState {
  private readonly entries = new Map<string, DependencyStatus>();

  constructor(names: readonly string[] = []) {
    this.expect(names);
  }

  /** Registers dependencies the service waits for; each starts `waiting`. */
  expect(names: readonly string[]): void {
    for (const name of names) {
      if (!this.entries.has(name)) this.entries.set(name, { name, phase: 'waiting', attempts: 0, lastError: null });
    }
  }

  /** Names of the dependencies that are not ready, in registration order. */
  waitingFor(): string[] {
    return [...this.entries.values()].filter((e) => e.phase !== 'ready').map((e) => e.name);
  }

  get ready(): boolean {
    return this.waitingFor().length === 0;
  }

  status(name: string): DependencyStatus | undefined {
    const entry = this.entries.get(name);
    return entry && { ...entry };
  }

  /** Every dependency, in registration order. */
  snapshot(): DependencyStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  /** An attempt to reach `name` failed. */
  failedAttempt(name: string, error: unknown): void {
    const entry = this.mustGet(name);
    entry.phase = 'waiting';
    entry.attempts += 1;
    entry.lastError = describeError(error);
  }

  markReady(name: string): void {
    const entry = this.mustGet(name);
    entry.phase = 'ready';
    entry.lastError = null;
  }

  private mustGet(name: string): DependencyStatus {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`unknown dependency "${name}"; register it with expect() first`);
    return entry;
  }
}

/**
 * One thing a service must reach before it is ready, and how to make it usable (connect,
 * create the database, migrate, join a consumer group). `prepare` is retried with backoff.
 */
export interface DependencyStep {
  /** The name `/health` reports: `mariadb`, `postgres`, `elasticsearch`, `kafka`. */
  dependency: string;
  /** Where, for logs and errors: "MariaDB at 127.0.0.1:3306 (database customers)". */
  target: string;
  /**
   * One attempt. `signal` aborts when the service stops or the start timeout passes, so an
   * attempt that waits (for a consumer group, say) can give up.
   */
  prepare: (signal: AbortSignal) => Promise<unknown>;
  /** Failures no wait can fix (a changed migration, say): the start fails at once. */
  isFatal?: (error: unknown) => boolean;
}

/**
 * `step`, then `start()` once an attempt of it succeeded: how a service starts work of its own
 * that needs the dependency ready (a Kafka follower writing to the migrated database) without
 * touching the network in `create`. `start` must be idempotent: a later attempt calls it again.
 */
export function thenStart(step: DependencyStep, start: () => void): DependencyStep {
  return {
    ...step,
    prepare: async (signal) => {
      const prepared = await step.prepare(signal);
      start();
      return prepared;
    },
  };
}

/** The service could not reach or prepare a dependency within the start timeout. */
export class StartupError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface WaitForDependenciesOptions {
  state: DependencyState;
  logger: Logger;
  /** Budget for all steps together, from the call (the env's START_TIMEOUT_MS). */
  timeoutMs: number;
  /** Aborts the wait (SIGTERM during start-up): rejects with {@link RetryAbortedError}. */
  signal?: AbortSignal;
  backoff?: Backoff;
}

/**
 * The start-up policy of every service: prepares each dependency in order, retrying each
 * with backoff and logging what it waits for at every retry, until all are ready or
 * `timeoutMs` has passed. Rejects with a {@link StartupError} naming the dependency, where it
 * was looked for and the last failure.
 */
export async function waitForDependencies(steps: readonly DependencyStep[], options: WaitForDependenciesOptions): Promise<void> {
  const { state, logger, timeoutMs, signal, backoff = STARTUP_BACKOFF } = options;
  state.expect(steps.map((s) => s.dependency));
  const deadline = Date.now() + timeoutMs;
  for (const step of steps) {
    const { dependency, target } = step;
    const remainingMs = Math.max(0, deadline - Date.now());
    // The attempt's own signal also fires at the deadline, so a hanging attempt cannot outlive it.
    const attemptSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(remainingMs)]) : AbortSignal.timeout(remainingMs);
    let lastError: unknown;
    try {
      await retry(
        async () => {
          // The last wait may end right at the deadline: report what failed, not the deadline.
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the attempt before threw
          if (attemptSignal.aborted && lastError !== undefined) throw lastError;
          try {
            return await untilAborted(step.prepare(attemptSignal), attemptSignal);
          } catch (err) {
            // Cut short by the deadline: the failure before says more than "no answer".
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the attempt before threw
            if (err instanceof DeadlineError && lastError !== undefined) throw lastError;
            lastError = err;
            state.failedAttempt(dependency, err);
            throw err;
          }
        },
        {
          what: `reach ${target}`,
          backoff,
          timeoutMs: remainingMs,
          signal,
          retryIf: (err) => !step.isFatal?.(err),
          onRetry: ({ attempt, error, elapsedMs }) =>
            logger.warn(
              { dependency, target, attempt, error: describeError(error), waitedMs: Math.round(elapsedMs), leftMs: Math.max(0, deadline - Date.now()) },
              `waiting for ${dependency} (${target}): ${describeError(error)}`,
            ),
        },
      );
    } catch (err) {
      if (err instanceof RetryAbortedError) throw err;
      const seconds = timeoutMs / 1000;
      const cause = err instanceof RetryTimeoutError ? err.cause : err;
      const message =
        err instanceof RetryTimeoutError
          ? `gave up waiting for ${dependency} (${target}) after ${seconds} s (START_TIMEOUT_MS=${timeoutMs}): ${describeError(cause)}`
          : `cannot use ${dependency} (${target}): ${describeError(cause)}`;
      throw new StartupError(dependency, message, { cause });
    }
    state.markReady(dependency);
    logger.info({ dependency, target }, `${dependency} ready`);
  }
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts: an attempt that ignores its
 * signal must not hold the start-up past its deadline. What it leaves running is the
 * service's `close` to release.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** An attempt still running when the start timeout passed. */
class DeadlineError extends Error {
  constructor() {
    super('no answer within the start timeout');
    this.name = 'DeadlineError';
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return new DeadlineError();
  return reason instanceof Error ? reason : new Error('aborted');
}
