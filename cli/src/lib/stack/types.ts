import type { Step } from '../steps.js';

export type RuntimeKind = 'local' | 'docker';

/** One component as `oms status` reports it, from either runtime. */
export interface ComponentStatus {
  id: string;
  title: string;
  kind: 'infra' | 'service';
  /** pid oms recorded (null when never started, the pid file is gone, or a container). */
  pid: number | null;
  /** The recorded process (or the container) is alive. */
  running: boolean;
  /** The readiness check passes (may be true for a server oms did not start). */
  ready: boolean;
  ports: number[];
  url: string;
  detail?: string;
  /** ISO time the recorded process started (local runtime; unknown for containers). */
  startedAt?: string;
  logFile: string;
  /** Restarts by the keeper (local runtime) or by docker (the container's restart count); absent when unknown. */
  restarts?: number;
  /** When and why it last exited unexpectedly (null: not since the keeper/container started). */
  lastExit?: string | null;
  /** The keeper's view (local runtime): `crashloop` when it gave up restarting. */
  supervision?: 'watching' | 'backoff' | 'restarting' | 'crashloop';
}

export interface LogsOptions {
  /** Last N lines (default 100). */
  lines?: number;
  follow?: boolean;
  /** Ends a `follow`. */
  signal?: AbortSignal;
}

/** What up/down/status/logs drive: the local runtime or the docker runtime, same shape. */
export interface Stack {
  readonly kind: RuntimeKind;
  /** Ids of every component, in start order. */
  componentIds(): string[];
  /** The steps that bring up `only` (default all) and what they need. */
  steps(opts?: { only?: string[] }): Step[];
  /** The steps that stop `only` (default all) and what needs them; `volumes` also wipes their data. */
  downSteps(opts?: { volumes?: boolean; only?: string[] }): Step[];
  status(): Promise<ComponentStatus[]>;
  logs(component: string, opts?: LogsOptions): AsyncIterable<string>;
  /** Where a component's log is (a file, or the `docker logs` command). */
  logFile(component: string): string;
}
