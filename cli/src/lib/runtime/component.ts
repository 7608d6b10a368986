import type { SpawnSpec } from '../process/supervisor.js';
import type { GraphNode } from '../stack/graph.js';
import type { Probe } from '../stack/probes.js';
import type { RuntimeContext } from './context.js';

/** The process to start for a component (the supervisor adds log file, banner and user). */
export type LaunchSpec = Pick<SpawnSpec, 'command' | 'args' | 'env' | 'cwd'>;

/** How the local runtime runs one component as a process: what its module provides. */
export interface LocalProcess {
  /** Every port it listens on (all must be free before it starts). */
  ports: number[];
  /** How to stop it: the signal, to the process group or only the leader, and the grace time. */
  stop: { signal: NodeJS.Signals; group: boolean; timeoutMs: number };
  /** Runs as the system user when we are root (Elasticsearch, PostgreSQL). */
  sandboxed: boolean;
  /** Checks that fail fast (missing build output, missing binaries); no side effects beyond installs. */
  check?(): Promise<unknown>;
  /** Idempotent: binaries, artifacts, data dir init, config files. */
  prepare(): Promise<void>;
  launch(): Promise<LaunchSpec>;
  /** Readiness of the bare server before `afterStart` (defaults to the full probe). */
  bootstrapProbe?(): Promise<Probe>;
  /** Idempotent post-start setup (users, databases); runs after `bootstrapProbe` passes. */
  afterStart?(): Promise<void>;
  /**
   * Why a running, ready process must be restarted to take this oms's settings (a setting that
   * only applies at start, such as PostgreSQL's `wal_level`), or undefined when it is current.
   * `up` stops and starts it again; its data is kept.
   */
  outdated?(): Promise<string | undefined>;
  /** Dirs `down --volumes` deletes. */
  dataDirs(): Promise<string[]>;
}

/** How most servers stop: SIGTERM to the whole process group, a minute's grace (JVMs flush on the way out). */
export const STOP_GROUP: LocalProcess['stop'] = { signal: 'SIGTERM', group: true, timeoutMs: 60_000 };

/** An infra component's module: its local process, built from the runtime's context. */
export type LocalProcessFactory = (ctx: RuntimeContext) => LocalProcess;

/** One supervised process of the local runtime: its catalogue facts joined with its process. */
export interface Component extends LocalProcess, GraphNode {
  /** `mariadb`, `kafka`, …, or a service name. */
  id: string;
  title: string;
  kind: 'infra' | 'service';
  usesArtifacts: boolean;
  /** What clients use: `mysql://…`, `http://…`, `127.0.0.1:9092`. */
  url: string;
  readyTimeoutMs: number;
  /** Full readiness as clients see it. */
  probe(): Promise<Probe>;
}

/** The parts every function of the local runtime works on. */
export interface LocalParts {
  ctx: RuntimeContext;
  /** Infra first, in start order. */
  components: readonly Component[];
}
