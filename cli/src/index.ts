#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { isOmsError, UsageError } from './errors.js';
import { StepFailure } from './lib/steps.js';
import { Output, pickMode } from './output.js';
import { buildProgram, type Invocation } from './program.js';

/** The repository root: cli/dist/index.js → ../.. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface MainIo {
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  isTTY?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/**
 * Runs one CLI invocation and returns its exit code. Never exits the process itself, so
 * tests can call it; the bottom of this file is the only place that sets the exit code.
 */
export async function main(io: MainIo): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- isTTY is undefined, not false, off a terminal, whatever its type says
  const isTTY = io.isTTY ?? Boolean(process.stdout.isTTY && process.stderr.isTTY);
  const jsonRequested = io.argv.includes('--json');
  const debug = io.argv.includes('--debug');
  let out = new Output(pickMode({ json: jsonRequested, isTTY, env }), stdout, stderr, false, debug);
  let invocation: Invocation | undefined;
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const program = buildProgram(
    { cwd: io.cwd ?? process.cwd(), repoRoot: REPO_ROOT, env, isTTY, stdout, stderr, signal: io.signal ?? new AbortController().signal, version },
    (inv) => {
      invocation = inv;
    },
    (o) => {
      out = o;
    },
  );
  const commandName = io.argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ') || 'oms';
  try {
    await program.parseAsync(io.argv, { from: 'user' });
    if (!invocation) return 0;
    const { result, command } = invocation;
    const exitCode = result.exitCode ?? 0;
    if (result.streamed) return exitCode;
    if (out.mode === 'json') out.printJson({ ok: exitCode === 0, command, data: result.data });
    else if (result.text) out.print(result.text);
    return exitCode;
  } catch (err) {
    return reportError(err, out, commandName, debug);
  }
}

function reportError(err: unknown, out: Output, command: string, debug: boolean): number {
  let steps: unknown;
  if (err instanceof StepFailure) {
    steps = err.results;
    err = err.cause ?? err;
  }
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return 2;
    err = new UsageError(err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), { hint: 'run `oms --help` (or `oms <command> --help`) for usage' });
  }
  if (isOmsError(err)) {
    if (out.mode === 'json') {
      out.printJson({ ok: false, command, error: { message: err.message, hint: err.hint ?? null, exitCode: err.exitCode, details: err.details }, ...(steps ? { steps } : {}) });
    } else {
      out.error(err.message, err.hint, err.details);
    }
    if (debug && err.stack) out.debug(err.stack);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (out.mode === 'json') out.printJson({ ok: false, command, error: { message: `internal error: ${message}`, hint: 'this is a bug in oms', exitCode: 1, details: [] } });
  else out.error(`internal error: ${message}`, 'this is a bug in oms; rerun with --debug for the stack trace and report it');
  if (debug && err instanceof Error && err.stack) out.debug(err.stack);
  return 1;
}

// Only when run as the program (not when imported by tests).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const controller = new AbortController();
  let interrupted = 0;
  process.on('SIGINT', () => {
    interrupted++;
    if (interrupted === 1) {
      process.stderr.write('\ninterrupted: finishing the current step cleanly (Ctrl-C again to abort now)\n');
      controller.abort();
    } else {
      process.exit(130);
    }
  });
  const code = await main({ argv: process.argv.slice(2), signal: controller.signal });
  // Interrupted runs exit 130 (128 + SIGINT), as shells expect, whatever the command made of it.
  process.exitCode = interrupted > 0 ? 130 : code;
}
