import { z } from 'zod';
import { defineCommand } from '../../command.js';
import { endpointsFor } from '../../lib/endpoints.js';
import { assertNoRefusals, describeAction, ensureTopics } from '../../ops/topics.js';

/** `oms topics create`: make the pipeline topics exist as desired, idempotently. */
export const topicsCreateCommand = defineCommand({
  path: 'topics create',
  summary: 'create the pipeline topics (idempotent; reports topics it cannot fix)',
  examples: ['oms topics create             # create what is missing, leave the rest alone', 'oms topics create --dry-run   # show the plan without changing anything'],
  configure: (cmd) => cmd.option('--dry-run', 'show what would change without changing it'),
  schema: z.object({ dryRun: z.boolean().default(false) }),
  run: async ({ dryRun }, ctx) => {
    const plan = await ensureTopics(endpointsFor(ctx.loaded.config).kafkaBrokers, dryRun);
    const refused = plan.filter((a) => a.action === 'refuse');
    const data = { dryRun, topics: plan.map((a) => ({ topic: a.topic, action: a.action, ...(a.action === 'refuse' ? { reason: a.reason } : {}), ...(a.action === 'alter-config' ? { changes: a.changes } : {}) })) };
    if (refused.length > 0 && ctx.out.mode !== 'json') assertNoRefusals(plan);
    return { data, text: plan.map((a) => describeAction(a, dryRun)).join('\n'), exitCode: refused.length > 0 ? 1 : 0 };
  },
});
