import { z } from 'zod';
import { defineCommand } from '../../command.js';
import { endpointsFor } from '../../lib/endpoints.js';
import { pipelineTopicNames, readTopics, type TopicRow } from '../../ops/topics.js';

function renderTopicTable(rows: TopicRow[]): string {
  const header = ['TOPIC', 'PARTITIONS', 'CLEANUP', 'RECORDS', 'END OFFSETS'];
  const body = rows.map((r) =>
    r.exists
      ? [r.topic, String(r.partitions), r.cleanupPolicy ?? '-', String(r.records), r.offsets.map((o) => `${o.partition}:${o.high}`).join(' ')]
      : [r.topic, '-', '-', '-', '(missing: run `oms topics create`)'],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [header, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** `oms topics list`: the pipeline topics with partitions, cleanup policy and end offsets. */
export const topicsListCommand = defineCommand({
  path: 'topics list',
  summary: 'list the pipeline topics with partitions, cleanup policy and end offsets',
  examples: ['oms topics list', 'oms topics list --json | jq ".data.topics[] | {topic, records}"'],
  schema: z.object({}),
  run: async (_opts, ctx) => {
    const rows = await readTopics(endpointsFor(ctx.loaded.config).kafkaBrokers, pipelineTopicNames());
    const missing = rows.filter((r) => !r.exists).length;
    return { data: { topics: rows }, text: renderTopicTable(rows), exitCode: missing > 0 ? 1 : 0 };
  },
});
