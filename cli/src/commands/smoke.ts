import { z } from 'zod';
import { defineCommand } from '../command.js';
import { renderHops, runSmoke } from '../ops/smoke.js';

/** `oms smoke`: proves an order flows REST → CDC → orders-stream → sink → GraphQL. */
export const smokeCommand = defineCommand({
  path: 'smoke',
  summary: 'place a real order and time each hop until GraphQL returns it enriched',
  examples: ['oms smoke                    # prints each hop and the total', 'oms smoke --json | jq .data.totalMs', 'oms smoke --timeout 120     # allow a cold pipeline more time'],
  configure: (cmd) => cmd.option('--timeout <seconds>', 'give up after this long', '60').option('--poll <ms>', 'GraphQL polling interval', '5'),
  schema: z.object({ timeout: z.coerce.number().positive().max(3600), poll: z.coerce.number().int().min(1).max(5000) }),
  run: async ({ timeout, poll }, ctx) => {
    const result = await runSmoke(ctx, timeout * 1000, poll);
    return { data: result, text: `order ${result.orderId}\n${renderHops(result.hops, result.totalMs)}\n(REST response received at ${result.restResponseMs} ms)` };
  },
});
