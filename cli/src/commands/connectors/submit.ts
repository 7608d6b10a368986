import { z } from 'zod';
import { defineCommand } from '../../command.js';
import { connectClient, desiredConnectors, submitConnectors, type SubmitOutcome } from '../../ops/connectors.js';
import { resolveRuntime } from '../../ops/stack.js';

function renderOutcome(o: SubmitOutcome): string {
  const head = `${o.name}: ${o.action}`;
  if (o.action === 'unchanged' || o.action === 'created' || o.action === 'would-create') return head;
  return [head, ...o.changes.map((c) => `  ${c.key}: ${c.from ?? '(unset)'} → ${c.to ?? '(unset)'}`)].join('\n');
}

/** `oms connectors submit`: desired-state sync of the three Debezium connectors. */
export const connectorsSubmitCommand = defineCommand({
  path: 'connectors submit',
  summary: 'create or update the Debezium connectors; only what differs changes',
  examples: [
    'oms connectors submit                 # sync all connectors (idempotent)',
    'oms connectors submit --dry-run       # show the diff without applying it',
    'oms connectors submit oms-graph       # just one',
  ],
  configure: (cmd) => cmd.argument('[names...]', 'connector names (default: all in connectors/)').option('--dry-run', 'show what would change'),
  input: (args, opts) => ({ names: args[0] ?? [], dryRun: opts.dryRun ?? false }),
  schema: z.object({ names: z.array(z.string()), dryRun: z.boolean() }),
  run: async ({ names, dryRun }, ctx) => {
    // Connect in a container reaches the databases by in-network names: the runtime decides the hosts.
    const outcomes = await submitConnectors(connectClient(ctx), desiredConnectors(ctx, names, await resolveRuntime(ctx)), dryRun);
    return { data: { dryRun, connectors: outcomes }, text: outcomes.map(renderOutcome).join('\n') };
  },
});
