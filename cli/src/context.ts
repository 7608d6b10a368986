import type { LoadedConfig } from './config.js';
import type { StepEvent } from './lib/steps.js';
import type { Output } from './output.js';

/**
 * What an operation (ops/) may use, built once per invocation and passed in, so operations
 * never reach for globals and tests hand in their own. It has no terminal: operations
 * return data and report progress through the step runner's events or a callback, so the
 * CLI and the console can both call them.
 */
export interface OpsContext {
  loaded: LoadedConfig;
  cwd: string;
  repoRoot: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: long waits stop early and leave a state a rerun completes. */
  signal: AbortSignal;
  /** Diagnostic lines (the CLI shows them with --debug); never a result. */
  debug(message: string): void;
}

/** How a caller watches a long operation: the step runner's events, and one-line notices. */
export interface ProgressHooks {
  onEvent?: (event: StepEvent) => void;
  /** Lines worth showing that are not a step (preflight warnings). */
  onNotice?: (message: string) => void;
}

/** What a command gets: the operations' context plus the terminal it renders to. */
export interface Context extends OpsContext {
  out: Output;
}

/** What a command returns; the edge renders `text` (or `data` as JSON with --json). */
export interface CommandResult<T = unknown> {
  data: T;
  /** Human rendering; omitted when the steps already told the story. */
  text?: string;
  /** 1 when a check failed but the data is still worth printing (status, smoke). */
  exitCode?: number;
  /**
   * The command already wrote its output as it went (`oms topics tail --json`: one JSON
   * object per line), so the edge prints no document after it.
   */
  streamed?: boolean;
}
