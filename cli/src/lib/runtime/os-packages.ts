/**
 * Java 17, Maven (and unzip) for the first fetch of the artifacts, MariaDB, PostgreSQL and
 * Redis come from the OS packages. What is missing is planned into one package list; as root
 * on Debian it is installed in one apt run (progress reported) with a temporary policy-rc.d
 * that forbids starting the distro's own servers (we run our own instances, on our own
 * ports and data dirs); otherwise the error carries the exact command.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { execa } from 'execa';
import { ExternalError, PrereqError } from '../../errors.js';
import { findJava } from './java.js';

const run = promisify(execFile);

export interface MariaDbBinaries {
  mariadbd: string;
  installDb: string;
  client: string;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

export interface RedisBinaries {
  server: string;
}

const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin'];

/** First existing `names[i]` in PATH and the usual system dirs. */
export function findBinary(names: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

export function findMariaDb(env?: NodeJS.ProcessEnv): MariaDbBinaries | undefined {
  const mariadbd = findBinary(['mariadbd', 'mysqld'], env);
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db'], env);
  const client = findBinary(['mariadb', 'mysql'], env);
  return mariadbd && installDb && client ? { mariadbd, installDb, client } : undefined;
}

/** PostgreSQL's server binaries: Debian keeps them in /usr/lib/postgresql/<major>/bin (15 preferred). */
export function findPostgres(env?: NodeJS.ProcessEnv, libDir = '/usr/lib/postgresql'): PostgresBinaries | undefined {
  let versions: string[] = [];
  try {
    versions = readdirSync(libDir).sort((a, b) => (a === '15' ? -1 : b === '15' ? 1 : Number(b) - Number(a)));
  } catch {
    // not Debian's layout
  }
  for (const v of versions) {
    const bin = path.join(libDir, v, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'postgres'))) {
      return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
    }
  }
  const initdb = findBinary(['initdb'], env);
  const postgres = findBinary(['postgres'], env);
  return initdb && postgres ? { initdb, postgres } : undefined;
}

/** Debian's redis-server package puts the server in /usr/bin. */
export function findRedis(env?: NodeJS.ProcessEnv): RedisBinaries | undefined {
  const server = findBinary(['redis-server'], env);
  return server ? { server } : undefined;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Root on Debian with apt-get: the local runtime installs missing OS packages itself. */
export function canAptInstall(): boolean {
  return isRoot() && existsSync('/etc/debian_version') && findBinary(['apt-get']) !== undefined;
}

/** The exact command a user should run to get `packages` (no sudo when already root). */
export function aptCommand(packages: string[], root: boolean = isRoot()): string {
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * Runs `fn` with a policy-rc.d that answers 101 ("do not start services"), then puts back
 * whatever was there before (content and mode), or removes it.
 */
export async function withServiceStartsDisabled<T>(fn: () => Promise<T>, policyFile = POLICY_RC_D): Promise<T> {
  const previous = existsSync(policyFile) ? { content: await readFile(policyFile), mode: (await stat(policyFile)).mode & 0o7777 } : undefined;
  await writeFile(policyFile, '#!/bin/sh\n# Temporary, written by oms while installing packages: do not start services.\nexit 101\n');
  await chmod(policyFile, 0o755);
  try {
    return await fn();
  } finally {
    if (previous) {
      await writeFile(policyFile, previous.content);
      await chmod(policyFile, previous.mode);
    } else {
      await rm(policyFile, { force: true });
    }
  }
}

/** One line of apt's machine-readable progress (`-o APT::Status-Fd=1`): `dlstatus:3:42.5:Retrieving file 3 of 9`, `pmstatus:maven:80:Installing maven`. */
export interface AptStatus {
  phase: 'download' | 'install';
  percent: number;
  message: string;
}

export function parseAptStatus(line: string): AptStatus | undefined {
  const m = /^(dlstatus|pmstatus):[^:]*:([\d.]+):(.*)$/.exec(line);
  if (!m) return undefined;
  const percent = Number(m[2]);
  if (!Number.isFinite(percent)) return undefined;
  return { phase: m[1] === 'dlstatus' ? 'download' : 'install', percent, message: m[3]!.trim() };
}

/** Turns apt's status lines into a progress line every 10 %, per phase (a line per package would bury the step). */
function aptProgress(onProgress: (message: string) => void): (line: string) => void {
  const shown = new Map<string, number>();
  return (line) => {
    const status = parseAptStatus(line);
    if (!status) return;
    const tenth = Math.floor(status.percent / 10);
    if ((shown.get(status.phase) ?? -1) >= tenth) return;
    shown.set(status.phase, tenth);
    onProgress(`${status.phase === 'download' ? 'downloading' : 'installing'} ${Math.round(status.percent)}%: ${status.message}`);
  };
}

/** `apt-get update` and one `apt-get install -y packages`, with progress; the packages' own services kept stopped. */
export async function aptInstall(packages: string[], onProgress: (message: string) => void): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = async (verb: 'update' | 'install', args: string[], timeout: number) => {
    const child = execa('apt-get', [verb, ...args], { env, timeout, reject: false, all: true, stdin: 'ignore', maxBuffer: 64 * 1024 * 1024 });
    const report = aptProgress(onProgress);
    for await (const line of child.iterable({ from: 'stdout' })) report(line);
    const res = await child;
    if (res.exitCode !== 0) {
      throw new ExternalError(`Installing ${packages.join(', ')} with apt-get failed (apt-get ${verb} exited ${res.exitCode ?? res.signal ?? 'abnormally'}).`, {
        hint: `Run it by hand to see why: ${aptCommand(packages)}`,
        // apt's own last lines; execa's reason when apt-get printed nothing (it could not start).
        details: ((res.all || res.message) ?? '').trim().split('\n').slice(-30),
      });
    }
  };
  await withServiceStartsDisabled(async () => {
    onProgress('apt-get update');
    await apt('update', [], 600_000);
    onProgress(`apt-get install -y ${packages.join(' ')}`);
    await apt('install', ['-y', '--no-install-recommends', '-o', 'APT::Status-Fd=1', ...packages], 1_200_000);
  });
}

/** What the components being started need from the OS packages. */
export interface OsNeeds {
  mariadb?: boolean;
  postgres?: boolean;
  redis?: boolean;
  /** A Java 17-23 (Kafka, Connect, Elasticsearch). */
  java?: boolean;
  /** mvn: the first fetch of Kafka, Debezium and Elasticsearch (not needed once they are cached). */
  maven?: boolean;
  unzip?: boolean;
}

export type OsNeed = keyof OsNeeds;

/** The package that brings each need, in the order they are listed in an install. */
export const OS_PACKAGES: Readonly<Record<OsNeed, { pkg: string; what: string }>> = {
  java: { pkg: 'openjdk-17-jre-headless', what: 'Java 17' },
  maven: { pkg: 'maven', what: 'Maven (mvn)' },
  unzip: { pkg: 'unzip', what: 'unzip' },
  mariadb: { pkg: 'mariadb-server', what: 'MariaDB (mariadbd, mariadb-install-db)' },
  postgres: { pkg: 'postgresql', what: 'PostgreSQL (initdb, postgres)' },
  redis: { pkg: 'redis-server', what: 'Redis (redis-server)' },
};

export interface PlannedPackage {
  need: OsNeed;
  pkg: string;
  what: string;
}

/** Which packages to install: one per need that is needed and not present on the machine. Pure. */
export function planOsPackages(needs: OsNeeds, present: Partial<Record<OsNeed, boolean>>): PlannedPackage[] {
  return (Object.keys(OS_PACKAGES) as OsNeed[]).filter((n) => needs[n] && !present[n]).map((need) => ({ need, ...OS_PACKAGES[need] }));
}

/** Which of the needed binaries this machine has (only the needed ones are looked for). */
export async function presentOnMachine(needs: OsNeeds, javaHome?: string): Promise<Partial<Record<OsNeed, boolean>>> {
  const present: Partial<Record<OsNeed, boolean>> = {};
  if (needs.mariadb) present.mariadb = findMariaDb() !== undefined;
  if (needs.postgres) present.postgres = findPostgres() !== undefined;
  if (needs.redis) present.redis = findRedis() !== undefined;
  if (needs.maven) present.maven = findBinary(['mvn']) !== undefined;
  if (needs.unzip) present.unzip = findBinary(['unzip']) !== undefined;
  if (needs.java) present.java = await findJava(javaHome ? { javaHome } : {}).then(() => true, () => false);
  return present;
}

/** One sentence naming what is missing and the package that brings it. */
export function describePlan(plan: PlannedPackage[]): string {
  return plan.map((p) => `${p.what} (${p.pkg})`).join(', ');
}

export interface OsBinaries {
  mariadb?: MariaDbBinaries;
  postgres?: PostgresBinaries;
  redis?: RedisBinaries;
  /** Packages this call installed (empty when everything was there). */
  installed: string[];
}

/**
 * The OS binaries the selected components need. Whatever is missing is installed in one apt
 * run when root on Debian (progress through `onProgress`), else a PrereqError whose hint is
 * the exact command for all of it.
 */
export async function ensureOsBinaries(needs: OsNeeds, onProgress: (message: string) => void, opts: { javaHome?: string } = {}): Promise<OsBinaries> {
  const plan = planOsPackages(needs, await presentOnMachine(needs, opts.javaHome));
  const packages = plan.map((p) => p.pkg);
  if (plan.length > 0) {
    if (!canAptInstall()) {
      throw new PrereqError(`Missing for the local runtime: ${describePlan(plan)}.`, { hint: `${aptCommand(packages)}   (as root on Debian, \`oms up\` runs this itself)` });
    }
    onProgress(`installing ${packages.join(', ')} from the OS packages in one apt run (their own services stay stopped)`);
    await aptInstall(packages, onProgress);
    const still = planOsPackages(needs, await presentOnMachine(needs, opts.javaHome));
    if (still.length > 0) throw new PrereqError(`Still missing after apt-get installed ${packages.join(', ')}: ${describePlan(still)}.`, { hint: aptCommand(still.map((p) => p.pkg)) });
  }
  const result: OsBinaries = { installed: packages };
  if (needs.mariadb) {
    const found = findMariaDb();
    if (!found) throw new PrereqError('MariaDB binaries (mariadbd, mariadb-install-db, mariadb) not found.', { hint: aptCommand(['mariadb-server']) });
    result.mariadb = found;
  }
  if (needs.postgres) {
    const found = findPostgres();
    if (!found) throw new PrereqError('PostgreSQL binaries (initdb, postgres) not found.', { hint: aptCommand(['postgresql']) });
    result.postgres = found;
  }
  if (needs.redis) {
    const found = findRedis();
    if (!found) throw new PrereqError('The Redis server binary (redis-server) was not found.', { hint: aptCommand(['redis-server']) });
    result.redis = found;
  }
  return result;
}

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

async function lookupUser(name: string): Promise<SystemUser | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', name]);
    const [, , uid, gid] = stdout.trim().split(':');
    return { name, uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/** The system user Elasticsearch and PostgreSQL run as when we are root (both refuse root). */
export async function ensureSystemUser(name: string, onProgress: (message: string) => void): Promise<SystemUser> {
  const existing = await lookupUser(name);
  if (existing) return existing;
  onProgress(`creating system user ${name}`);
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', `/var/lib/${name}`, '--shell', '/usr/sbin/nologin', name]);
  } catch (err) {
    // a concurrent `oms up` may have just created it
    const raced = await lookupUser(name);
    if (raced) return raced;
    throw new PrereqError(`Could not create the system user ${name} (Elasticsearch and PostgreSQL refuse to run as root).`, {
      hint: `useradd --system --user-group --shell /usr/sbin/nologin ${name}`,
      cause: err,
    });
  }
  const created = await lookupUser(name);
  if (!created) throw new PrereqError(`System user ${name} not found after useradd.`, { hint: `useradd --system ${name}` });
  return created;
}
