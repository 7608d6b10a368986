/**
 * What `oms doctor` looks at, gathered from the machine: every function here only reads
 * (runs `docker version`, reads /proc, probes ports with a bind) and never fails: a fact it
 * cannot learn becomes null with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { OmsConfig } from '../../config.js';
import { SETTINGS } from '../../config.js';
import { OmsError } from '../../errors.js';
import { groupAlive, isAlive, procStat, readPidFile } from '../process/supervisor.js';
import { cachedArtifacts, artifactsDir } from '../runtime/artifacts.js';
import { statePaths } from '../runtime/context.js';
import { findJava } from '../runtime/java.js';
import { canAptInstall, findBinary, findMariaDb, findPostgres, findRedis, isRoot } from '../runtime/os-packages.js';
import { describeHolder, takenPorts } from '../runtime/ports.js';
import { runtimeAssetsDir } from '../runtime/settings.js';
import { CATALOGUE } from '../stack/catalogue.js';
import type { DiskFacts, DockerFacts, InstallFacts, JavaFacts, MavenFacts, MemoryFacts, OsPackageFacts, PortFact } from './checks.js';

const HOST = '127.0.0.1';

/** Which oms component listens on each `ports.*` setting (from the catalogue). */
export const PORT_COMPONENTS = Object.fromEntries(CATALOGUE.flatMap((c) => c.ports.map((k) => [k, c.id]))) as Record<keyof OmsConfig['ports'], string>;

function firstLine(text: string | undefined): string | null {
  const line = (text ?? '').split('\n').map((l) => l.trim()).find(Boolean);
  return line ?? null;
}

/** `docker version` and compose, each bounded to a few seconds (a hung daemon must not hang doctor). */
export async function dockerFacts(): Promise<DockerFacts> {
  const version = await execa('docker', ['version', '--format', '{{json .}}'], { reject: false, timeout: 8000 });
  if ((version as { code?: string }).code === 'ENOENT' || (version.failed && !version.stdout && /ENOENT|not found/i.test(String(version.message)))) {
    return { client: null, server: null, error: null, compose: null };
  }
  let client: string | null = null;
  let server: string | null = null;
  try {
    const doc = JSON.parse(version.stdout) as { Client?: { Version?: string }; Server?: { Version?: string } | null };
    client = doc.Client?.Version ?? null;
    server = doc.Server?.Version ?? null;
  } catch {
    // an old CLI without --format json support, or nothing on stdout
  }
  if (!client && version.failed && !version.stdout) return { client: null, server: null, error: null, compose: null };
  const error = server ? null : (version.timedOut ? 'no answer within 8 s' : firstLine(version.stderr));
  let compose: string | null = null;
  const v2 = await execa('docker', ['compose', 'version', '--short'], { reject: false, timeout: 8000 });
  if (!v2.failed) compose = firstLine(v2.stdout);
  else {
    const v1 = await execa('docker-compose', ['version', '--short'], { reject: false, timeout: 8000 });
    if (!v1.failed) compose = firstLine(v1.stdout);
  }
  return { client: client ?? 'unknown version', server, error, compose };
}

export async function javaFacts(javaHome?: string): Promise<JavaFacts> {
  try {
    const java = await findJava(javaHome ? { javaHome } : {});
    return { found: { major: java.major, home: java.home } };
  } catch (err) {
    return { found: null, error: err instanceof Error ? err.message : String(err), hint: err instanceof OmsError ? (err.hint ?? null) : null };
  }
}

export function mavenFacts(cacheDir: string): MavenFacts {
  const pom = path.join(runtimeAssetsDir(), 'pom.xml');
  let cached = false;
  let dir = cacheDir;
  try {
    dir = artifactsDir(cacheDir, readFileSync(pom, 'utf8'));
    cached = cachedArtifacts(cacheDir, pom) !== undefined;
  } catch {
    // no pom: an incomplete checkout; the check reports the cache as missing
  }
  return { mvn: findBinary(['mvn']) ?? null, tar: findBinary(['tar']) !== undefined, unzip: findBinary(['unzip']) !== undefined, artifactsCached: cached, artifactsDir: dir, root: isRoot(), autoInstall: canAptInstall() };
}

export async function osPackageFacts(): Promise<OsPackageFacts> {
  const maria = findMariaDb();
  const pg = findPostgres();
  let postgres: OsPackageFacts['postgres'] = null;
  if (pg) {
    const fromPath = /postgresql\/(\d+)\/bin/.exec(pg.postgres);
    let version = fromPath ? Number(fromPath[1]) : null;
    if (version === null) {
      const res = await execa(pg.postgres, ['--version'], { reject: false, timeout: 5000 });
      const m = /\(PostgreSQL\)\s+(\d+)/.exec(res.stdout);
      version = m ? Number(m[1]) : null;
    }
    postgres = { bin: path.dirname(pg.postgres), version };
  }
  const redis = findRedis();
  return { mariadb: maria ? { mariadbd: maria.mariadbd } : null, postgres, redis: redis ? { server: redis.server } : null, autoInstall: canAptInstall(), root: isRoot() };
}

export function installFacts(): InstallFacts {
  return { autoInstall: canAptInstall(), root: isRoot() };
}

/** Live process groups of the stack in `stateDir`, by leader pid → component id. */
export async function stackProcessGroups(stateDir: string, componentIds: string[]): Promise<Map<number, string>> {
  const paths = statePaths(stateDir);
  const groups = new Map<number, string>();
  for (const id of componentIds) {
    const rec = await readPidFile(paths.pidFile(id));
    if (rec && (isAlive(rec) || groupAlive(rec.pid))) groups.set(rec.pid, id);
  }
  return groups;
}

/**
 * Each configured port (optionally only those of `components`): free, held by this stack
 * (a process of its state dir; under the docker runtime, docker-proxy), or taken.
 */
export async function portFacts(config: OmsConfig, components?: Set<string>, runtime: 'local' | 'docker' = 'local'): Promise<PortFact[]> {
  const docs = new Map(SETTINGS.map((s) => [s.key, s]));
  const keys = (Object.keys(PORT_COMPONENTS) as Array<keyof OmsConfig['ports']>).filter((k) => !components || components.has(PORT_COMPONENTS[k]));
  const ours = await stackProcessGroups(config.stateDir, [...new Set(Object.values(PORT_COMPONENTS))]);
  const running = new Set(ours.values());
  const taken = new Map((await takenPorts(keys.map((k) => config.ports[k]), HOST)).map((t) => [t.port, t]));
  return keys.map((key): PortFact => {
    const port = config.ports[key];
    const component = PORT_COMPONENTS[key];
    const setting = docs.get(`ports.${key}`);
    const base = { key, env: setting?.env ?? `OMS_PORT_${key.toUpperCase()}`, doc: setting?.doc ?? key, port, component };
    const held = taken.get(port);
    if (!held) return { ...base, state: 'free', holder: null, owner: null };
    const procs = held.listener?.processes ?? [];
    const holder = procs.length > 0 ? describeHolder(held.listener) : null;
    let owner = procs.map((p) => ours.get(procStat(p.pid)?.pgid ?? -1)).find((o): o is string => Boolean(o)) ?? null;
    // Without process names (ss not allowed to show them), a running component of ours is the best guess.
    if (procs.length === 0 && running.has(component)) owner = component;
    if (runtime === 'docker') {
      // The docker runtime publishes its ports through docker-proxy: most likely this stack's containers.
      if (procs.length > 0 && procs.every((p) => p.name === 'docker-proxy')) return { ...base, state: 'ours', holder, owner: 'containers' };
      // A local-runtime stack holding the port is in the docker stack's way.
      const who = `${holder ?? 'a process'}${owner ? `, the local runtime's ${owner} (\`oms down --runtime local\` stops it)` : ''}`;
      return { ...base, state: 'taken', holder: who, owner: null };
    }
    return { ...base, state: owner === component ? 'ours' : 'taken', holder: holder ?? (owner ? null : describeHolder(undefined)), owner };
  });
}

export async function memoryFacts(stackRunning: boolean): Promise<MemoryFacts> {
  try {
    const meminfo = await readFile('/proc/meminfo', 'utf8');
    const m = /^MemAvailable:\s+(\d+)\s+kB/m.exec(meminfo);
    if (m) return { availableBytes: Number(m[1]) * 1024, stackRunning };
  } catch {
    // not Linux
  }
  return { availableBytes: os.freemem(), stackRunning };
}

/** The nearest existing ancestor of `p` (the state dir may not exist before the first `oms up`). */
function existingAncestor(p: string): string {
  let dir = path.resolve(p);
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export async function diskFacts(id: string, label: string, dir: string, env: string): Promise<DiskFacts> {
  try {
    const s = await statfs(existingAncestor(dir));
    return { id, label, path: dir, availableBytes: s.bavail * s.bsize, error: null, env };
  } catch (err) {
    return { id, label, path: dir, availableBytes: null, error: (err as Error).message, env };
  }
}

export async function maxMapCount(): Promise<number | null> {
  try {
    const n = Number((await readFile('/proc/sys/vm/max_map_count', 'utf8')).trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}
