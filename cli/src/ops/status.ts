/** `oms status`'s operation: every component, our connectors and the stream processor's lag, in one report. */
import type { OpsContext } from '../context.js';
import { endpointsFor } from '../lib/endpoints.js';
import { withAdmin } from '../lib/kafka.js';
import { groupLag } from '../lib/lag.js';
import { connectClient, connectorStates, desiredConnectors, type ConnectorState } from './connectors.js';
import { consoleStatus } from './console.js';
import { ORDERS_STREAM_GROUP } from './groups.js';
import { stackFor, type Stack } from './stack.js';

export interface StatusReport {
  runtime: 'local' | 'docker';
  components: Array<{ id: string; kind: string; state: 'ready' | 'running' | 'stopped' | 'external'; pid: number | null; url: string; detail: string | null; startedAt: string | null }>;
  connectors: ConnectorState[] | null;
  lag: { group: string; total: number; partitions: Array<{ topic: string; partition: number; lag: number }> } | null;
  healthy: boolean;
}

type ComponentState = StatusReport['components'][number]['state'];

function stateOf(s: { ready: boolean; running: boolean }): ComponentState {
  if (s.ready) return s.running ? 'ready' : 'external';
  return s.running ? 'running' : 'stopped';
}

/** Every component ready (or served from outside) and every connector healthy; the console does not count (`oms up --no-console` is a healthy stack too). */
export function isHealthy(components: StatusReport['components'], connectors: ConnectorState[] | null): boolean {
  return components.every((c) => c.kind === 'console' || c.state === 'ready' || c.state === 'external') && (connectors?.every((c) => c.healthy) ?? false);
}

export interface CollectOptions {
  /** The stack, when the caller has it already. */
  stack?: Stack;
}

/**
 * Collects the report; a part that cannot be read (Connect or Kafka down) is null, never an
 * error. The console is listed last.
 */
export async function collectStatus(ctx: OpsContext, opts: CollectOptions = {}): Promise<StatusReport> {
  const runtime = opts.stack ?? (await stackFor(ctx));
  const [statuses, consoleRow] = await Promise.all([runtime.status(), consoleStatus(ctx)]);
  const components = [...statuses.map((s) => ({ id: s.id, kind: s.kind, state: stateOf(s), pid: s.pid, url: s.url, detail: s.detail ?? null, startedAt: s.startedAt ?? null })), consoleRow];
  const connectUp = statuses.find((s) => s.id === 'connect')?.ready ?? false;
  const kafkaUp = statuses.find((s) => s.id === 'kafka')?.ready ?? false;
  const [connectors, lag] = await Promise.all([
    connectUp ? connectorStates(connectClient(ctx), desiredConnectors(ctx).map((c) => c.name)).catch(() => null) : null,
    kafkaUp
      ? withAdmin(endpointsFor(ctx.loaded.config).kafkaBrokers, async (admin): Promise<StatusReport['lag']> => {
          const rows = await groupLag(admin, ORDERS_STREAM_GROUP, ['order', 'order_detail']);
          return { group: ORDERS_STREAM_GROUP, total: rows.reduce((n, r) => n + r.lag, 0), partitions: rows.map((r) => ({ topic: r.topic, partition: r.partition, lag: r.lag })) };
        }).catch(() => null)
      : null,
  ]);
  return { runtime: runtime.kind, components, connectors, lag, healthy: isHealthy(components, connectors) };
}
