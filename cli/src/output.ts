import chalk from 'chalk';
import { Listr, type ListrTask } from 'listr2';

export type OutputMode = 'tty' | 'plain' | 'json';

/** One unit of progress in a long command (a component started, a topic created). */
export interface Step {
  /** Stable id, used as the key in JSON output. */
  id: string;
  title: string;
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
   * Runs steps in order: a listr2 task list on a terminal (each with its duration), plain
   * timestamped lines otherwise. Stops at the first failure and throws StepFailure.
   */
  async runSteps(steps: Step[]): Promise<StepResult[]> {
    const results: StepResult[] = [];
    if (this.mode === 'tty' && !this.quiet) {
      const tasks: ListrTask[] = steps.map((step) => ({
        title: step.title,
        task: async (_ctx, task) => {
          const { result, cause } = await timed(step, (m) => {
            task.output = m;
          });
          results.push(result);
          const secs = (result.ms / 1000).toFixed(1);
          task.title = `${step.title} ${chalk.dim(`${result.outcome ? `${result.outcome}, ` : ''}${secs}s`)}`;
          if (result.status === 'failed') throw new StepFailure(result, results, cause);
        },
      }));
      try {
        await new Listr(tasks, { exitOnError: true, rendererOptions: { collapseErrors: true } }).run();
      } catch (err) {
        if (err instanceof StepFailure) throw new StepFailure(err.step, results, err.cause);
        throw err;
      }
      return results;
    }
    for (const step of steps) {
      this.info(`▶ ${step.title}`);
      const { result, cause } = await timed(step, (m) => this.info(`  ${m}`));
      results.push(result);
      if (result.status === 'failed') {
        this.info(`✖ ${step.title} failed after ${(result.ms / 1000).toFixed(1)}s`);
        throw new StepFailure(result, results, cause);
      }
      this.info(`✔ ${step.title}${result.outcome ? `: ${result.outcome}` : ''} (${(result.ms / 1000).toFixed(1)}s)`);
    }
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
