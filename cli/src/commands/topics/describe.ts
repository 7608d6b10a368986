import { defineCommand, listArgument } from '../../command.js';
import { CheckFailedError } from '../../errors.js';
import { endpointsFor } from '../../lib/endpoints.js';
import { pipelineTopicNames, readTopics } from '../../ops/topics.js';

/** `oms topics describe [topic...]`: full config and per-partition offsets. */
export const topicsDescribeCommand = defineCommand({
  path: 'topics describe',
  summary: 'show config and per-partition offsets of topics (all pipeline topics by default)',
  examples: ['oms topics describe order order_detail', 'oms topics describe --json'],
  ...listArgument('[topics...]', 'topic names'),
  run: async ({ names: topics }, ctx) => {
    const names = topics.length > 0 ? topics : pipelineTopicNames();
    const rows = await readTopics(endpointsFor(ctx.loaded.config).kafkaBrokers, names);
    const missing = rows.filter((r) => !r.exists).map((r) => r.topic);
    if (topics.length > 0 && missing.length === rows.length) {
      throw new CheckFailedError(`no such topic: ${missing.join(', ')}`, { hint: '`oms topics list` shows the pipeline topics' });
    }
    const text = rows
      .map((r) =>
        r.exists
          ? [
              `${r.topic}  (${String(r.partitions)} partitions, ${String(r.records)} records retained)`,
              ...Object.entries(r.config).map(([k, v]) => `  ${k}=${v}`),
              ...r.offsets.map((o) => `  partition ${o.partition}: offsets ${o.low}..${o.high}`),
            ].join('\n')
          : `${r.topic}  (missing)`,
      )
      .join('\n\n');
    return { data: { topics: rows }, text, exitCode: missing.length > 0 ? 1 : 0 };
  },
});
