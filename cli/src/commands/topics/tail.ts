import { z } from 'zod';
import { defineCommand } from '../../command.js';
import { followTopic, renderDecoded, type TopicRecord } from '../../ops/records.js';

/** A record for a terminal: where it is, when, its key on one line, its headers, its value pretty. */
export function renderRecord(r: TopicRecord): string {
  const key = r.key.format === 'json' ? JSON.stringify(r.key.data) : renderDecoded(r.key);
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}=${v}`);
  return [
    `${r.topic}[${r.partition}]@${r.offset}  ${r.timestamp}  key ${key}`,
    ...(headers.length > 0 ? [`  headers: ${headers.join(', ')}`] : []),
    ...renderDecoded(r.value).split('\n').map((l) => `  ${l}`),
  ].join('\n');
}

/** `oms topics tail <topic>`: decoded records as they arrive, until Ctrl-C (or --limit). */
export const topicsTailCommand = defineCommand({
  path: 'topics tail',
  summary: 'print the records of a topic as they arrive, decoded (key, headers, pretty JSON value) — Ctrl-C stops',
  examples: [
    'oms topics tail order                       # new records of topic order, until Ctrl-C',
    'oms topics tail orders-graph --from-beginning --limit 5',
    'oms topics tail order_detail --partition 1',
    'oms topics tail order --json | jq -c .key   # one JSON object per line (NDJSON)',
  ],
  configure: (cmd) =>
    cmd
      .argument('<topic>', 'topic name')
      .option('--from-beginning', "start at each partition's earliest record (default: only new records)")
      .option('--partition <n>', 'only this partition')
      .option('--limit <n>', 'stop after this many records'),
  input: (args, opts) => ({ topic: args[0], fromBeginning: opts.fromBeginning === true, partition: opts.partition, limit: opts.limit }),
  schema: z.object({
    topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a topic name: letters, digits, ".", "_" and "-"'),
    fromBeginning: z.boolean(),
    partition: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).optional(),
  }),
  run: async ({ topic, fromBeginning, partition, limit }, ctx) => {
    const records = await followTopic(ctx, { topic, fromBeginning, ...(partition === undefined ? {} : { partition }), signal: ctx.signal });
    const json = ctx.out.mode === 'json';
    if (!json) ctx.out.info(`following ${topic}${partition === undefined ? '' : `[${partition}]`}${fromBeginning ? ' from the beginning' : ''} — Ctrl-C stops`);
    let count = 0;
    for await (const record of records) {
      if (json) ctx.out.printJsonLine(record);
      else ctx.out.print(renderRecord(record));
      if (limit !== undefined && ++count >= limit) break;
    }
    return { data: null, streamed: true };
  },
});
