/**
 * MariaDB, PostgreSQL and Redis come from the OS packages. When a binary is missing and we are root
 * on Debian, the packages are installed with a temporary policy-rc.d that forbids starting
 * the distro's own servers (we run our own instances, on our own ports and data dirs).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ExternalError, PrereqError } from '../../errors.js';

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

function canAptInstall(): boolean {
  return isRoot() && existsSync('/etc/debian_version') && findBinary(['apt-get']) !== undefined;
}

/** The exact command a user should run to get `packages`. */
export function aptCommand(packages: string[]): string {
  const sudo = isRoot() ? '' : 'sudo ';
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

/** `apt-get update` and `apt-get install -y packages`, the packages' own services kept stopped. */
export async function aptInstall(packages: string[], onProgress: (message: string) => void): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await withServiceStartsDisabled(async () => {
    try {
      onProgress('apt-get update');
      await run('apt-get', ['update'], { env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
      onProgress(`apt-get install -y ${packages.join(' ')}`);
      await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, timeout: 1_200_000, maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new ExternalError(`Installing ${packages.join(', ')} with apt-get failed.`, {
        hint: `Run it by hand to see why: ${aptCommand(packages)}`,
        details: `${e.stdout ?? ''}\n${e.stderr ?? e.message}`.trim().split('\n').slice(-30),
        cause: err,
      });
    }
  });
}

export interface OsNeeds {
  mariadb?: boolean;
  postgres?: boolean;
  redis?: boolean;
  unzip?: boolean;
}

export interface OsBinaries {
  mariadb?: MariaDbBinaries;
  postgres?: PostgresBinaries;
  redis?: RedisBinaries;
}

/**
 * The OS binaries the selected components need; installs the missing packages when root on
 * Debian, else a PrereqError with the apt command.
 */
export async function ensureOsBinaries(needs: OsNeeds, onProgress: (message: string) => void): Promise<OsBinaries> {
  const missing: string[] = [];
  if (needs.mariadb && !findMariaDb()) missing.push('mariadb-server');
  if (needs.postgres && !findPostgres()) missing.push('postgresql');
  if (needs.redis && !findRedis()) missing.push('redis-server');
  if (needs.unzip && !findBinary(['unzip'])) missing.push('unzip');
  if (missing.length > 0) {
    if (!canAptInstall()) {
      throw new PrereqError(`Missing OS packages for the local runtime: ${missing.join(', ')}.`, { hint: aptCommand(missing) });
    }
    onProgress(`installing ${missing.join(', ')} from the OS packages (their own services stay stopped)`);
    await aptInstall(missing, onProgress);
  }
  const result: OsBinaries = {};
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
