import type { SpawnSpec } from '../process/supervisor.js';
import type { Probe } from './probes.js';

/** The process to start for a component (the supervisor adds log file, banner and user). */
export type LaunchSpec = Pick<SpawnSpec, 'command' | 'args' | 'env' | 'cwd'>;

/** One supervised process of the local runtime (an infra server or a Node service). */
export interface Component {
  /** `mariadb`, `kafka`, …, or a service name. */
  id: string;
  title: string;
  kind: 'infra' | 'service';
  /** Every port it listens on (all must be free before it starts). */
  ports: number[];
  /** What clients use: `mysql://…`, `http://…`, `127.0.0.1:9092`. */
  url: string;
  /** Components that must be ready before this one starts. */
  needs: string[];
  readyTimeoutMs: number;
  /** How to stop it: the signal, to the process group or only the leader, and the grace time. */
  stop: { signal: NodeJS.Signals; group: boolean; timeoutMs: number };
  /** Runs as the system user when we are root (Elasticsearch, PostgreSQL). */
  sandboxed: boolean;
  /** Checks that fail fast (missing build output, missing binaries); no side effects beyond installs. */
  check?(): Promise<void>;
  /** Idempotent: binaries, artifacts, data dir init, config files. */
  prepare(): Promise<void>;
  launch(): Promise<LaunchSpec>;
  /** Full readiness as clients see it. */
  probe(): Promise<Probe>;
  /** Readiness of the bare server before `afterStart` (defaults to `probe`). */
  bootstrapProbe?(): Promise<Probe>;
  /** Idempotent post-start setup (users, databases); runs after `bootstrapProbe` passes. */
  afterStart?(): Promise<void>;
  /** Dirs `down --volumes` deletes. */
  dataDirs(): Promise<string[]>;
}
