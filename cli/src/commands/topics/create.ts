import { z } from 'zod';
import { defineCommand } from '../../command.js';
import { CheckFailedError } from '../../errors.js';
import { endpointsFor } from '../../lib/endpoints.js';
import { TOPIC_RESOURCE, describeTopics, withAdmin } from '../../lib/kafka.js';
import { DESIRED_TOPICS, planTopics, type TopicAction } from '../../lib/topics.js';

/** Applies the topic plan; refused topics are reported and fail the command after the rest is done. */
export async function ensureTopics(brokers: string[], dryRun: boolean): Promise<TopicAction[]> {
  return withAdmin(brokers, async (admin) => {
    const existing = await describeTopics(admin, DESIRED_TOPICS.map((t) => t.name));
    const plan = planTopics(DESIRED_TOPICS, existing);
    if (dryRun) return plan;
    const toCreate = plan.flatMap((a) => (a.action === 'create' ? [a.spec] : []));
    if (toCreate.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: toCreate.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: 1,
          configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    for (const a of plan) {
      if (a.action !== 'alter-config') continue;
      const live = existing.find((t) => t.name === a.topic)?.overrides ?? {};
      // alterConfigs replaces the topic's dynamic configs: send the live set with ours on top.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: TOPIC_RESOURCE, name: a.topic, configEntries: Object.entries({ ...live, ...a.spec.config }).map(([name, value]) => ({ name, value })) }],
      });
    }
    return plan;
  });
}

export function describeAction(a: TopicAction, dryRun: boolean): string {
  switch (a.action) {
    case 'create':
      return `${a.topic}: ${dryRun ? 'would create' : 'created'} (${a.spec.partitions} partitions, ${Object.entries(a.spec.config).map(([k, v]) => `${k}=${v}`).join(', ')})`;
    case 'ok':
      return `${a.topic}: already as desired`;
    case 'alter-config':
      return `${a.topic}: ${dryRun ? 'would set' : 'set'} ${a.changes.map((c) => `${c.key} ${c.from ?? '(default)'} → ${c.to}`).join(', ')}`;
    case 'refuse':
      return `${a.topic}: REFUSED — ${a.reason}`;
  }
}

export function assertNoRefusals(plan: TopicAction[]): void {
  const refused = plan.filter((a) => a.action === 'refuse');
  if (refused.length > 0) {
    throw new CheckFailedError(`${refused.length} topic(s) exist with settings that cannot be changed in place`, {
      details: refused.map((a) => describeAction(a, false)),
      hint: 'delete the listed topics (or wipe everything with `oms down --volumes`), then rerun `oms topics create`',
    });
  }
}

/** `oms topics create`: make the pipeline topics exist as desired, idempotently. */
export const topicsCreateCommand = defineCommand({
  path: 'topics create',
  summary: 'create the pipeline topics (idempotent; reports topics it cannot fix)',
  examples: ['oms topics create             # create what is missing, leave the rest alone', 'oms topics create --dry-run   # show the plan without changing anything'],
  configure: (cmd) => cmd.option('--dry-run', 'show what would change without changing it'),
  schema: z.object({ dryRun: z.boolean().default(false) }),
  run: async ({ dryRun }, ctx) => {
    const brokers = endpointsFor(ctx.loaded.config).kafkaBrokers;
    const plan = await ensureTopics(brokers, dryRun);
    const lines = plan.map((a) => describeAction(a, dryRun));
    const refused = plan.filter((a) => a.action === 'refuse');
    const data = { dryRun, topics: plan.map((a) => ({ topic: a.topic, action: a.action, ...(a.action === 'refuse' ? { reason: a.reason } : {}), ...(a.action === 'alter-config' ? { changes: a.changes } : {}) })) };
    if (refused.length > 0 && ctx.out.mode !== 'json') assertNoRefusals(plan);
    return { data, text: lines.join('\n'), exitCode: refused.length > 0 ? 1 : 0 };
  },
});
