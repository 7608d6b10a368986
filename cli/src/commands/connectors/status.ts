import { defineCommand, listArgument } from '../../command.js';
import { connectClient, connectorStates, desiredConnectors, renderStates } from '../../ops/connectors.js';

/** `oms connectors status`: connector and task states; exit 1 with the trace when one is not RUNNING. */
export const connectorsStatusCommand = defineCommand({
  path: 'connectors status',
  summary: 'show connector and task states (exit 1 with the failure trace if any is not RUNNING)',
  examples: ['oms connectors status', 'oms connectors status --json | jq ".data.connectors[] | {name, state}"'],
  ...listArgument('[names...]', 'connector names (default: all)'),
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
