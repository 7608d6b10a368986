/**
 * Detached, pid-file-tracked processes that outlive the CLI. Each is started in its own
 * session (`detached`), so its pid is also its process group id: stopping signals the whole
 * group (Elasticsearch's launcher and server JVM, postgres and its backends) and nothing else.
 * Linux-only where it reads /proc (start times tell a live process from a reused pid).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a pid file holds. */
export interface PidRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells our process from a later one that got the same pid. */
  startTime: string | null;
  command: string;
  startedAt: string;
  /** Set just before a stop on purpose (`oms down`): the keeper must not take its exit for a crash. */
  stopping?: boolean;
}

export interface ProcStat {
  state: string;
  ppid: number;
  pgid: number;
  startTime: string;
}

/** Parses /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state) of proc(5)
  if (fields.length < 20) return undefined;
  return { state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: fields[19]! };
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function signalExists(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the recorded process still runs (not a zombie, not a reused pid). */
export function isAlive(record: PidRecord | undefined): boolean {
  if (!record) return false;
  const stat = procStat(record.pid);
  if (stat) return stat.state !== 'Z' && (record.startTime === null || stat.startTime === record.startTime);
  return signalExists(record.pid) && !existsProc();
}

function existsProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the process group `pgid` still has members. Linux never hands out a pid that is in
 * use as a group id, so a group named after our dead leader can only hold our own orphans.
 */
export function groupAlive(pgid: number): boolean {
  return signalExists(-pgid);
}

export async function readPidFile(file: string): Promise<PidRecord | undefined> {
  try {
    return pidRecord(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * {@link readPidFile} without the thread pool: for a loop that reads every pid file every few
 * seconds (the keeper), where an async read's open, stat, read and close hops cost more than the
 * read (the keeper used 0.2% of a core idle doing only this).
 */
export function readPidFileSync(file: string): PidRecord | undefined {
  try {
    return pidRecord(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function pidRecord(text: string): PidRecord | undefined {
  const rec = JSON.parse(text) as PidRecord;
  return Number.isInteger(rec.pid) && rec.pid > 1 ? rec : undefined;
}

/** Marks the recorded process as being stopped on purpose (before the stop, so no watcher sees it die unmarked). */
export async function markStopping(file: string, record: PidRecord): Promise<void> {
  await writeFile(file, `${JSON.stringify({ ...record, stopping: true })}\n`);
}

export interface SpawnSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** A header line written to the log before the process starts. */
  banner?: string;
  uid?: number;
  gid?: number;
}

/** Starts `spec` detached (own session, stdio to the log file) and writes its pid file. */
export async function spawnDetached(spec: SpawnSpec, pidFile: string): Promise<{ child: ChildProcess; record: PidRecord }> {
  await mkdir(path.dirname(spec.logFile), { recursive: true });
  await mkdir(path.dirname(pidFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    if (spec.banner) writeSync(fd, `${spec.banner}\n`);
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    });
  } finally {
    closeSync(fd);
  }
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolve(child.pid!));
  });
  child.unref();
  const record: PidRecord = {
    pid,
    startTime: procStat(pid)?.startTime ?? null,
    command: [spec.command, ...spec.args].join(' '),
    startedAt: new Date().toISOString(),
  };
  await writeFile(pidFile, `${JSON.stringify(record)}\n`);
  return { child, record };
}

export interface StopOptions {
  /** Default SIGTERM. */
  signal?: NodeJS.Signals;
  /** Signal the whole group (default) or only the leader (postgres: SIGINT to the postmaster). */
  group?: boolean;
  /** Then SIGKILL the group. */
  timeoutMs: number;
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/**
 * Stops a recorded process: the signal, a wait, then SIGKILL to its group. Also reaps
 * leftovers of a dead leader (orphans still in its group).
 */
export async function stopProcess(record: PidRecord | undefined, opts: StopOptions): Promise<StopOutcome> {
  if (!record) return 'not-running';
  const leaderAlive = isAlive(record);
  const pgid = record.pid;
  // A live process with this pid but another start time is not ours: leave it alone.
  if (!leaderAlive && procStat(record.pid) && !(procStat(record.pid)?.state === 'Z')) return 'not-running';
  if (!leaderAlive && !groupAlive(pgid)) return 'not-running';
  const signal = opts.signal ?? 'SIGTERM';
  try {
    if (leaderAlive) process.kill(opts.group === false ? record.pid : -pgid, signal);
    else process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(record) && !groupAlive(pgid)) return 'stopped';
    await sleep(200);
  }
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
  for (let i = 0; i < 50 && (isAlive(record) || groupAlive(pgid)); i++) await sleep(100);
  return 'killed';
}

/**
 * A cross-process lock file holding the owner's pid: reentrant for the same process, taken
 * over when the owner is dead. Returns a release function.
 */
export async function acquireLock(
  file: string,
  opts: { timeoutMs: number; onWait?: (ownerPid: number) => void },
): Promise<() => Promise<void>> {
  await mkdir(path.dirname(file), { recursive: true });
  const deadline = Date.now() + opts.timeoutMs;
  let told = false;
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(await readFile(file, 'utf8').catch(() => ''));
    if (owner === process.pid) return async () => {};
    if (!Number.isInteger(owner) || owner <= 0 || !signalExists(owner)) {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`lock ${file} is held by pid ${owner}`);
    if (!told) opts.onWait?.(owner);
    told = true;
    await sleep(500);
  }
}
