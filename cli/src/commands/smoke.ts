import { z } from 'zod';
import { defineCommand } from '../command.js';
import { githubAnnotations } from '../lib/junit.js';
import { renderHops, renderReservation, renderShipment, smokeWithReport } from '../ops/smoke.js';

/** `oms smoke`: proves an order flows REST → CDC → orders-stream → sink → GraphQL; optionally reports it the way CI systems read. */
export const smokeCommand = defineCommand({
  path: 'smoke',
  summary: 'place a real order and time each hop until GraphQL returns it enriched',
  examples: [
    'oms smoke                    # prints each hop and the total',
    'oms smoke --json | jq .data.totalMs',
    'oms smoke --timeout 120     # allow a cold pipeline more time',
    'oms smoke --junit reports/oms-smoke.xml   # a JUnit test case per hop, for CI (GitHub/GitLab test reports)',
  ],
  configure: (cmd) =>
    cmd
      .option('--timeout <seconds>', 'give up after this long', '60')
      .option('--poll <ms>', 'GraphQL polling interval', '5')
      .option('--junit <file>', 'also write a JUnit XML report: a test case per hop with its time, the stalled hop as the failure (written on failure too)'),
  schema: z.object({ timeout: z.coerce.number().positive().max(3600), poll: z.coerce.number().int().min(1).max(5000), junit: z.string().min(1).optional() }),
  run: async ({ timeout, poll, junit }, ctx) => {
    const report = await smokeWithReport(ctx, { timeoutMs: timeout * 1000, pollMs: poll, ...(junit ? { junitFile: junit } : {}) });
    // GitHub Actions sets GITHUB_ACTIONS=true: the lines become annotations on the run.
    if (ctx.env.GITHUB_ACTIONS === 'true') ctx.out.annotate(githubAnnotations(report.suite));
    if (report.junitFile) ctx.out.info(`JUnit report: ${report.junitFile}`);
    if (!report.outcome.ok) throw report.outcome.error;
    const { result } = report.outcome;
    return {
      data: { ...result, junitFile: report.junitFile },
      text: `order ${result.orderId}\n${renderHops(result.hops, result.totalMs)}\n${renderReservation(result.reservation)}\n${renderShipment(result.shipment)}\n(REST response received at ${result.restResponseMs} ms)`,
    };
  },
});
