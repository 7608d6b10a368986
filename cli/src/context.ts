import type { LoadedConfig } from './config.js';
import type { Output } from './output.js';

/**
 * Everything a command may touch, built once by the program and passed in, so commands
 * never reach for globals and tests can hand in their own.
 */
export interface Context {
  loaded: LoadedConfig;
  out: Output;
  cwd: string;
  repoRoot: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: long waits should stop early and leave a state a rerun completes. */
  signal: AbortSignal;
}

/** What a command returns; the edge renders `text` (or `data` as JSON with --json). */
export interface CommandResult<T = unknown> {
  data: T;
  /** Human rendering; omitted when the steps already told the story. */
  text?: string;
  /** 1 when a check failed but the data is still worth printing (status, smoke). */
  exitCode?: number;
}
