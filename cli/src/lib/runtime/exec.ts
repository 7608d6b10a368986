import { execFile } from 'node:child_process';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ExternalError } from '../../errors.js';
import { lastLines } from './log-file.js';

export interface RunLoggedOptions {
  logFile: string;
  component: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
  /** Standard input. */
  input?: string;
  hint?: string;
}

/**
 * Runs a one-shot setup command (initdb, install-db, storage format), appending its output to
 * the component's log; on failure an ExternalError with the last lines.
 */
export async function runLogged(command: string, args: string[], opts: RunLoggedOptions): Promise<string> {
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  const line = `${path.basename(command)} ${args.join(' ')}`;
  await appendFile(opts.logFile, `----- oms: ${new Date().toISOString()} ${line}\n`);
  const result = await new Promise<{ code: number | null; out: string; error?: Error }>((resolve) => {
    const child = execFile(
      command,
      args,
      {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        timeout: opts.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
        ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
        ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
      },
      (error, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, ...(error ? { error } : {}) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
  await appendFile(opts.logFile, result.out.endsWith('\n') || result.out === '' ? result.out : `${result.out}\n`);
  if (result.error) {
    throw new ExternalError(`${opts.component}: \`${line}\` failed (${result.error.message.split('\n')[0]!}).`, {
      ...(opts.hint ? { hint: opts.hint } : {}),
      details: lastLines(result.out, 30),
      cause: result.error,
    });
  }
  return result.out;
}
