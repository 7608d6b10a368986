/**
 * The keeper: restarts a component of the local runtime that exits unexpectedly, the way
 * compose's `restart: unless-stopped` does for containers. One keeper per stack (the CLI runs
 * it as a detached process that `oms up` starts and `oms down` stops first); it polls the pid
 * files at a long interval (cheap at idle: a few small file reads every couple of seconds),
 * restarts through the runtime's own start code (startComponent: same lock, same readiness
 * wait), counts restarts, backs off, and gives up on a crash loop with the last exit reason
 * and log lines. Its state is a JSON file under the state dir, which `oms status` reads.
 *
 * What counts as intended: a pid file marked `stopping` or removed (`oms down` marks it before
 * it stops the process and removes it after, under the component's lock; the keeper reads it
 * again once it sees the process dead, and restarts only under that same lock when the pid
 * file is still there unmarked), so `oms down --only x` is never fought either.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type PidRecord, isAlive, readPidFileSync } from '../process/supervisor.js';
import type { Component, LocalParts } from './component.js';
import { lastLines, readFrom } from './log-file.js';
import { STOPPED_ON_PURPOSE, startComponent } from './start.js';

/** How a component of the stack stands with the keeper. */
export const supervisionStateSchema = z.enum(['watching', 'backoff', 'restarting', 'crashloop']);
export type SupervisionState = z.infer<typeof supervisionStateSchema>;

const componentSupervisionSchema = z.object({
  state: supervisionStateSchema,
  /** Restarts the keeper made since it started watching this state dir's stack. */
  restarts: z.number().int().nonnegative(),
  lastExit: z.object({ at: z.string(), reason: z.string(), lines: z.array(z.string()) }).nullable(),
  /** Epoch ms of the exits within the crash-loop window. */
  exits: z.array(z.number()),
  /** Epoch ms of the next restart attempt (state `backoff`). */
  nextAttemptAt: z.number().nullable(),
});
export type ComponentSupervision = z.infer<typeof componentSupervisionSchema>;

/** The keeper's state file (`run/keeper.json`). */
export const keeperStateSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  updatedAt: z.string(),
  components: z.record(z.string(), componentSupervisionSchema),
});
export type KeeperState = z.infer<typeof keeperStateSchema>;

/** Where the keeper keeps its pid, state and log. */
export function keeperPaths(parts: Pick<LocalParts, 'ctx'>) {
  return {
    pidFile: parts.ctx.paths.pidFile('keeper'),
    stateFile: path.join(parts.ctx.paths.runDir, 'keeper.json'),
    logFile: parts.ctx.paths.logFile('keeper'),
  };
}

/** Reads the keeper's state file; undefined when there is none (or it is unreadable). */
export async function readKeeperState(parts: Pick<LocalParts, 'ctx'>): Promise<KeeperState | undefined> {
  try {
    return keeperStateSchema.parse(JSON.parse(await readFile(keeperPaths(parts).stateFile, 'utf8')));
  } catch {
    return undefined;
  }
}

export interface KeepOptions {
  /** Ends the keeper (at the next poll; a restart in flight finishes first). */
  signal: AbortSignal;
  /** Time between two looks at the pid files (default 2 s). */
  intervalMs?: number;
  /** First restart delay; doubles with each exit within the window (default 1 s). */
  minDelayMs?: number;
  /** Longest restart delay (default 30 s). */
  maxDelayMs?: number;
  /** This many exits within `windowMs` is a crash loop: no more restarts (default 5). */
  crashLoopExits?: number;
  /** Default 60 s. */
  windowMs?: number;
  /** Called every `healEveryMs` while Kafka Connect runs: restarts failed connectors and tasks. */
  heal?: () => Promise<string | undefined>;
  healEveryMs?: number;
  /** One line per event (exit seen, restart, crash loop, heal): the keeper's log. */
  log?: (line: string) => void;
  /** Ends the keeper once no component has a pid file (the stack was taken down). Default true. */
  exitWhenEmpty?: boolean;
}

/** The keeper's timing with every default filled in (the docker runtime's keeper uses the same). */
export function keeperLimits(opts: Omit<KeepOptions, 'signal'>) {
  return {
    intervalMs: opts.intervalMs ?? 2000,
    minDelayMs: opts.minDelayMs ?? 1000,
    maxDelayMs: opts.maxDelayMs ?? 30_000,
    crashLoopExits: opts.crashLoopExits ?? 5,
    windowMs: opts.windowMs ?? 60_000,
    healEveryMs: opts.healEveryMs ?? 30_000,
  };
}

/**
 * After an exit at `now`: the exits still within the window (this one included) and what comes
 * next, a restart after a delay that doubles with each of them, or, past the limit, a crash loop.
 */
export function afterExit(exits: readonly number[], now: number, limits: ReturnType<typeof keeperLimits>): { exits: number[]; crashloop: boolean; delayMs: number } {
  const within = [...exits.filter((t) => now - t < limits.windowMs), now];
  return { exits: within, crashloop: within.length >= limits.crashLoopExits, delayMs: Math.min(limits.maxDelayMs, limits.minDelayMs * 2 ** (within.length - 1)) };
}

function fresh(): ComponentSupervision {
  return { state: 'watching', restarts: 0, lastExit: null, exits: [], nextAttemptAt: null };
}

/**
 * Exit reasons of the processes the keeper itself started (it is their parent, so it hears how
 * they ended); `undefined` until a started one has exited.
 */
type ExitReasons = Map<number, string | undefined>;

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
}

/**
 * Runs the keeper over `parts` until `opts.signal` aborts (or, with `exitWhenEmpty`, until
 * nothing is left to watch). Resolves to why it ended.
 */
export async function keep(parts: LocalParts, opts: KeepOptions): Promise<string> {
  const limits = keeperLimits(opts);
  const { intervalMs: interval, windowMs, healEveryMs: healEvery } = limits;
  const log = opts.log ?? (() => undefined);
  const { stateFile } = keeperPaths(parts);
  const state: KeeperState = { pid: process.pid, startedAt: new Date().toISOString(), updatedAt: new Date().toISOString(), components: {} };
  // Counts survive a keeper restart (the state file outlives the process).
  const earlier = await readKeeperState(parts);
  for (const c of parts.components) state.components[c.id] = earlier?.components[c.id] ?? fresh();
  const reasons: ExitReasons = new Map();
  const inFlight = new Map<string, Promise<void>>();
  let dirty = true;
  let lastHeal = Date.now();

  const save = async () => {
    if (!dirty) return;
    dirty = false;
    state.updatedAt = new Date().toISOString();
    await mkdir(path.dirname(stateFile), { recursive: true });
    const tmp = `${stateFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
    await rename(tmp, stateFile);
  };
  const entry = (c: Component) => state.components[c.id]!;
  const set = (c: Component, patch: Partial<ComponentSupervision>) => {
    Object.assign(entry(c), patch);
    dirty = true;
  };

  /** An exit (or a failed restart): counted, then a backoff or, past the limit, a crash loop. */
  const exited = async (c: Component, reason: string) => {
    const now = Date.now();
    const { text } = await readFrom(parts.ctx.paths.logFile(c.id)).catch(() => ({ text: '' }));
    const { exits, crashloop, delayMs: delay } = afterExit(entry(c).exits, now, limits);
    const lastExit = { at: new Date(now).toISOString(), reason, lines: lastLines(text, 20) };
    if (crashloop) {
      set(c, { state: 'crashloop', exits, lastExit, nextAttemptAt: null });
      log(`${c.id}: crash loop (${exits.length} exits within ${windowMs / 1000}s), not restarting it any more; last: ${reason}; \`oms up\` starts it again`);
      return;
    }
    set(c, { state: 'backoff', exits, lastExit, nextAttemptAt: now + delay });
    log(`${c.id}: ${reason}; restarting in ${(delay / 1000).toFixed(1)}s`);
  };

  const restart = async (c: Component) => {
    set(c, { state: 'restarting', nextAttemptAt: null });
    await save();
    const onSpawn = (child: ChildProcess, record: PidRecord) => {
      reasons.set(record.pid, undefined);
      child.once('exit', (code, signal) => reasons.set(record.pid, describeExit(code, signal)));
    };
    try {
      const outcome = await startComponent(parts, c, { adopted: new Map() }, { onlyIfRecorded: true, onSpawn });
      if (outcome === STOPPED_ON_PURPOSE) {
        set(c, { state: 'watching' });
        log(`${c.id}: stopped on purpose meanwhile; not restarting it`);
      } else {
        set(c, { state: 'watching', restarts: entry(c).restarts + 1 });
        log(`${c.id}: restarted: ${outcome} (restart ${entry(c).restarts})`);
      }
    } catch (err) {
      await exited(c, `restart failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  /**
   * How a child of ours ended. /proc can show it gone a turn of the event loop before Node has
   * reaped it and emitted 'exit' (the pid files are read synchronously), so wait for that, briefly.
   */
  const exitReason = async (pid: number): Promise<string | undefined> => {
    for (let i = 0; i < 50 && reasons.has(pid) && reasons.get(pid) === undefined; i++) await sleep(10);
    return reasons.get(pid);
  };

  /** A component whose dependency is down or coming back waits for it (its own start would time out). */
  const waitsForNeeds = async (c: Component): Promise<boolean> => {
    for (const id of c.needs) {
      const need = parts.components.find((x) => x.id === id);
      if (!need) continue;
      if (inFlight.has(id) || entry(need).state === 'backoff' || entry(need).state === 'restarting') return true;
      const rec = readPidFileSync(parts.ctx.paths.pidFile(id));
      if (rec && !isAlive(rec)) return true;
    }
    return false;
  };

  const look = async (c: Component): Promise<boolean> => {
    const record = readPidFileSync(parts.ctx.paths.pidFile(c.id));
    if (!record) {
      // Never started, or stopped on purpose: nothing to keep.
      if (entry(c).state === 'backoff') set(c, { state: 'watching', nextAttemptAt: null });
      return false;
    }
    if (inFlight.has(c.id)) return true;
    const e = entry(c);
    if (isAlive(record)) {
      // Started again by someone else (`oms up` after a crash loop): watch it again.
      if (e.state !== 'watching') set(c, { state: 'watching', nextAttemptAt: null, exits: [] });
      return true;
    }
    if (e.state === 'crashloop') return true;
    // Read again now that it is known dead: `oms down` marks the pid file before it stops the process.
    const now = readPidFileSync(parts.ctx.paths.pidFile(c.id));
    if (!now || now.stopping || now.pid !== record.pid) return now !== undefined;
    if (e.state === 'watching') {
      await exited(c, (await exitReason(record.pid)) ?? `pid ${record.pid} is gone (killed or exited; started ${record.startedAt})`);
      reasons.delete(record.pid);
    }
    if (entry(c).state === 'backoff' && Date.now() >= (entry(c).nextAttemptAt ?? 0) && !(await waitsForNeeds(c))) {
      const p = restart(c).finally(() => inFlight.delete(c.id));
      inFlight.set(c.id, p);
    }
    return true;
  };

  log(`keeper (pid ${process.pid}) watching ${parts.components.map((c) => c.id).join(', ')} every ${interval / 1000}s`);
  let why = 'stopped';
  while (!opts.signal.aborted) {
    let watched = 0;
    for (const c of parts.components) if (await look(c)) watched++;
    if (watched === 0 && inFlight.size === 0 && opts.exitWhenEmpty !== false) {
      why = 'nothing left to watch (no component has a pid file)';
      break;
    }
    const connect = parts.components.find((c) => c.id === 'connect');
    if (opts.heal && connect && Date.now() - lastHeal >= healEvery && entry(connect).state === 'watching' && !inFlight.has('connect')) {
      lastHeal = Date.now();
      const rec = readPidFileSync(parts.ctx.paths.pidFile('connect'));
      if (isAlive(rec)) {
        const healed = await opts.heal().catch((err: unknown) => `connector check failed: ${err instanceof Error ? err.message : String(err)}`);
        if (healed) log(`connectors: ${healed}`);
      }
    }
    await save();
    await sleep(interval, undefined, { signal: opts.signal }).catch(() => undefined);
  }
  await Promise.all(inFlight.values());
  await save();
  log(`keeper ending: ${why}`);
  return why;
}
