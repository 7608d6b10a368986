/**
 * Which runtime `auto` means on this machine, and whether the docker runtime uses the public
 * or the offline images. The decisions are pure functions over lazily gathered facts, so the
 * common case (no Docker socket: CI, tests) costs one stat and never contacts anything.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { httpClient } from '../http.js';
import { isAlive, readPidFile } from '../process/supervisor.js';
import { statePaths } from '../runtime/context.js';
import type { RememberedRuntime } from '../stack/runtime-memory.js';

export interface RuntimeFacts {
  /** The runtime this state dir's stack was last brought up with (`runtime.json`), if recorded. */
  remembered(): Promise<RememberedRuntime | undefined>;
  /** A process of the local runtime is alive (pid files under the state dir). */
  localStackAlive(): Promise<boolean>;
  /** The state dir holds a local stack's data (a stack from before the runtime was remembered). */
  localDataExists(): Promise<boolean>;
  /** A socket or DOCKER_HOST exists (no contact). */
  dockerConfigured(): boolean;
  /** The daemon answered. */
  daemonAnswers(): Promise<boolean>;
  composeFound(): Promise<boolean>;
  /** The compose project has containers (running or not). */
  projectExists(): Promise<boolean>;
  /** `oms build --offline` ran here (the offline base image exists). */
  offlineImagesBuilt(): Promise<boolean>;
  /** A registry (or a configured mirror) answers, so public images can be pulled. */
  registryReachable(): Promise<boolean>;
}

export interface RuntimeChoice {
  kind: 'local' | 'docker';
  /** Why, for `--debug` and `oms status`. */
  reason: string;
}

/**
 * An explicit choice (`askedBy` says where it came from) is kept as is. `auto` is the runtime
 * the state dir remembers; without one, a running local stack or a local stack's data keeps
 * the local runtime, so `oms status`/`down`/`up` act on the stack that is there. Only for a
 * state dir with no stack is it detected: docker when a daemon answers, compose works and
 * there is something it can run (an existing project, offline images, or a registry).
 */
export async function chooseRuntime(wanted: 'auto' | 'local' | 'docker', facts: RuntimeFacts, askedBy = `--runtime ${wanted}`): Promise<RuntimeChoice> {
  if (wanted !== 'auto') return { kind: wanted, reason: askedBy };
  const remembered = await facts.remembered();
  if (remembered) return { kind: remembered.runtime, reason: `last brought up with ${remembered.runtime} at ${remembered.at}` };
  if (await facts.localStackAlive()) return { kind: 'local', reason: 'a local-runtime stack is running' };
  if (await facts.localDataExists()) return { kind: 'local', reason: "the state dir holds a local-runtime stack's data" };
  if (!facts.dockerConfigured()) return { kind: 'local', reason: 'no Docker daemon socket' };
  if (!(await facts.daemonAnswers())) return { kind: 'local', reason: 'the Docker daemon does not answer' };
  if (!(await facts.composeFound())) return { kind: 'local', reason: 'Docker answers but compose is missing' };
  if (await facts.projectExists()) return { kind: 'docker', reason: 'the docker stack exists' };
  if (await facts.offlineImagesBuilt()) return { kind: 'docker', reason: 'Docker answers and offline images are built' };
  if (await facts.registryReachable()) return { kind: 'docker', reason: 'Docker answers and a registry is reachable' };
  return { kind: 'local', reason: 'Docker answers but no registry is reachable and no offline images are built (`oms build --offline`)' };
}

export interface OfflineFacts {
  /** Whether the project's running Kafka container uses an offline-built image (undefined: no container). */
  projectUsesOfflineImages(): Promise<boolean | undefined>;
  registryReachable(): Promise<boolean>;
  offlineImagesBuilt(): Promise<boolean>;
}

/**
 * Offline images when asked (`--offline`, OMS_DOCKER_OFFLINE), when the existing stack runs
 * them (a plain `oms up` must not swap images under it), or when no registry answers but
 * the offline images are built.
 */
export async function chooseOffline(asked: boolean, facts: OfflineFacts): Promise<{ offline: boolean; reason: string }> {
  if (asked) return { offline: true, reason: 'asked for (--offline / OMS_DOCKER_OFFLINE)' };
  const existing = await facts.projectUsesOfflineImages();
  if (existing !== undefined) return { offline: existing, reason: existing ? 'the running stack uses the offline images' : 'the running stack uses the public images' };
  if (await facts.registryReachable()) return { offline: false, reason: 'a registry is reachable' };
  if (await facts.offlineImagesBuilt()) return { offline: true, reason: 'no registry is reachable; the offline images are built' };
  return { offline: false, reason: 'no registry is reachable and no offline images are built' };
}

/** Any live process recorded under the local runtime's run dir. */
export async function localStackAlive(stateDir: string): Promise<boolean> {
  const runDir = path.join(stateDir, 'run');
  let files: string[];
  try {
    files = (await readdir(runDir)).filter((f) => f.endsWith('.pid'));
  } catch {
    return false;
  }
  for (const f of files) if (isAlive(await readPidFile(path.join(runDir, f)))) return true;
  return false;
}

/** Data dirs the local runtime made under the state dir (MariaDB's, Kafka's): a stack is there even when stopped. */
export function localDataExists(stateDir: string): Promise<boolean> {
  const paths = statePaths(stateDir);
  return Promise.resolve([paths.mariadb.dataDir, paths.kafka.dataDir].some((dir) => existsSync(dir)));
}

/**
 * Whether Docker Hub's registry API answers within `timeoutMs` (a registry says 401 with a
 * Docker-Distribution-Api-Version header; a proxy refusing the host does not count).
 */
export async function dockerHubReachable(timeoutMs = 2500): Promise<boolean> {
  try {
    const res = await httpClient({ service: 'Docker Hub', baseUrl: 'https://registry-1.docker.io', timeoutMs }).send('GET', '/v2/');
    return 'docker-distribution-api-version' in res.headers || res.status === 401 || res.status === 200;
  } catch {
    return false;
  }
}

/** Memoizes an async fact so each is gathered at most once per invocation. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
