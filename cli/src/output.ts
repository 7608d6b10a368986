import chalk from 'chalk';
import { Listr, type ListrTask } from 'listr2';
import type { Step, StepEvent, StepResult } from './lib/steps.js';

export type OutputMode = 'tty' | 'plain' | 'json';

/** Receives the step runner's events; `settle` resolves once everything is drawn. */
export interface StepView {
  onEvent(event: StepEvent): void;
  settle(): Promise<void>;
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

  /** One JSON value on one line of stdout (NDJSON), for commands that stream their results with --json. */
  printJsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /**
   * CI workflow commands (GitHub Actions' `::error::`/`::notice::` lines), printed whatever
   * --quiet says: on stdout, where the runner reads them; on stderr with --json, which keeps
   * stdout one document.
   */
  annotate(lines: string[]): void {
    const stream = this.mode === 'json' ? this.stderr : this.stdout;
    for (const line of lines) stream.write(`${line}\n`);
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
   * A renderer of the step runner's events: a listr2 task list on a terminal (each step with
   * its outcome and duration), plain timestamped lines otherwise (on stderr with --json).
   * Pass `onEvent` to runSteps (or to the operation running it), then await `settle`.
   */
  stepView(): StepView {
    return this.mode === 'tty' && !this.quiet ? listrView() : lineView(this);
  }

  /** Runs `fn` with a step view subscribed, and waits until the view has drawn the last event. */
  async withSteps<T>(fn: (onEvent: (event: StepEvent) => void) => Promise<T>): Promise<T> {
    const view = this.stepView();
    try {
      return await fn((e) => view.onEvent(e));
    } finally {
      await view.settle();
    }
  }
}

const seconds = (r: StepResult) => `${(r.ms / 1000).toFixed(1)}s`;

function lineView(out: Output): StepView {
  return {
    onEvent(e) {
      if (e.type === 'start') out.info(`▶ ${e.step.title}`);
      else if (e.type === 'progress') out.info(`  ${e.step.id}: ${e.message}`);
      else if (e.type === 'done') {
        const r = e.result;
        if (r.status === 'ok') out.info(`✔ ${r.title}${r.outcome ? `: ${r.outcome}` : ''} (${seconds(r)})`);
        else if (r.status === 'failed') out.info(`✖ ${r.title} failed after ${seconds(r)}`);
        else out.info(`- ${r.title}: skipped (an earlier step failed)`);
      }
    },
    settle: async () => undefined,
  };
}

type Task = Parameters<ListrTask['task']>[1];

/** One listr2 task list per plan; each task waits for its step's `done` event. */
function listrView(): StepView {
  const runs: Array<Promise<unknown>> = [];
  // Created with the plan, before listr2 starts a task: a step may be done before its task asks.
  const outcomes = new Map<Step, { promise: Promise<StepResult>; resolve: (r: StepResult) => void }>();
  const wrappers = new Map<Step, Task>();
  const lastProgress = new Map<Step, string>();
  const taskFor = (step: Step): ListrTask['task'] => async (_ctx, task: Task) => {
    wrappers.set(step, task);
    const pending = lastProgress.get(step);
    if (pending) task.output = pending;
    const r = await outcomes.get(step)!.promise;
    if (r.status === 'ok') task.title = `${step.title} ${chalk.dim(`${r.outcome ? `${r.outcome}, ` : ''}${seconds(r)}`)}`;
    else if (r.status === 'skipped') task.skip(`${step.title} (skipped: an earlier step failed)`);
    else throw new Error(r.error);
  };
  return {
    onEvent(e) {
      if (e.type === 'plan') {
        for (const step of e.steps) {
          let resolve!: (r: StepResult) => void;
          outcomes.set(step, { promise: new Promise<StepResult>((r) => (resolve = r)), resolve });
        }
        const tasks: ListrTask[] = e.steps.map((step) => ({ title: step.title, task: taskFor(step) }));
        const list = new Listr(tasks, { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } });
        runs.push(list.run().catch(() => undefined));
      } else if (e.type === 'progress') {
        lastProgress.set(e.step, e.message);
        const task = wrappers.get(e.step);
        if (task) task.output = e.message;
      } else if (e.type === 'done') {
        outcomes.get(e.step)?.resolve(e.result);
      }
    },
    async settle() {
      await Promise.all(runs);
    },
  };
}
