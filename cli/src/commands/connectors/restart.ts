import { z } from 'zod';
import { defineCommand } from '../../command.js';
import { connectClient, desiredConnectors } from './shared.js';
import { connectorStates } from './status.js';

/** `oms connectors restart`: restarts only failed connectors and tasks. */
export const connectorsRestartCommand = defineCommand({
  path: 'connectors restart',
  summary: 'restart failed connectors and tasks (running ones are left alone)',
  examples: ['oms connectors restart', 'oms connectors restart oms-graph'],
  configure: (cmd) => cmd.argument('[names...]', 'connector names (default: all)'),
  input: (args) => ({ names: args[0] ?? [] }),
  schema: z.object({ names: z.array(z.string()) }),
  run: async ({ names }, ctx) => {
    const client = connectClient(ctx);
    const wanted = desiredConnectors(ctx, names).map((c) => c.name);
    const before = await connectorStates(client, wanted);
    const failed = before.filter((s) => s.state === 'FAILED' || s.tasks.some((t) => t.state === 'FAILED'));
    for (const s of failed) await client.restartFailed(s.name);
    const restarted = failed.map((s) => s.name);
    const text = restarted.length > 0 ? `restarted failed parts of: ${restarted.join(', ')}` : 'nothing failed; nothing restarted';
    return { data: { restarted, before }, text };
  },
});
