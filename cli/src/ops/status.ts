/** `oms status`'s operation: which runtime and why, every component, our connectors and the stream processor's progress, in one report. */
import type { OpsContext } from '../context.js';
import { endpointsFor } from '../lib/endpoints.js';
import { withAdmin } from '../lib/kafka.js';
import { groupProgress } from '../lib/lag.js';
import { catalogueIdOf } from '../lib/stack/topology.js';
import { connectClient, connectorStates, desiredConnectors, type ConnectorState } from './connectors.js';
import { consoleStatus } from './console.js';
import { keeperStatus } from './keeper.js';
import { chooseStack, type ChosenStack } from './stack.js';

/** The group and topics whose progress `status` reports: the stream processor's input. */
export const PROCESSOR_GROUP = { group: 'orders-stream', topics: ['order', 'order_detail'] } as const;

export interface StatusReport {
  runtime: 'local' | 'docker';
  /** Why this runtime: asked for, remembered by the state dir (and since when), or detected. */
  runtimeReason: string;
  components: Array<{
    id: string;
    kind: string;
    /** `crashloop`: it kept exiting and the keeper gave up restarting it (`oms up` starts it again). */
    state: 'ready' | 'running' | 'stopped' | 'external' | 'crashloop';
    pid: number | null;
    url: string;
    detail: string | null;
    startedAt: string | null;
    /** Restarts by the keeper (local) or docker (container restart count); null when unknown (no keeper ever ran). */
    restarts?: number | null;
    /** When and why it last exited unexpectedly; null when it has not (or nobody knows). */
    lastExit?: string | null;
  }>;
  /** The stack's keeper (either runtime; null only from callers that do not look). */
  keeper?: { running: boolean; pid: number | null; logFile: string } | null;
  connectors: ConnectorState[] | null;
  /**
   * The processor's consumer group: `total` is null (unknown) when the group has no member,
   * or when this stack's orders-stream is not running, since nothing reads then; the committed
   * offsets show where it stopped.
   */
  lag: {
    group: string;
    members: number;
    state: string;
    /** Whether this stack's orders-stream is up; a killed one stays a member until its session times out. */
    processorRunning: boolean;
    total: number | null;
    partitions: Array<{ topic: string; partition: number; committed: string | null; end: string; lag: number }>;
  } | null;
  healthy: boolean;
}

type ComponentState = StatusReport['components'][number]['state'];

function stateOf(s: { ready: boolean; running: boolean; supervision?: string }): ComponentState {
  if (s.ready) return s.running ? 'ready' : 'external';
  if (!s.running && s.supervision === 'crashloop') return 'crashloop';
  return s.running ? 'running' : 'stopped';
}

/** Every component ready (or served from outside) and every connector healthy; the console does not count (`oms up --no-console` is a healthy stack too). */
export function isHealthy(components: StatusReport['components'], connectors: ConnectorState[] | null): boolean {
  return components.every((c) => c.kind === 'console' || c.state === 'ready' || c.state === 'external') && (connectors?.every((c) => c.healthy) ?? false);
}

export interface CollectOptions {
  /** The stack and why its runtime, when the caller has them already (the console resolves them once). */
  chosen?: ChosenStack;
}

/**
 * Collects the report; a part that cannot be read (Connect or Kafka down) is null, never an
 * error. The console is listed last.
 */
export async function collectStatus(ctx: OpsContext, opts: CollectOptions = {}): Promise<StatusReport> {
  const { stack, choice } = opts.chosen ?? (await chooseStack(ctx));
  const [statuses, consoleRow, keeper] = await Promise.all([stack.status(), consoleStatus(ctx), keeperStatus(ctx)]);
  const components = [
    ...statuses.map((s) => ({
      id: s.id,
      kind: s.kind,
      state: stateOf(s),
      pid: s.pid,
      url: s.url,
      detail: s.detail ?? null,
      startedAt: s.startedAt ?? null,
      restarts: s.restarts ?? null,
      lastExit: s.lastExit ?? null,
    })),
    consoleRow,
  ];
  const connectUp = statuses.find((s) => s.id === 'connect')?.ready ?? false;
  // Any broker of three answers for the cluster; any orders-stream instance reads for the group.
  const kafkaUp = statuses.some((s) => catalogueIdOf(s.id) === 'kafka' && s.ready);
  const processorRunning = components.some((c) => catalogueIdOf(c.id) === PROCESSOR_GROUP.group && c.state !== 'stopped');
  const [connectors, lag] = await Promise.all([
    connectUp ? connectorStates(connectClient(ctx), desiredConnectors(ctx).map((c) => c.name)).catch(() => null) : null,
    kafkaUp
      ? withAdmin(endpointsFor(ctx.loaded.config).kafkaBrokers, async (admin): Promise<StatusReport['lag']> => {
          const p = await groupProgress(admin, PROCESSOR_GROUP.group, [...PROCESSOR_GROUP.topics]);
          const partitions = p.partitions.map((r) => ({ topic: r.topic, partition: r.partition, committed: r.committed, end: r.end, lag: r.lag }));
          return { group: p.group, members: p.members, state: p.state, processorRunning, total: processorRunning ? p.total : null, partitions };
        }).catch(() => null)
      : null,
  ]);
  return { runtime: stack.kind, runtimeReason: choice.reason, components, keeper, connectors, lag, healthy: isHealthy(components, connectors) };
}
