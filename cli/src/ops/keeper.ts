/**
 * The keeper as a process of the stack, on either runtime: `oms up` starts it detached once the
 * stack is up (idempotent: one keeper per state dir), `oms down` stops it before anything
 * else, and `oms keeper` is the process itself. What it does is lib/runtime/keeper.ts (local:
 * pid files) or lib/docker/keeper.ts (docker: the project's containers, which Docker leaves
 * down after a `docker kill`); here it also heals failed connectors (Connect's own restart
 * API, through healConnectors).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsContext } from '../context.js';
import { acquireLock, isAlive, readPidFile, spawnDetached, stopProcess } from '../lib/process/supervisor.js';
import { connectClient, connectorStates, describeRestart, desiredConnectors, healConnectors, isFailed } from './connectors.js';
import { consoleEnv } from './console.js';
import type { Step } from '../lib/steps.js';
import { localRuntimeFor, stackFor, type RuntimeKind } from './stack.js';

/** The keeper's id in steps, pid and log file names. */
export const KEEPER_ID = 'keeper';

/** The built CLI, relative to the repository root: the keeper runs as `oms keeper`. */
const CLI_ENTRY = join('cli', 'dist', 'index.js');

/** SIGINT is the CLI's "finish cleanly" (index.ts): the keeper ends at its next poll, after a restart in flight. */
const KEEPER_STOP = { signal: 'SIGINT' as const, group: false, timeoutMs: 15_000 };

/** Whether this state dir's keeper runs, and its pid. */
export async function keeperStatus(ctx: OpsContext): Promise<{ running: boolean; pid: number | null; logFile: string }> {
  const files = localRuntimeFor(ctx).keeperFiles();
  const record = await readPidFile(files.pidFile);
  const running = isAlive(record);
  return { running, pid: running ? record!.pid : null, logFile: files.logFile };
}

/** Starts the keeper unless one runs for this state dir; resolves to the step outcome. */
export async function ensureKeeper(ctx: OpsContext, kind: RuntimeKind): Promise<string> {
  const runtime = localRuntimeFor(ctx);
  const files = runtime.keeperFiles();
  const release = await acquireLock(`${files.pidFile}.lock`, { timeoutMs: 30_000 });
  try {
    const existing = await readPidFile(files.pidFile);
    if (isAlive(existing)) return `already running (pid ${existing!.pid})`;
    const { record } = await spawnDetached(
      {
        command: process.execPath,
        args: [join(ctx.repoRoot, CLI_ENTRY), 'keeper'],
        // Every setting of this invocation as its OMS_* variable (the runtime too), like the console: the keeper watches the same stack.
        env: { ...process.env, ...consoleEnv(ctx, kind), CI: '1', NO_COLOR: '1' },
        cwd: ctx.repoRoot,
        logFile: files.logFile,
        banner: `----- oms: starting the keeper at ${new Date().toISOString()}`,
      },
      files.pidFile,
    );
    return `started (pid ${record.pid}); log ${files.logFile}`;
  } finally {
    await release();
  }
}

/** Stops this state dir's keeper (first thing `oms down` does, so it never fights the stop). */
export async function stopKeeper(ctx: OpsContext): Promise<string> {
  const files = localRuntimeFor(ctx).keeperFiles();
  const record = await readPidFile(files.pidFile);
  const outcome = await stopProcess(record, KEEPER_STOP);
  await rm(files.pidFile, { force: true });
  // Counts are of one `up`…`down` span (as compose's restart count is of one container); the log keeps the history.
  await rm(files.stateFile, { force: true });
  if (outcome === 'not-running') return 'not running';
  return outcome === 'killed' ? `did not end within ${KEEPER_STOP.timeoutMs / 1000}s: killed` : `stopped (pid ${record!.pid})`;
}

/** Restarts failed connectors and tasks; a line when it did something, else undefined. */
async function healFailedConnectors(ctx: OpsContext): Promise<string | undefined> {
  const names = desiredConnectors(ctx).map((c) => c.name);
  const states = await connectorStates(connectClient(ctx), names);
  if (!states.some(isFailed)) return undefined;
  const restarted = await healConnectors(ctx, names, { timeoutMs: 120_000 });
  return restarted.length > 0 ? restarted.map(describeRestart).join('; ') : 'healthy again';
}

/** The keeper process: watches this state dir's stack, on its runtime, until interrupted (or until nothing is left to watch). */
export async function runKeeper(ctx: OpsContext, log: (line: string) => void): Promise<string> {
  const stack = await stackFor(ctx);
  return stack.keep({
    signal: ctx.signal,
    heal: () => healFailedConnectors(ctx),
    log: (line) => log(`${new Date().toISOString()} ${line}`),
  });
}

/** `up`'s last step: the keeper, once everything else of the plan is up. */
export function keeperStartStep(ctx: OpsContext, kind: RuntimeKind, after: readonly Step[]): Step {
  return { id: KEEPER_ID, title: 'Keeper (restarts what exits unexpectedly)', needs: after.map((s) => s.id), run: () => ensureKeeper(ctx, kind) };
}

/** Stop steps (or the docker runtime's up steps) with the keeper stopped first, so it restarts nothing while they run. */
export function withKeeperStopped(ctx: OpsContext, steps: Step[]): Step[] {
  const stop: Step = { id: `stop:${KEEPER_ID}`, title: 'Stop the keeper', run: () => stopKeeper(ctx) };
  return [stop, ...steps.map((s) => ({ ...s, needs: [...(s.needs ?? []), stop.id] }))];
}
