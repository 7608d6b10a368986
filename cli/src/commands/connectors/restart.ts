import { defineCommand, listArgument } from '../../command.js';
import { restartFailedConnectors } from '../../ops/connectors.js';

/** `oms connectors restart`: restarts only failed connectors and tasks. */
export const connectorsRestartCommand = defineCommand({
  path: 'connectors restart',
  summary: 'restart failed connectors and tasks (running ones are left alone)',
  examples: ['oms connectors restart', 'oms connectors restart oms-graph'],
  ...listArgument('[names...]', 'connector names (default: all)'),
  run: async ({ names }, ctx) => {
    const data = await restartFailedConnectors(ctx, names);
    const text = data.restarted.length > 0 ? `restarted failed parts of: ${data.restarted.join(', ')}` : 'nothing failed; nothing restarted';
    return { data, text };
  },
});
