import { z } from 'zod';
import { defineCommand } from '../command.js';
import type { Context } from '../context.js';
import { endpointsFor } from '../lib/endpoints.js';
import { withAdmin } from '../lib/kafka.js';
import { groupLag } from '../lib/lag.js';
import { stackFor } from '../lib/stack.js';
import { connectClient, desiredConnectors } from './connectors/shared.js';
import { connectorStates, type ConnectorState } from './connectors/status.js';

export interface StatusReport {
  runtime: 'local' | 'docker';
  components: Array<{ id: string; kind: string; state: 'ready' | 'running' | 'stopped' | 'external'; pid: number | null; url: string; detail: string | null }>;
  connectors: ConnectorState[] | null;
  lag: { group: string; total: number; partitions: Array<{ topic: string; partition: number; lag: number }> } | null;
  healthy: boolean;
}

async function collect(ctx: Context): Promise<StatusReport> {
  const runtime = await stackFor(ctx);
  const statuses = await runtime.status();
  const components = statuses.map((s) => ({
    id: s.id,
    kind: s.kind,
    state: (s.ready ? (s.running ? 'ready' : 'external') : s.running ? 'running' : 'stopped') as StatusReport['components'][number]['state'],
    pid: s.pid,
    url: s.url,
    detail: s.detail ?? null,
  }));
  const connectUp = statuses.find((s) => s.id === 'connect')?.ready ?? false;
  const kafkaUp = statuses.find((s) => s.id === 'kafka')?.ready ?? false;
  let connectors: ConnectorState[] | null = null;
  if (connectUp) connectors = await connectorStates(connectClient(ctx), desiredConnectors(ctx).map((c) => c.name)).catch(() => null);
  let lag: StatusReport['lag'] = null;
  if (kafkaUp) {
    lag = await withAdmin(endpointsFor(ctx.loaded.config).kafkaBrokers, async (admin) => {
      const rows = await groupLag(admin, 'orders-stream', ['order', 'order_detail']);
      return { group: 'orders-stream', total: rows.reduce((n, r) => n + r.lag, 0), partitions: rows.map((r) => ({ topic: r.topic, partition: r.partition, lag: r.lag })) };
    }).catch(() => null);
  }
  const healthy = components.every((c) => c.state === 'ready' || c.state === 'external') && (connectors?.every((c) => c.healthy) ?? false);
  return { runtime: runtime.kind, components, connectors, lag, healthy };
}

export function renderStatus(r: StatusReport): string {
  const rows = r.components.map((c) => [c.id, c.kind, c.state, c.pid ? String(c.pid) : '-', c.url, c.detail ?? '']);
  for (const c of r.connectors ?? []) rows.push([c.name, 'connector', c.state.toLowerCase(), '-', `tasks ${c.tasks.map((t) => t.state.toLowerCase()).join(',') || '-'}`, '']);
  if (r.lag) rows.push(['orders-stream', 'lag', r.lag.total === 0 ? 'caught up' : `${r.lag.total} behind`, '-', r.lag.partitions.map((p) => `${p.topic}[${p.partition}]=${p.lag}`).join(' '), '']);
  const header = ['COMPONENT', 'KIND', 'STATE', 'PID', 'URL', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const lines = [header, ...rows].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  if (!r.connectors) lines.push('', 'connectors: Kafka Connect is not up');
  return lines.join('\n');
}

/** `oms status`: one table of processes, services, connectors and the processor's lag. */
export const statusCommand = defineCommand({
  path: 'status',
  summary: 'show every component, connector and the stream processor lag (exit 1 if not all healthy)',
  examples: ['oms status', 'oms status --watch         # refresh every 2 s (Ctrl-C stops)', 'oms status --json | jq .data.healthy'],
  configure: (cmd) => cmd.option('-w, --watch', 'refresh until interrupted').option('--interval <seconds>', 'refresh interval for --watch', '2'),
  input: (_args, opts) => ({ watch: opts.watch === true, interval: opts.interval }),
  schema: z.object({ watch: z.boolean(), interval: z.coerce.number().min(0.5).max(3600) }),
  run: async ({ watch, interval }, ctx) => {
    let report = await collect(ctx);
    if (watch && ctx.out.mode !== 'json') {
      while (!ctx.signal.aborted) {
        ctx.out.print(`\x1b[2J\x1b[H${new Date().toISOString()}  (Ctrl-C stops)\n${renderStatus(report)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, interval * 1000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          }, { once: true });
        });
        if (!ctx.signal.aborted) report = await collect(ctx);
      }
      return { data: report, exitCode: 0 };
    }
    return { data: report, text: renderStatus(report), exitCode: report.healthy ? 0 : 1 };
  },
});
