import { z } from 'zod';
import { defineCommand } from '../command.js';
import { renderTrace, traceOrder, watchTrace } from '../ops/trace.js';

/** `oms trace <orderId>`: where one order is, hop by hop, with each hop's time and delta. */
export const traceCommand = defineCommand({
  path: 'trace',
  summary: 'follow one order through the pipeline: MariaDB row, order/order_detail records, orders-graph record, PostgreSQL row, GraphQL (exit 1 if a hop is missing)',
  examples: [
    'oms trace 3f2b8c1e-5d7a-4c0e-9a41-1b2c3d4e5f60',
    'oms trace <order id> --wait 10     # keep looking up to 10 s for hops still on their way',
    'oms trace <order id> --json | jq ".data.hops[] | {id, at, deltaMs}"',
  ],
  configure: (cmd) => cmd.argument('<orderId>', 'the order id (a UUID)').option('--wait <seconds>', 'keep looking this long for missing hops (0: look once)', '0'),
  input: (args, opts) => ({ orderId: args[0], wait: opts.wait }),
  schema: z.object({ orderId: z.string().min(1), wait: z.coerce.number().min(0).max(600) }),
  run: async ({ orderId, wait }, ctx) => {
    const result =
      wait > 0
        ? await watchTrace(ctx, orderId, { timeoutMs: wait * 1000, onUpdate: (r) => ctx.out.info(`${r.hops.filter((h) => h.found).length}/${r.hops.length} hops found`) })
        : await traceOrder(ctx, orderId);
    return { data: result, text: renderTrace(result), exitCode: result.complete ? 0 : 1 };
  },
});
