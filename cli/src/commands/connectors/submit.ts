import { z } from 'zod';
import { defineCommand } from '../../command.js';
import type { ConnectClient } from '../../lib/connect.js';
import { diffConfig, redact, type ConfigChange, type ConnectorFile } from '../../lib/connectors.js';
import { resolveRuntime } from '../../lib/stack.js';
import { connectClient, desiredConnectors } from './shared.js';

export interface SubmitOutcome {
  name: string;
  action: 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update';
  changes: ConfigChange[];
}

/** Brings each connector's live config to the desired one, touching only those that differ. */
export async function submitConnectors(client: ConnectClient, desired: ConnectorFile[], dryRun: boolean): Promise<SubmitOutcome[]> {
  const outcomes: SubmitOutcome[] = [];
  for (const connector of desired) {
    const live = await client.getConfig(connector.name);
    const changes = diffConfig(connector.config, live).map((c) => ({ key: c.key, from: redact(c.key, c.from), to: redact(c.key, c.to) }));
    if (live && changes.length === 0) {
      outcomes.push({ name: connector.name, action: 'unchanged', changes });
    } else if (dryRun) {
      outcomes.push({ name: connector.name, action: live ? 'would-update' : 'would-create', changes });
    } else {
      outcomes.push({ name: connector.name, action: await client.putConfig(connector.name, connector.config), changes });
    }
  }
  return outcomes;
}

export function renderOutcome(o: SubmitOutcome): string {
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
