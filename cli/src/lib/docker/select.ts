/**
 * Which runtime `auto` means on this machine, and whether the docker runtime uses the public
 * or the offline images. The decisions are pure functions over lazily gathered facts, so the
 * common case (no Docker socket: CI, tests) costs one stat and never contacts anything.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { httpClient } from '../http.js';
import { isAlive, readPidFile } from '../process/supervisor.js';

export interface RuntimeFacts {
  /** A process of the local runtime is alive (pid files under the state dir). */
  localStackAlive(): Promise<boolean>;
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
 * `auto`: docker when a daemon answers, compose works and there is something it can run
 * (an existing project, offline images, or a registry); but a running local stack keeps the
 * local runtime, so `oms status`/`down` act on what runs. An explicit choice is kept as is.
 */
export async function chooseRuntime(wanted: 'auto' | 'local' | 'docker', facts: RuntimeFacts): Promise<RuntimeChoice> {
  if (wanted !== 'auto') return { kind: wanted, reason: `--runtime ${wanted}` };
  if (await facts.localStackAlive()) return { kind: 'local', reason: 'a local-runtime stack is running' };
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
