/**
 * CPU time of the local runtime's components, read from /proc: every component runs as its own
 * process group (see supervisor.ts), so a component's CPU is the sum of utime + stime over the
 * processes of its group and of their descendants in groups of their own — a JVM's threads,
 * PostgreSQL's backends (each calls setsid), a wrapper's children.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readPidFile } from './supervisor.js';

/** Clock ticks per second of /proc/<pid>/stat's times: 100 on every Linux we run on (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far, by component id. */
export type CpuTotals = Map<string, number>;

/** Component id → process group id, from the pid files under `<stateDir>/run` (a component's leader heads its group). */
export async function componentGroups(stateDir: string): Promise<Map<string, number>> {
  const run = path.join(stateDir, 'run');
  let files: string[];
  try {
    files = readdirSync(run).filter((f) => f.endsWith('.pid'));
  } catch {
    return new Map();
  }
  const groups = new Map<string, number>();
  for (const f of files) {
    const rec = await readPidFile(path.join(run, f));
    if (rec) groups.set(f.slice(0, -'.pid'.length), rec.pid);
  }
  return groups;
}

/**
 * Of one /proc/<pid>/stat: its parent (field 4), process group (field 5) and the CPU ticks of
 * the process and of its children that ended and were waited for (utime, stime, cutime, cstime:
 * fields 14–17). Counting the reaped children keeps a component's total rising when a worker
 * process of it ends: its time moves into the parent's.
 */
function readStat(pid: string): { ppid: number; pgid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 of proc(5).
    return { ppid: Number(fields[1]), pgid: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined; // the process ended between the listing and the read
  }
}

/**
 * CPU seconds each component has used so far: the processes of its group and their descendants
 * that left it (PostgreSQL's backends each start a session of their own). Processes that ended
 * count once their parent has waited for them.
 */
export function sampleCpu(groups: ReadonlyMap<string, number>): CpuTotals {
  const byGroup = new Map<number, string>([...groups].map(([id, pgid]) => [pgid, id]));
  const totals: CpuTotals = new Map([...groups.keys()].map((id) => [id, 0]));
  const stats = new Map<number, { ppid: number; pgid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat) stats.set(Number(entry), stat);
  }
  const owner = new Map<number, string | undefined>();
  const ownerOf = (pid: number): string | undefined => {
    if (owner.has(pid)) return owner.get(pid);
    const stat = stats.get(pid);
    owner.set(pid, undefined); // a cycle cannot happen in /proc, but a pid reused mid-listing could fake one
    const id = stat && (byGroup.get(stat.pgid) ?? (stat.ppid > 1 ? ownerOf(stat.ppid) : undefined));
    owner.set(pid, id);
    return id;
  };
  for (const [pid, stat] of stats) {
    const id = ownerOf(pid);
    if (id !== undefined) totals.set(id, (totals.get(id) ?? 0) + stat.ticks / TICKS_PER_SECOND);
  }
  return totals;
}

/** CPU seconds used between two samples, by component (never negative: a restarted component counts from zero). */
export function cpuDelta(before: CpuTotals, after: CpuTotals): CpuTotals {
  return new Map([...after].map(([id, s]) => [id, Math.max(0, s - (before.get(id) ?? 0))]));
}

/**
 * Seconds since the youngest of `groups`' leaders started (field 22 of /proc/<pid>/stat against
 * /proc/uptime); undefined when none is running. A JVM or node process burns CPU for minutes after
 * it starts (compilation, class loading, groups settling), so idle is measured after that.
 */
export function youngestAgeSeconds(groups: ReadonlyMap<string, number>): number | undefined {
  let uptime: number;
  try {
    uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
  let youngest: number | undefined;
  for (const pid of groups.values()) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // fields[0] is field 3 of proc(5): starttime is field 22.
      const started = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]) / TICKS_PER_SECOND;
      const age = uptime - started;
      if (Number.isFinite(age)) youngest = Math.min(youngest ?? age, age);
    } catch {
      // not running: it has no age
    }
  }
  return youngest;
}

/** Samples the node process itself (the load generator) the same way, in CPU seconds. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
