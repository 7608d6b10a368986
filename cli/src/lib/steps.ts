/**
 * The one step runner: what `oms up`, `down`, `reset`, `build` and `seed` run, what the
 * runtimes' `up()`/`down()` run, and what the test global setup runs. It is pure: it prints
 * nothing and emits events; the output layer (output.ts) renders them as a listr2 task list,
 * plain lines or nothing (JSON), and a web face can forward them as they come.
 */
import { CheckFailedError } from '../errors.js';

/** One unit of progress in a long operation (a component started, the topics created). */
export interface Step {
  /** Stable id: the key in JSON output and what other steps name in `needs`. */
  id: string;
  title: string;
  /** Ids of steps that must succeed first (ids not in the list are ignored); independent steps run concurrently. */
  needs?: readonly string[];
  /** Does the work; may resolve to a one-line outcome ("already running (pid 12)", "created 6"). */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- `async () => { … }` (a Promise<void>) is a step too; Promise<string | undefined> would refuse it
  run(progress: (message: string) => void): Promise<string | void>;
}

export type StepStatus = 'ok' | 'failed' | 'skipped';

/** How a step ended: the shape of `steps` in every `--json` document. */
export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  ms: number;
  outcome?: string;
  error?: string;
}

/**
 * What the runner tells its listeners: the plan once, first (so a renderer can lay out every
 * step), then per step: start, any progress, done (only done when skipped).
 */
export type StepEvent =
  | { type: 'plan'; steps: readonly Step[] }
  | { type: 'start'; step: Step }
  | { type: 'progress'; step: Step; message: string }
  | { type: 'done'; step: Step; result: StepResult };

export interface RunStepsOptions {
  /** Ctrl-C: no step starts after it aborts; the running ones settle. */
  signal?: AbortSignal;
  onEvent?: (event: StepEvent) => void;
  /** Steps running at once (default: every runnable one). */
  concurrency?: number;
}

/** Ctrl-C during a multi-step command. */
export class InterruptedError extends CheckFailedError {
  constructor() {
    super('interrupted: the steps that were running finished; nothing new was started', { hint: 'rerun the same command to complete it' });
  }
}

/** Thrown by {@link runSteps} after every step settled: the first failure, with every result (failed and skipped ones included). */
export class StepFailure extends Error {
  constructor(
    readonly step: StepResult,
    readonly results: StepResult[],
    override readonly cause: unknown,
  ) {
    super(step.error ?? 'step failed');
    this.name = 'StepFailure';
  }
}

/** Fails fast on a plan that could never finish: a duplicate id or a cycle of needs is a bug in the plan. */
function assertRunnable(steps: readonly Step[]): void {
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) throw new Error(`duplicate step id: ${s.id}`);
    ids.add(s.id);
  }
  const done = new Set<string>();
  let left = steps.filter((s) => !done.has(s.id));
  while (left.length > 0) {
    const ready = left.filter((s) => (s.needs ?? []).every((n) => !ids.has(n) || done.has(n)));
    if (ready.length === 0) throw new Error(`steps whose needs can never be met (a cycle): ${left.map((s) => s.id).join(', ')}`);
    for (const s of ready) done.add(s.id);
    left = left.filter((s) => !done.has(s.id));
  }
}

/** Releases waiters one at a time, up to `limit` at once. */
function semaphore(limit: number): { acquire(): Promise<void>; release(): void } {
  let free = limit;
  const queue: Array<() => void> = [];
  return {
    async acquire() {
      if (free > 0) {
        free--;
        return;
      }
      await new Promise<void>((resolve) => queue.push(resolve));
    },
    release() {
      const next = queue.shift();
      if (next) next();
      else free++;
    },
  };
}

/**
 * Runs each step as soon as the steps it `needs` have succeeded. After the first failure or
 * an abort nothing new starts; the running steps settle; then {@link StepFailure} is thrown
 * with every result (the cause is the step's error, or an {@link InterruptedError}). Results
 * come back in the order of `steps`.
 */
export async function runSteps(steps: readonly Step[], opts: RunStepsOptions = {}): Promise<StepResult[]> {
  assertRunnable(steps);
  const emit = opts.onEvent ?? (() => undefined);
  const ids = new Set(steps.map((s) => s.id));
  const results = new Map<string, StepResult>();
  const settled = new Map<string, { promise: Promise<boolean>; resolve: (ok: boolean) => void }>();
  for (const s of steps) {
    let resolve!: (ok: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    settled.set(s.id, { promise, resolve });
  }
  const slots = semaphore(opts.concurrency ?? Number.POSITIVE_INFINITY);
  emit({ type: 'plan', steps });
  let failure: { result: StepResult; cause: unknown } | undefined;

  const finish = (step: Step, result: StepResult): boolean => {
    results.set(step.id, result);
    emit({ type: 'done', step, result });
    settled.get(step.id)!.resolve(result.status === 'ok');
    return result.status === 'ok';
  };

  const execute = async (step: Step): Promise<boolean> => {
    const needsOk = await Promise.all((step.needs ?? []).filter((n) => ids.has(n)).map((n) => settled.get(n)!.promise));
    if (!needsOk.every(Boolean) || failure) return finish(step, { id: step.id, title: step.title, status: 'skipped', ms: 0 });
    await slots.acquire();
    try {
      // After Ctrl-C no new step starts; running ones finish, so a rerun picks up from a clean state.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- another step can fail while this one waits for a slot; TypeScript keeps the narrowing across the await
      if (opts.signal?.aborted && !failure) failure = { result: { id: step.id, title: step.title, status: 'skipped', ms: 0, error: 'interrupted' }, cause: new InterruptedError() };
      if (failure) return finish(step, { id: step.id, title: step.title, status: 'skipped', ms: 0 });
      emit({ type: 'start', step });
      const t0 = performance.now();
      try {
        const outcome = await step.run((message) => emit({ type: 'progress', step, message }));
        return finish(step, { id: step.id, title: step.title, status: 'ok', ms: Math.round(performance.now() - t0), ...(outcome ? { outcome } : {}) });
      } catch (err) {
        const result: StepResult = { id: step.id, title: step.title, status: 'failed', ms: Math.round(performance.now() - t0), error: err instanceof Error ? err.message : String(err) };
        failure ??= { result, cause: err };
        return finish(step, result);
      }
    } finally {
      slots.release();
    }
  };

  await Promise.all(steps.map(execute));
  const ordered = steps.map((s) => results.get(s.id)!);
  if (failure) throw new StepFailure(failure.result, ordered, failure.cause);
  return ordered;
}
