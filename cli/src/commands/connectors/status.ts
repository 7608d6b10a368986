import { z } from 'zod';
import { defineCommand } from '../../command.js';
import type { ConnectClient, ConnectorStatus } from '../../lib/connect.js';
import { connectClient, desiredConnectors } from './shared.js';

export interface ConnectorState {
  name: string;
  state: string;
  tasks: Array<{ id: number; state: string; trace?: string }>;
  trace?: string;
  healthy: boolean;
}

export function summarise(name: string, status: ConnectorStatus | undefined): ConnectorState {
  if (!status) return { name, state: 'MISSING', tasks: [], healthy: false };
  const tasks = status.tasks.map((t) => ({ id: t.id, state: t.state, ...(t.trace ? { trace: t.trace } : {}) }));
  const healthy = status.connector.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING');
  return { name, state: status.connector.state, tasks, ...(status.connector.trace ? { trace: status.connector.trace } : {}), healthy };
}

export async function connectorStates(client: ConnectClient, names: string[]): Promise<ConnectorState[]> {
  return Promise.all(names.map(async (n) => summarise(n, await client.status(n))));
}

/** The first lines of a Java trace: the exception and its cause are what matter. */
export function traceHead(trace: string, lines = 8): string[] {
  const all = trace.split('\n');
  const causes = all.filter((l) => l.startsWith('Caused by:'));
  return [...all.slice(0, lines), ...causes.slice(-3)].map((l) => l.replace(/\t/g, '  '));
}

export function renderStates(states: ConnectorState[]): string {
  return states
    .map((s) => {
      const head = `${s.name.padEnd(14)} ${s.state.padEnd(10)} tasks: ${s.tasks.map((t) => `${t.id}=${t.state}`).join(' ') || '(none)'}`;
      const traces = [s.trace, ...s.tasks.map((t) => t.trace)].filter((t): t is string => Boolean(t));
      return [head, ...traces.flatMap((t) => traceHead(t).map((l) => `    ${l}`))].join('\n');
    })
    .join('\n');
}

/** `oms connectors status`: connector and task states; exit 1 with the trace when one is not RUNNING. */
export const connectorsStatusCommand = defineCommand({
  path: 'connectors status',
  summary: 'show connector and task states (exit 1 with the failure trace if any is not RUNNING)',
  examples: ['oms connectors status', 'oms connectors status --json | jq ".data.connectors[] | {name, state}"'],
  configure: (cmd) => cmd.argument('[names...]', 'connector names (default: all)'),
  input: (args) => ({ names: args[0] ?? [] }),
  schema: z.object({ names: z.array(z.string()) }),
  run: async ({ names }, ctx) => {
    const wanted = desiredConnectors(ctx, names).map((c) => c.name);
    const states = await connectorStates(connectClient(ctx), wanted);
    const unhealthy = states.filter((s) => !s.healthy);
    let text = renderStates(states);
    if (unhealthy.length > 0) {
      text += `\n\n${unhealthy.length} connector(s) not RUNNING: ${unhealthy.map((s) => s.name).join(', ')}\nfix the cause above, then \`oms connectors restart\` (or \`oms connectors submit\` if MISSING)`;
    }
    return { data: { connectors: states }, text, exitCode: unhealthy.length > 0 ? 1 : 0 };
  },
});
