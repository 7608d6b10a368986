import { z } from 'zod';
import { defineCommand } from '../command.js';
import { describeSeed, seed as seedOp } from '../ops/seed.js';

const count = z.coerce.number().int().min(0).max(100_000);

/** `oms seed`: deterministic demo data through the real paths (Kafka for products, REST for the rest). */
export const seedCommand = defineCommand({
  path: 'seed',
  summary: 'load deterministic demo data (re-runs add only what is missing)',
  examples: ['oms seed                                   # defaults: 50 products, 20 customers, 20 orders', 'oms seed --products 200 --customers 50 --orders 500'],
  configure: (cmd) =>
    cmd
      .option('--products <n>', 'products published to the products topic')
      .option('--customers <n>', 'customers (with addresses) created through the customers API')
      .option('--orders <n>', 'orders placed through the orders API'),
  schema: z.object({ products: count.optional(), customers: count.optional(), orders: count.optional() }),
  run: async (opts, ctx) => {
    const seed = ctx.loaded.config.seed;
    const counts = { products: opts.products ?? seed.products, customers: opts.customers ?? seed.customers, orders: opts.orders ?? seed.orders };
    const { result } = await ctx.out.withSteps((onEvent) => seedOp(ctx, counts, { onEvent }));
    return { data: { counts, result }, text: describeSeed(result) };
  },
});
