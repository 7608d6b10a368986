import chalk from 'chalk';
import { Listr, type ListrTask } from 'listr2';
import { CheckFailedError } from './errors.js';

/** Ctrl-C during a multi-step command. */
export class InterruptedError extends CheckFailedError {
  constructor() {
    super('interrupted: the steps that were running finished; nothing new was started', { hint: 'rerun the same command to complete it' });
  }
}

export type OutputMode = 'tty' | 'plain' | 'json';

/** One unit of progress in a long command (a component started, a topic created). */
export interface Step {
  /** Stable id, used as the key in JSON output. */
  id: string;
  title: string;
  /** Ids of steps that must succeed first; independent steps run concurrently. */
  needs?: string[];
  /** Does the work; may return a short outcome ("already running", "created 6 topics"). */
  run: (progress: (message: string) => void) => Promise<string | void>;
}

export interface StepResult {
  id: string;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  ms: number;
  outcome?: string;
  error?: string;
}

/** Raised by runSteps after rendering, carrying the timings so far; wraps the step's error. */
export class StepFailure extends Error {
  constructor(
    readonly step: StepResult,
    readonly results: StepResult[],
    override readonly cause: unknown,
  ) {
    super(step.error ?? 'step failed');
  }
}

export function pickMode(opts: { json?: boolean; isTTY: boolean; env: NodeJS.ProcessEnv }): OutputMode {
  if (opts.json) return 'json';
  if (!opts.isTTY || opts.env.CI || opts.env.NO_COLOR || opts.env.TERM === 'dumb') return 'plain';
  return 'tty';
}

/**
 * The one place the CLI writes to the terminal. Commands return data; rendering happens
 * here. In JSON mode stdout receives exactly one document (written by the edge) and
 * everything else goes to stderr.
 */
export class Output {
  constructor(
    readonly mode: OutputMode,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
    readonly quiet = false,
    readonly debugEnabled = false,
  ) {}

  private stamp(): string {
    return new Date().toISOString().slice(11, 19);
  }

  /** Progress and information; stderr in JSON mode, dropped with --quiet. */
  info(message: string): void {
    if (this.quiet) return;
    if (this.mode === 'json') this.stderr.write(`${message}\n`);
    else if (this.mode === 'plain') this.stderr.write(`[${this.stamp()}] ${message}\n`);
    else this.stderr.write(`${message}\n`);
  }

  warn(message: string): void {
    const line = this.mode === 'tty' ? chalk.yellow(`! ${message}`) : `warning: ${message}`;
    this.stderr.write(`${this.mode === 'plain' ? `[${this.stamp()}] ` : ''}${line}\n`);
  }

  debug(message: string): void {
    if (this.debugEnabled) this.stderr.write(`debug: ${message}\n`);
  }

  /** The command's human-readable result on stdout (never in JSON mode: the edge prints the document). */
  print(text: string): void {
    if (this.mode === 'json') return;
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes the JSON document; only the edge calls this. */
  printJson(doc: unknown): void {
    this.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }

  /** Error block on stderr. */
  error(message: string, hint?: string, details: string[] = []): void {
    const tty = this.mode === 'tty';
    this.stderr.write(`${tty ? chalk.red('✖ ') : 'error: '}${message}\n`);
    for (const line of details) this.stderr.write(`  ${line}\n`);
    if (hint) this.stderr.write(`${tty ? chalk.cyan('→ ') : 'hint: '}${hint}\n`);
  }

  /**
   * Runs steps, each as soon as the steps it `needs` have succeeded (independent ones run
   * concurrently): a listr2 task list on a terminal, each with its duration, plain
   * timestamped lines otherwise. After the first failure nothing new starts; the running
   * steps settle and StepFailure is thrown with every result so far.
   */
  async runSteps(steps: Step[], signal?: AbortSignal): Promise<StepResult[]> {
    const results: StepResult[] = [];
    // One settle-promise per step, created before anything runs, so a step can wait on any other.
    const resolvers = new Map<string, (ok: boolean) => void>();
    const settled = new Map<string, Promise<boolean>>(steps.map((s) => [s.id, new Promise<boolean>((r) => resolvers.set(s.id, r))]));
    let failure: { result: StepResult; cause: unknown } | undefined;
    const ids = new Set(steps.map((s) => s.id));
    const tty = this.mode === 'tty' && !this.quiet;

    const execute = async (step: Step, progress: (m: string) => void, onDone: (r: StepResult) => void): Promise<boolean> => {
      const needs = (step.needs ?? []).filter((n) => ids.has(n));
      const ok = await Promise.all(needs.map((n) => settled.get(n)!));
      // After Ctrl-C no new step starts; running ones finish, so a rerun picks up from a clean state.
      if (signal?.aborted && !failure) failure = { result: { id: step.id, title: step.title, status: 'skipped', ms: 0, error: 'interrupted' }, cause: new InterruptedError() };
      if (!ok.every(Boolean) || failure) {
        const skipped: StepResult = { id: step.id, title: step.title, status: 'skipped', ms: 0 };
        results.push(skipped);
        onDone(skipped);
        resolvers.get(step.id)!(false);
        return false;
      }
      if (!tty) this.info(`▶ ${step.title}`);
      const { result, cause } = await timed(step, progress);
      results.push(result);
      if (result.status === 'failed' && !failure) failure = { result, cause };
      onDone(result);
      resolvers.get(step.id)!(result.status === 'ok');
      return result.status === 'ok';
    };

    if (tty) {
      const tasks: ListrTask[] = steps.map((step) => ({
        title: step.title,
        task: async (_ctx, task) => {
          const run = execute(
            step,
            (m) => {
              task.output = m;
            },
            (r) => {
              const secs = (r.ms / 1000).toFixed(1);
              if (r.status === 'ok') task.title = `${step.title} ${chalk.dim(`${r.outcome ? `${r.outcome}, ` : ''}${secs}s`)}`;
              if (r.status === 'skipped') task.skip(`${step.title} (skipped: an earlier step failed)`);
            },
          );
          const ok = await run;
          if (!ok && failure?.result.id === step.id) throw new Error(failure.result.error);
        },
      }));
      await new Listr(tasks, { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } }).run().catch(() => {});
    } else {
      // Register every step's promise before any of them awaits its needs.
      const all: Array<Promise<boolean>> = [];
      for (const step of steps) {
        const run = execute(
          step,
          (m) => this.info(`  ${step.id}: ${m}`),
          (r) => {
            const secs = (r.ms / 1000).toFixed(1);
            if (r.status === 'ok') this.info(`✔ ${step.title}${r.outcome ? `: ${r.outcome}` : ''} (${secs}s)`);
            else if (r.status === 'failed') this.info(`✖ ${step.title} failed after ${secs}s`);
            else this.info(`- ${step.title}: skipped (an earlier step failed)`);
          },
        );
        all.push(run);
      }
      await Promise.all(all);
    }
    if (failure) throw new StepFailure(failure.result, results, failure.cause);
    return results;
  }
}

async function timed(step: Step, progress: (m: string) => void): Promise<{ result: StepResult; cause?: unknown }> {
  const start = performance.now();
  try {
    const outcome = await step.run(progress);
    return { result: { id: step.id, title: step.title, status: 'ok', ms: Math.round(performance.now() - start), ...(outcome ? { outcome } : {}) } };
  } catch (err) {
    const ms = Math.round(performance.now() - start);
    return { result: { id: step.id, title: step.title, status: 'failed', ms, error: err instanceof Error ? err.message : String(err) }, cause: err };
  }
}
