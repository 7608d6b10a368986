/**
 * The local runtime: MariaDB, PostgreSQL, Elasticsearch, Kafka, Kafka Connect and the Node
 * services as detached processes the CLI supervises through pid files under the state dir.
 * Every operation is idempotent; nothing here prints or exits: progress goes to `onProgress`,
 * failures are OmsErrors. The pieces: the catalogue and dependency plan (lib/stack), one
 * module per component (components/), and prerequisites.ts, start.ts, stop.ts, plan.ts.
 */
import { readPidFile, isAlive } from '../process/supervisor.js';
import { CATALOGUE } from '../stack/catalogue.js';
import { probeKafka } from '../stack/probes.js';
import { brokerId, brokerIds, brokerPorts } from '../stack/topology.js';
import { assertKnown } from '../stack/graph.js';
import type { ComponentStatus, LogsOptions, Stack } from '../stack/types.js';
import { type RunStepsOptions, runSteps, type Step, StepFailure, type StepResult } from '../steps.js';
import type { Component, LocalParts } from './component.js';
import { kafkaProcess } from './components/kafka.js';
import { serviceComponent } from './components/service.js';
import { type RuntimeContext, createContext } from './context.js';
import { type KeepOptions, type KeeperState, keep, keeperPaths, readKeeperState } from './keeper.js';
import { tailFile } from './log-file.js';
import { type DownOptions, downSteps, type UpOptions, upSteps } from './plan.js';
import type { LocalEndpoints, LocalSettings } from './settings.js';

export type { DownOptions, UpOptions };

/** A progress line: which component, what is happening. */
export interface ProgressEvent {
  component: string;
  message: string;
}

export interface RuntimeDeps {
  onProgress?: (event: ProgressEvent) => void;
}

export interface DownResult {
  steps: StepResult[];
  /** Ports of the runtime still held by processes oms did not start (left alone). */
  foreignListeners: Array<{ port: number; holder: string }>;
}

/** The local runtime, as the CLI and the test setup drive it. */
export interface LocalRuntime extends Stack {
  readonly kind: 'local';
  readonly settings: LocalSettings;
  /** The steps of `up`, topologically ordered; each resolves to a one-line outcome (`already running (pid 123)`). */
  steps(opts?: UpOptions): Step[];
  /** Runs `steps(opts)` with the one step runner; a failure throws the failed step's own error (a PrereqError, a CheckFailedError). */
  up(opts?: UpOptions, run?: Omit<RunStepsOptions, 'concurrency'>): Promise<StepResult[]>;
  downSteps(opts?: DownOptions): Step[];
  /** Runs `downSteps(opts)` like {@link up}. */
  down(opts?: DownOptions, run?: Omit<RunStepsOptions, 'concurrency'>): Promise<DownResult>;
  endpoints(): LocalEndpoints;
  /** Runs the keeper in this process until `opts.signal` aborts (see keeper.ts); resolves to why it ended. */
  keep(opts: KeepOptions): Promise<string>;
  /** Where the keeper keeps its pid file, state and log. */
  keeperFiles(): ReturnType<typeof keeperPaths>;
  /** The keeper's last saved state, if one ever ran for this state dir. */
  keeperState(): Promise<KeeperState | undefined>;
}

/** The catalogue's infra components (their local process joined in), then the services of `settings`. */
export function buildComponents(ctx: RuntimeContext): Component[] {
  const { settings } = ctx;
  const infra = CATALOGUE.filter((e) => e.kind === 'infra').map((e): Component => {
    if (!e.local) throw new Error(`infra component ${e.id} has no local process`);
    const process = e.local(ctx);
    return {
      ...process,
      id: e.id,
      title: e.title,
      kind: e.kind,
      needs: e.needs,
      stopTier: e.stopTier,
      usesArtifacts: e.usesArtifacts,
      url: e.url({ host: settings.host, port: process.ports[0]! }),
      readyTimeoutMs: settings.readyTimeoutMs[e.id] ?? settings.readyTimeoutMs.service,
      probe: () => e.probe({ host: settings.host, port: process.ports[0]! }),
    };
  });
  const brokers = extraBrokers(ctx, infra.find((c) => c.id === 'kafka'));
  // What needs Kafka needs every broker: with 3, topics (RF 3) and Connect's internal topics
  // cannot be created before all three have registered.
  const allBrokers = brokerIds(settings);
  const withBrokers = (c: Component): Component => (brokers.length > 0 && c.needs.includes('kafka') ? { ...c, needs: [...c.needs, ...allBrokers.slice(1)] } : c);
  const kafkaAt = infra.findIndex((c) => c.id === 'kafka');
  return [...infra.slice(0, kafkaAt + 1), ...brokers, ...infra.slice(kafkaAt + 1), ...settings.services.map((s) => serviceComponent(ctx, s))].map(withBrokers);
}

/** Brokers 2 and 3 of a three-broker stack: the `kafka` component again, each with its own node id, ports and data. */
function extraBrokers(ctx: RuntimeContext, kafka: Component | undefined): Component[] {
  if (!kafka) return [];
  const { settings } = ctx;
  return brokerIds(settings).slice(1).map((id, i): Component => {
    const node = i + 2;
    const process = kafkaProcess(ctx, node);
    const at = { host: settings.host, port: brokerPorts(settings.ports, node).client };
    return {
      ...kafka,
      ...process,
      id: brokerId(node),
      title: `Kafka broker ${node}`,
      url: `${at.host}:${at.port}`,
      probe: () => probeKafka([`${at.host}:${at.port}`]),
    };
  });
}

async function componentStatus({ ctx }: LocalParts, c: Component, keeper: KeeperState | undefined): Promise<ComponentStatus> {
  const record = await readPidFile(ctx.paths.pidFile(c.id));
  const running = isAlive(record);
  const probe = await c.probe();
  const kept = keeper?.components[c.id];
  return {
    id: c.id,
    title: c.title,
    kind: c.kind,
    pid: record && running ? record.pid : null,
    running,
    ready: probe.ready,
    ports: c.ports,
    url: c.url,
    ...(probe.detail ? { detail: probe.detail } : {}),
    ...(record && running ? { startedAt: record.startedAt } : {}),
    logFile: ctx.paths.logFile(c.id),
    ...(kept ? { restarts: kept.restarts, lastExit: kept.lastExit ? `${kept.lastExit.at}: ${kept.lastExit.reason}` : null, supervision: kept.state } : {}),
  };
}

/** Runs steps with the one runner, throwing the failed step's own error rather than the StepFailure around it. */
async function run(steps: Step[], opts: RunStepsOptions = {}): Promise<StepResult[]> {
  try {
    return await runSteps(steps, opts);
  } catch (err) {
    throw err instanceof StepFailure ? err.cause : err;
  }
}

/** Creates the runtime for `settings` (cheap: nothing is touched until a method runs). */
export function createLocalRuntime(settings: LocalSettings, deps: RuntimeDeps = {}): LocalRuntime {
  const ctx = createContext(settings, deps.onProgress ?? (() => undefined));
  const parts: LocalParts = { ctx, components: buildComponents(ctx) };
  return {
    kind: 'local',
    settings,
    componentIds: () => parts.components.map((c) => c.id),
    steps: (opts) => upSteps(parts, opts),
    up: (opts, events) => run(upSteps(parts, opts), events),
    downSteps: (opts) => downSteps(parts, opts),
    async down(opts, events) {
      const foreignListeners: Array<{ port: number; holder: string }> = [];
      const steps = await run(downSteps(parts, opts, foreignListeners), events);
      return { steps, foreignListeners };
    },
    async status() {
      const keeper = await readKeeperState(parts);
      return Promise.all(parts.components.map((c) => componentStatus(parts, c, keeper)));
    },
    logs(component: string, opts: LogsOptions = {}) {
      assertKnown(parts.components, [component]);
      return tailFile(ctx.paths.logFile(component), opts);
    },
    logFile: (component) => ctx.paths.logFile(component),
    endpoints: () => ctx.endpoints,
    keep: (opts) => keep(parts, opts),
    keeperFiles: () => keeperPaths(parts),
    keeperState: () => readKeeperState(parts),
  };
}
