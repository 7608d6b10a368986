import { defineCommand, listArgument } from '../../command.js';
import { describeRestart, renderStates, restartFailedConnectors } from '../../ops/connectors.js';

/** `oms connectors restart`: restarts only failed connectors and tasks, and waits until they run again. */
export const connectorsRestartCommand = defineCommand({
  path: 'connectors restart',
  summary: 'restart failed connectors and tasks (running ones are left alone) and wait until they run',
  examples: ['oms connectors restart', 'oms connectors restart oms-graph'],
  ...listArgument('[names...]', 'connector names (default: all)'),
  run: async ({ names }, ctx) => {
    const data = await restartFailedConnectors(ctx, names);
    const head = data.restarted.length > 0 ? data.restarted.map(describeRestart) : ['nothing failed; nothing restarted'];
    const healthy = data.connectors.every((c) => c.healthy);
    return { data, text: [...head, '', renderStates(data.connectors)].join('\n'), exitCode: healthy ? 0 : 1 };
  },
});
