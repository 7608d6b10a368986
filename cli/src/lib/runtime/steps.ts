/** A unit of `up`/`down` the CLI can render as one task (listr2) with its duration. */
export interface RuntimeStep {
  id: string;
  title: string;
  /** Ids of steps that must have succeeded first (ids not in the list are ignored). */
  needs: string[];
  /** Resolves to a one-line result for the task's output. */
  run(): Promise<string | void>;
}

export interface RunStepsOptions {
  onProgress?: (event: { component: string; message: string }) => void;
  /** Steps running at once (default: as many as are runnable). */
  concurrency?: number;
}

/**
 * Runs steps as soon as their `needs` are done. On the first failure no new step starts; the
 * running ones settle, then that error is thrown.
 */
export async function runSteps(
  steps: RuntimeStep[],
  opts: RunStepsOptions = {},
): Promise<Array<{ id: string; title: string; result: string; durationMs: number }>> {
  const ids = new Set(steps.map((s) => s.id));
  const done = new Map<string, { id: string; title: string; result: string; durationMs: number }>();
  const running = new Map<string, Promise<void>>();
  const pending = [...steps];
  const limit = opts.concurrency ?? Number.POSITIVE_INFINITY;
  let failure: unknown;
  let failed = false;

  while ((pending.length > 0 && !failed) || running.size > 0) {
    if (!failed) {
      for (const step of [...pending]) {
        if (running.size >= limit) break;
        if (!step.needs.every((n) => !ids.has(n) || done.has(n))) continue;
        pending.splice(pending.indexOf(step), 1);
        const t0 = Date.now();
        opts.onProgress?.({ component: step.id, message: step.title });
        running.set(
          step.id,
          step.run().then(
            (result) => {
              const r = { id: step.id, title: step.title, result: result ?? 'done', durationMs: Date.now() - t0 };
              done.set(step.id, r);
              opts.onProgress?.({ component: step.id, message: `${r.result} (${(r.durationMs / 1000).toFixed(1)}s)` });
              running.delete(step.id);
            },
            (err: unknown) => {
              if (!failed) failure = err;
              failed = true;
              running.delete(step.id);
            },
          ),
        );
      }
    }
    if (running.size === 0) {
      if (pending.length > 0 && !failed) throw new Error(`steps with unmet needs: ${pending.map((s) => s.id).join(', ')}`);
      break;
    }
    await Promise.race(running.values());
  }
  if (failed) throw failure;
  return steps.filter((s) => done.has(s.id)).map((s) => done.get(s.id)!);
}
