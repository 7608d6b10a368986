/** Stopping components of the local runtime, checking their ports are free, wiping their data. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CheckFailedError } from '../../errors.js';
import { type StopOutcome, acquireLock, markStopping, readPidFile, stopProcess } from '../process/supervisor.js';
import type { Component, LocalParts } from './component.js';
import { ourProcessGroups, portConflicts } from './prerequisites.js';
import { secs } from './start.js';

/** Stops `c` (signal, grace time, then SIGKILL to its group); resolves to the step's outcome line. */
export async function stopComponent({ ctx }: LocalParts, c: Component): Promise<string> {
  const t0 = Date.now();
  const pidFile = ctx.paths.pidFile(c.id);
  const release = await acquireLock(path.join(ctx.paths.runDir, `${c.id}.lock`), {
    timeoutMs: c.readyTimeoutMs + 120_000,
    onWait: (pid) => ctx.progress(c.id, `waiting for another oms (pid ${pid}) using it`),
  });
  try {
    const record = await readPidFile(pidFile);
    if (record) await markStopping(pidFile, record);
    const outcome: StopOutcome = await stopProcess(record, c.stop);
    await rm(pidFile, { force: true });
    if (outcome === 'not-running') return 'not running';
    return outcome === 'killed' ? `did not stop within ${c.stop.timeoutMs / 1000}s: killed` : `stopped (pid ${record!.pid}) in ${secs(t0)}`;
  } finally {
    await release();
  }
}

/**
 * After stopping: a port still held by a process of ours is a failure (with its pid); one
 * held by a process oms did not start is left alone, named in the outcome and in `foreign`.
 */
export async function verifyPortsFree(parts: LocalParts, selected: readonly Component[], foreign: Array<{ port: number; holder: string }>): Promise<string> {
  const ours = await ourProcessGroups(parts);
  const leftovers: string[] = [];
  const others: string[] = [];
  for (const c of selected) {
    for (const h of await portConflicts(parts, c, ours)) {
      (h.ownedBy ? leftovers : others).push(`port ${h.port} (${c.title}): ${h.holder}`);
      if (!h.ownedBy) foreign.push({ port: h.port, holder: h.holder });
    }
  }
  if (leftovers.length > 0) {
    throw new CheckFailedError('Processes started by oms still hold ports after stopping.', {
      hint: 'Kill them by pid (see below), then run `oms down` again.',
      details: leftovers,
    });
  }
  return others.length > 0 ? `ports still held by processes oms did not start: ${others.join('; ')}` : 'all ports free';
}

/** Deletes the data dirs and logs of `selected` (never the artifact cache). */
export async function wipeData({ ctx }: LocalParts, selected: readonly Component[]): Promise<string> {
  const dirs: string[] = [];
  for (const c of selected) dirs.push(...(await c.dataDirs()), ctx.paths.logFile(c.id));
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  return `deleted ${dirs.length} paths under ${ctx.settings.stateDir}`;
}
