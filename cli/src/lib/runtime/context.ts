/**
 * What every component of the local runtime shares: settings, paths, and the memoized
 * answers to "which Java", "where are the artifacts", "which user runs ES and PostgreSQL".
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chown, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type RuntimeArtifacts, ensureArtifacts } from './artifacts.js';
import { type JavaInstall, findJava } from './java.js';
import { type OsBinaries, type OsNeeds, type SystemUser, ensureOsBinaries, ensureSystemUser, isRoot } from './os-packages.js';
import { type LocalEndpoints, type LocalSettings, localEndpoints, runtimeAssetsDir } from './settings.js';

/** Unix socket paths are limited to 107 bytes: past `limit`, a short path under the temp dir. */
function socketPath(preferred: string, stateDir: string, name: string, limit = 100): string {
  if (Buffer.byteLength(preferred) <= limit) return preferred;
  const hash = createHash('sha256').update(stateDir).digest('hex').slice(0, 10);
  return path.join(os.tmpdir(), `oms-${hash}-${name}`);
}

/** A broker's dir under the state dir: `kafka` for broker 1 (as with one broker), `kafka-<node>` for the others. */
function kafkaPaths(stateDir: string, node: number) {
  const dir = path.join(stateDir, node === 1 ? 'kafka' : `kafka-${node}`);
  return {
    dir,
    dataDir: path.join(dir, 'data'),
    config: path.join(dir, 'server.properties'),
    log4j: path.join(dir, 'log4j2.properties'),
    clusterIdFile: path.join(stateDir, 'kafka', 'cluster-id'),
  };
}

/** Paths under the state dir (everything the current user runs). */
export function statePaths(stateDir: string) {
  const run = path.join(stateDir, 'run');
  return {
    stateDir,
    runDir: run,
    logsDir: path.join(stateDir, 'logs'),
    lockFile: path.join(run, 'oms.lock'),
    pidFile: (component: string) => path.join(run, `${component}.pid`),
    logFile: (component: string) => path.join(stateDir, 'logs', `${component}.log`),
    mariadb: {
      dir: path.join(stateDir, 'mariadb'),
      dataDir: path.join(stateDir, 'mariadb', 'data'),
      socket: socketPath(path.join(run, 'mariadb.sock'), stateDir, 'mariadb.sock'),
    },
    redis: {
      dir: path.join(stateDir, 'redis'),
      dataDir: path.join(stateDir, 'redis', 'data'),
    },
    kafka: kafkaPaths(stateDir, 1),
    /** Broker `node`'s files (node 1 is `kafka`); the cluster id is broker 1's, shared by all. */
    kafkaNode: (node: number) => kafkaPaths(stateDir, node),
    connect: {
      dir: path.join(stateDir, 'connect'),
      config: path.join(stateDir, 'connect', 'connect-distributed.properties'),
      log4j: path.join(stateDir, 'connect', 'log4j2.properties'),
    },
  };
}
export type StatePaths = ReturnType<typeof statePaths>;

/** Paths under the sandbox dir (what the system user runs: Elasticsearch, PostgreSQL). */
export function sandboxPaths(sandboxDir: string, stateDir: string) {
  const es = path.join(sandboxDir, 'elasticsearch');
  const pgDir = path.join(sandboxDir, 'postgres');
  const socketDir = path.join(pgDir, 'run');
  return {
    sandboxDir,
    elasticsearch: {
      dir: es,
      configDir: path.join(es, 'config'),
      dataDir: path.join(es, 'data'),
      logsDir: path.join(es, 'logs'),
      /** Copy of the distribution, when the cache is not readable by the system user. */
      homeCopy: path.join(es, 'home'),
    },
    postgres: {
      dir: pgDir,
      dataDir: path.join(pgDir, 'data'),
      // the socket file is `<dir>/.s.PGSQL.<port>`
      socketDir: socketPath(socketDir, stateDir, 'pg', 90),
    },
  };
}
export type SandboxPaths = ReturnType<typeof sandboxPaths>;

/** Where ES/PostgreSQL files live and as whom they run. */
export interface Sandbox {
  /** Set when we are root: the system user they run as. */
  user?: SystemUser;
  paths: SandboxPaths;
  /** mkdir -p, then (when root) hand the dir to the system user. */
  ensureDir(dir: string): Promise<void>;
  /** True when the sandbox user can read `file` (and traverse every dir above it). */
  canRead(file: string): boolean;
}

/** True when `user` can traverse to and read `target` (tested as that user, so parent dirs count). */
export function userCanAccess(user: SystemUser | undefined, target: string, test: '-r' | '-x' = '-r'): boolean {
  if (!user) return true;
  const res = spawnSync('test', [test, target], { uid: user.uid, gid: user.gid });
  return res.status === 0;
}

/**
 * The sandbox dir: the state dir when the system user can reach it; else (a state dir under
 * /root, mode 700, or another private home) /var/lib/oms/<hash of the state dir>, so ES and
 * PostgreSQL never need us to loosen the permissions of a home directory.
 */
export function chooseSandboxDir(stateDir: string, user: SystemUser | undefined): string {
  if (!user || userCanAccess(user, stateDir, '-x')) return stateDir;
  const hash = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
  return path.join('/var/lib', user.name, `local-${hash}`);
}

export interface RuntimeContext {
  settings: LocalSettings;
  endpoints: LocalEndpoints;
  paths: StatePaths;
  /** cli/runtime: pom.xml and config templates. */
  assetsDir: string;
  progress(component: string, message: string): void;
  java(): Promise<JavaInstall>;
  artifacts(): Promise<RuntimeArtifacts & { fetched: boolean }>;
  /** What `needs` names, installed first when missing (see ensureOsBinaries); progress goes to `onProgress` when given. */
  osBinaries(needs: OsNeeds, onProgress?: (message: string) => void): Promise<OsBinaries>;
  sandbox(): Promise<Sandbox>;
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fn().catch((err: unknown) => {
      p = undefined; // a later call may succeed (e.g. after the user fixed the cause)
      throw err;
    });
    return p;
  };
}

export function createContext(settings: LocalSettings, onProgress: (e: { component: string; message: string }) => void): RuntimeContext {
  const paths = statePaths(settings.stateDir);
  const assetsDir = runtimeAssetsDir();
  const progress = (component: string, message: string) => onProgress({ component, message });
  const sandbox = memo(async (): Promise<Sandbox> => {
    await mkdir(settings.stateDir, { recursive: true });
    const user = isRoot() ? await ensureSystemUser(settings.systemUser, (m) => progress('runtime', m)) : undefined;
    const dir = chooseSandboxDir(settings.stateDir, user);
    return {
      ...(user ? { user } : {}),
      paths: sandboxPaths(dir, settings.stateDir),
      async ensureDir(target: string) {
        await mkdir(target, { recursive: true, mode: 0o755 });
        if (user) await chown(target, user.uid, user.gid);
      },
      canRead: (file: string) => userCanAccess(user, file, '-r'),
    };
  });
  const osCache = new Map<string, Promise<OsBinaries>>();
  return {
    settings,
    endpoints: localEndpoints(settings),
    paths,
    assetsDir,
    progress,
    java: memo(() => findJava(settings.javaHome ? { javaHome: settings.javaHome } : {})),
    artifacts: memo(() =>
      ensureArtifacts({ cacheDir: settings.cacheDir, pomFile: path.join(assetsDir, 'pom.xml'), onProgress: (m) => progress('artifacts', m) }),
    ),
    osBinaries(needs: OsNeeds, onProgress?: (message: string) => void) {
      const key = JSON.stringify(needs);
      let p = osCache.get(key);
      if (!p) {
        p = ensureOsBinaries(needs, onProgress ?? ((m) => progress('prerequisites', m)), settings.javaHome ? { javaHome: settings.javaHome } : {});
        p.catch(() => osCache.delete(key));
        osCache.set(key, p);
      }
      return p;
    },
    sandbox,
  };
}
