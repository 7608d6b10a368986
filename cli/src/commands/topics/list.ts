import { z } from 'zod';
import { defineCommand } from '../../command.js';
import { endpointsFor } from '../../lib/endpoints.js';
import { describeTopics, topicOffsets, withAdmin } from '../../lib/kafka.js';
import { DESIRED_TOPICS } from '../../lib/topics.js';

export interface TopicRow {
  topic: string;
  exists: boolean;
  partitions: number | null;
  cleanupPolicy: string | null;
  config: Record<string, string>;
  /** Per partition: earliest and end offsets. */
  offsets: Array<{ partition: number; low: string; high: string }>;
  /** Sum of (end - earliest) over partitions: records currently retained (approximate for compacted topics). */
  records: number;
}

/** Reads partitions, config and offsets of the given topics (the pipeline topics by default). */
export async function readTopics(brokers: string[], names: string[]): Promise<TopicRow[]> {
  return withAdmin(brokers, async (admin) => {
    const existing = await describeTopics(admin, names);
    return Promise.all(
      names.map(async (name): Promise<TopicRow> => {
        const t = existing.find((e) => e.name === name);
        if (!t) return { topic: name, exists: false, partitions: null, cleanupPolicy: null, config: {}, offsets: [], records: 0 };
        const offsets = await topicOffsets(admin, name);
        const records = offsets.reduce((n, o) => n + Math.max(0, Number(o.high) - Number(o.low)), 0);
        return { topic: name, exists: true, partitions: t.partitions, cleanupPolicy: t.config['cleanup.policy'] ?? null, config: t.config, offsets, records };
      }),
    );
  });
}

export function renderTopicTable(rows: TopicRow[]): string {
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
    const rows = await readTopics(endpointsFor(ctx.loaded.config).kafkaBrokers, DESIRED_TOPICS.map((t) => t.name));
    const missing = rows.filter((r) => !r.exists).length;
    return { data: { topics: rows }, text: renderTopicTable(rows), exitCode: missing > 0 ? 1 : 0 };
  },
});
