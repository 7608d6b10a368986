import { z } from 'zod';
import { defineCommand } from '../command.js';
import { describeLoad, describeProgress, loadStack } from '../ops/load.js';

/** `oms load`: a steady stream of orders to watch the pipeline by. */
export const loadCommand = defineCommand({
  path: 'load',
  summary: 'place orders at a steady rate and show how fast they reach GraphQL',
  examples: [
    'oms load                                  # 10 orders/s for 30 s',
    'oms load --rate 100 --duration 60         # heavier: watch `oms console` or Kafka lag meanwhile',
    'oms load --rate 5 --duration 600 --customers 20   # a slow trickle over many customers',
    'oms load --rate 50 --duration 20 --json | jq .data.p99Ms',
  ],
  configure: (cmd) =>
    cmd
      .option('--rate <n>', 'orders per second, sent on a fixed schedule whatever the answers take (open loop), 0.1–2000', '10')
      .option('--duration <seconds>', 'how long to send, 1–86400', '30')
      .option('--customers <k>', 'distinct customers to order as (created for the run), 1–1000', '1')
      .addHelpText(
        'after',
        [
          '',
          'Each order is one line (1–3 units) of a seeded product, for a fresh customer made for the run;',
          'the stock it needs is added first. Every second a line shows sent / accepted (201) / refused',
          '(any other answer, or none) / visible (seen in GraphQL) and the p50/p99 of POST → visible in',
          'GraphQL over that second. At the end: the totals, POST /orders alone, and whether the lag',
          'stayed flat (the last third of the orders no slower than the first): if it grows, the rate is',
          'above what the pipeline sustains. Ctrl-C stops sending and still reports what was sent.',
        ].join('\n'),
      ),
  schema: z.object({
    rate: z.coerce.number({ error: '--rate must be a number' }).min(0.1, '--rate must be at least 0.1 orders/s').max(2000, '--rate must be at most 2000 orders/s'),
    duration: z.coerce.number({ error: '--duration must be a number of seconds' }).min(1, '--duration must be at least 1 s').max(86_400, '--duration must be at most 86400 s (a day)'),
    customers: z.coerce.number({ error: '--customers must be a whole number' }).int('--customers must be a whole number').min(1, '--customers must be at least 1').max(1000, '--customers must be at most 1000'),
  }),
  run: async ({ rate, duration, customers }, ctx) => {
    ctx.out.info(`placing ${rate} orders/s for ${duration}s as ${customers} customer(s); Ctrl-C stops early`);
    const report = await loadStack(ctx, { rate, durationS: duration, customers }, (p) => ctx.out.info(describeProgress(p)));
    return { data: report, text: describeLoad(report), exitCode: report.accepted === 0 ? 1 : 0 };
  },
});
