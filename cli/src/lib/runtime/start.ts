/**
 * Starting one component of the local runtime: idempotent (a running, ready component is
 * left alone), serialised with other oms processes through a lock file, and watched until
 * it is ready, it exits, or its timeout passes. A failure is a CheckFailedError with the
 * tail of its log and, for known signatures, the cause and the fix.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CheckFailedError, PrereqError } from '../../errors.js';
import { type PidRecord, acquireLock, isAlive, markStopping, readPidFile, spawnDetached, stopProcess } from '../process/supervisor.js';
import type { Component, LocalParts } from './component.js';
import { diagnose } from './diagnose.js';
import { fileSize, lastLines, readFrom } from './log-file.js';
import { ourProcessGroups, portConflicts, type UpState } from './prerequisites.js';

const LOG_ROTATE_BYTES = 50 * 1024 * 1024;

interface Exit { code: number | null; signal: string | null }

export function secs(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

/** Throws the failure of `c`: what happened, the diagnosis of its log since `logOffset`, the log tail. */
async function failWith({ ctx }: LocalParts, c: Component, what: string, logOffset: number, exit?: Exit): Promise<never> {
  const logFile = ctx.paths.logFile(c.id);
  const { text } = await readFrom(logFile, logOffset);
  const lines = lastLines(text, 30);
  const diag = diagnose({ component: c.id, lines, exitCode: exit?.code ?? null, signal: exit?.signal ?? null, ports: c.ports, stateDir: ctx.settings.stateDir, cacheDir: ctx.settings.cacheDir });
  throw new CheckFailedError(`${c.title} ${what}${diag ? `: ${diag.cause}` : ''}.`, {
    hint: diag?.hint ?? `See its log: ${logFile}   (oms logs ${c.id})`,
    details: lines.length > 0 ? [`last lines of ${logFile}:`, ...lines] : [`${logFile} is empty`],
  });
}

/**
 * Waits until `c` is ready, running its post-start setup once the bare server answers. This
 * watches a process (its exit ends the wait at once), so it is a loop, not a retry.
 */
export async function waitReady(parts: LocalParts, c: Component, record: PidRecord, logOffset: number, child?: ChildProcess): Promise<void> {
  let exit: Exit | undefined;
  child?.once('exit', (code, signal) => (exit = { code, signal }));
  const started = Date.now();
  let bootstrapped = !c.bootstrapProbe && !c.afterStart;
  let lastReport = started;
  for (;;) {
    if (exit || !isAlive(record)) {
      await sleep(200); // let the last log lines land
      // On a loaded machine the child's exit event can trail the pid's disappearance: wait a
      // little for it, so the failure says the exit code.
      if (!exit && child?.exitCode === null && child.signalCode === null) await Promise.race([once(child, 'exit'), sleep(2000)]);
      exit ??= child && (child.exitCode !== null || child.signalCode !== null) ? { code: child.exitCode, signal: child.signalCode } : undefined;
      const how = exit ? (exit.signal ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`) : 'exited';
      return failWith(parts, c, `${how} while starting`, logOffset, exit);
    }
    const last = await (bootstrapped ? c.probe() : (c.bootstrapProbe ?? c.probe)());
    if (last.ready && !bootstrapped) {
      await c.afterStart?.();
      bootstrapped = true;
      continue;
    }
    if (last.ready) return;
    if (bootstrapped && last.fatal) {
      await stopProcess(record, { ...c.stop, timeoutMs: 15_000 });
      return failWith(parts, c, `started but is unusable (${last.fatal})`, logOffset);
    }
    const now = Date.now();
    if (now > started + c.readyTimeoutMs) {
      await stopProcess(record, { ...c.stop, timeoutMs: 15_000 });
      return failWith(parts, c, `was not ready within ${Math.round(c.readyTimeoutMs / 1000)}s (last check: ${last.detail ?? 'no answer'}); stopped it`, logOffset);
    }
    if (now - lastReport >= 10_000) {
      lastReport = now;
      parts.ctx.progress(c.id, `waiting (${Math.round((now - started) / 1000)}s): ${last.detail ?? 'not answering yet'}`);
    }
    await sleep(c.kind === 'service' ? 250 : 500);
  }
}

/** Prepares and spawns `c` (its ports must be free); returns the process to watch. */
async function launch(parts: LocalParts, c: Component, existing: PidRecord | undefined): Promise<{ child: ChildProcess; record: PidRecord; logOffset: number }> {
  const { ctx } = parts;
  if (existing) await stopProcess(existing, { signal: 'SIGKILL', group: true, timeoutMs: 5000 }); // orphans of a dead leader
  const held = await portConflicts(parts, c, await ourProcessGroups(parts));
  if (held.length > 0) {
    throw new PrereqError(`${c.title} cannot start: ${held.map((h) => `port ${h.port} is in use by ${h.ownedBy ? `oms's ${h.ownedBy}` : h.holder}`).join('; ')}.`, {
      hint: 'Stop that process, or give oms another port in its config.',
    });
  }
  const logFile = ctx.paths.logFile(c.id);
  // one generation of history is plenty for a demo stack
  if ((await fileSize(logFile)) > LOG_ROTATE_BYTES) await rename(logFile, `${logFile}.1`);
  ctx.progress(c.id, 'preparing');
  await c.prepare();
  const spec = await c.launch();
  const sandbox = c.sandboxed ? await ctx.sandbox() : undefined;
  const logOffset = await fileSize(logFile);
  const { child, record } = await spawnDetached(
    {
      ...spec,
      logFile,
      banner: `----- oms: starting ${c.id} at ${new Date().toISOString()}: ${spec.command} ${spec.args.join(' ')}`,
      ...(sandbox?.user ? { uid: sandbox.user.uid, gid: sandbox.user.gid } : {}),
    },
    ctx.paths.pidFile(c.id),
  );
  return { child, record, logOffset };
}

/** What startComponent answers, with `onlyIfRecorded`, when the pid file is gone (a stop on purpose). */
export const STOPPED_ON_PURPOSE = 'stopped on purpose';

export interface StartOptions {
  /**
   * Start only when the pid file is still there and not marked `stopping` (the keeper's
   * restart): `oms down` marks, then removes it under the same lock, so a stop on purpose is
   * never undone.
   */
  onlyIfRecorded?: boolean;
  /** Told the process it spawned (the keeper, as its parent, hears how it ends). */
  onSpawn?: (child: ChildProcess, record: PidRecord) => void;
}

/** Brings `c` up unless it already runs and is ready; resolves to the step's outcome line. */
export async function startComponent(parts: LocalParts, c: Component, state: UpState, opts: StartOptions = {}): Promise<string> {
  const { ctx } = parts;
  const t0 = Date.now();
  let release: (() => Promise<void>) | undefined = await acquireLock(path.join(ctx.paths.runDir, `${c.id}.lock`), {
    timeoutMs: c.readyTimeoutMs + 120_000,
    onWait: (pid) => ctx.progress(c.id, `waiting for another oms (pid ${pid}) starting it`),
  });
  const unlock = async () => {
    const r = release;
    release = undefined;
    await r?.();
  };
  try {
    let existing = await readPidFile(ctx.paths.pidFile(c.id));
    if (opts.onlyIfRecorded && (!existing || existing.stopping)) return STOPPED_ON_PURPOSE;
    const outdated = isAlive(existing) ? await c.outdated?.() : undefined;
    if (outdated) {
      ctx.progress(c.id, `restarting (pid ${existing!.pid}) to apply new settings: ${outdated}`);
      // Marked first, as `oms down` does: the keeper must not count this exit as a crash.
      await markStopping(ctx.paths.pidFile(c.id), existing!);
      await stopProcess(existing, c.stop);
      await rm(ctx.paths.pidFile(c.id), { force: true });
      existing = undefined;
    }
    if (isAlive(existing)) {
      await unlock();
      if ((await c.probe()).ready) return `already running (pid ${existing!.pid})`;
      ctx.progress(c.id, `running (pid ${existing!.pid}) but not ready yet: waiting`);
      await waitReady(parts, c, existing!, await fileSize(ctx.paths.logFile(c.id)));
      return `running (pid ${existing!.pid}), ready after ${secs(t0)}`;
    }
    const adopted = state.adopted.get(c.id);
    if (adopted) return `reusing ${adopted} (not started by oms)`;
    const { child, record, logOffset } = await launch(parts, c, existing);
    opts.onSpawn?.(child, record);
    await unlock();
    ctx.progress(c.id, `started (pid ${record.pid}), waiting until ready`);
    await waitReady(parts, c, record, logOffset, child);
    return outdated ? `restarted (pid ${record.pid}), ready in ${secs(t0)}: ${outdated}` : `started (pid ${record.pid}), ready in ${secs(t0)}`;
  } finally {
    await unlock();
  }
}
