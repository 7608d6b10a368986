/**
 * What is inside a topic: the latest records per partition, records from an offset, and a
 * live tail, each decoded (pretty JSON when the bytes parse, text otherwise). `oms topics
 * tail` and the console's message browser both read through here.
 */
import type { Admin, IHeaders } from 'kafkajs';
import type { OpsContext } from '../context.js';
import { NotFoundError, UsageError } from '../errors.js';
import { endpointsFor } from '../lib/endpoints.js';
import { topicOffsets, withAdmin, type PartitionOffsets } from '../lib/kafka.js';
import { followPartitions, scanRanges, type PartitionRange, type RawRecord } from '../lib/topic-reader.js';

/** Bytes as a reader wants to see them: parsed JSON, text, or base64 when they are not UTF-8. */
export type Decoded = { format: 'null'; data: null } | { format: 'json'; data: unknown } | { format: 'text'; data: string } | { format: 'binary'; data: string };

/** One record, decoded: the shape of `oms topics tail --json` lines and of the console's browser. */
export interface TopicRecord {
  topic: string;
  partition: number;
  offset: string;
  /** ISO time of the record's timestamp. */
  timestamp: string;
  key: Decoded;
  headers: Record<string, string>;
  value: Decoded;
}

/** Decodes record bytes: JSON when they parse as JSON, UTF-8 text when they are valid UTF-8, else base64. */
export function decode(bytes: Buffer | null | undefined): Decoded {
  if (bytes === null || bytes === undefined) return { format: 'null', data: null };
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return { format: 'binary', data: bytes.toString('base64') };
  const trimmed = text.trim();
  // Only objects, arrays and strings count as JSON: "42" or "true" are as readable as text.
  if (/^[[{"]/.test(trimmed)) {
    try {
      return { format: 'json', data: JSON.parse(trimmed) as unknown };
    } catch {
      // not JSON after all
    }
  }
  return { format: 'text', data: text };
}

/** Header values as text (a repeated header's values joined with ", "). */
export function decodeHeaders(headers: IHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = (Array.isArray(value) ? value : [value]).map((v) => v.toString()).join(', ');
  }
  return out;
}

export function decodeRecord(r: RawRecord): TopicRecord {
  return { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: new Date(r.timestamp).toISOString(), key: decode(r.key), headers: decodeHeaders(r.headers), value: decode(r.value) };
}

/** Pretty text of decoded bytes (JSON indented by two spaces). */
export function renderDecoded(d: Decoded): string {
  switch (d.format) {
    case 'null':
      return '(null)';
    case 'json':
      return JSON.stringify(d.data, null, 2);
    case 'text':
      return d.data;
    case 'binary':
      return `(binary, base64) ${d.data}`;
  }
}

/**
 * True when the record's key or value mentions `id` (how smoke and trace recognise an order's
 * records). Searched in the bytes, never decoded: smoke asks again of every record it keeps at each poll.
 */
export function mentions(r: Pick<RawRecord, 'key' | 'value'>, id: string): boolean {
  return Boolean(r.key?.includes(id)) || Boolean(r.value?.includes(id));
}

/** The partitions and offsets of `topic`; an unknown topic is a NotFoundError naming the ones that exist. */
export async function partitionsOf(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) {
    const visible = topics.filter((t) => !t.startsWith('__')).sort();
    throw new NotFoundError(`no topic named "${topic}"`, { hint: `topics: ${visible.join(', ') || '(none)'}` });
  }
  return topicOffsets(admin, topic);
}

/** The partitions asked for: one (checked against the topic's), or all. */
function selectPartitions(topic: string, offsets: PartitionOffsets[], partition: number | undefined): PartitionOffsets[] {
  if (partition === undefined) return offsets;
  const one = offsets.find((o) => o.partition === partition);
  if (!one) throw new UsageError(`topic ${topic} has no partition ${partition}`, { hint: `its partitions are 0–${offsets.length - 1}` });
  return [one];
}

/** Where to start: the latest `limit` records of each partition, or a given offset. */
export type ReadFrom = 'latest' | { offset: string };

export interface ReadRecordsOptions {
  topic: string;
  /** One partition; default all. */
  partition?: number;
  from: ReadFrom;
  /** At most this many records per partition (default 20, at most 1000). */
  limit?: number;
}

export interface ReadRecordsResult {
  topic: string;
  /** What was read of each partition: its offsets and the range read (`to` exclusive). */
  partitions: Array<{ partition: number; low: string; high: string; from: string; to: string }>;
  /** In partition order, then offset order. */
  records: TopicRecord[];
  /** False when Kafka did not hand over every record of the ranges in time (the records read are still here). */
  complete: boolean;
}

export const MAX_READ_LIMIT = 1000;

/** The ranges to read, or a UsageError naming each partition's valid offsets when `offset` lies outside them. */
export function planRead(topic: string, offsets: PartitionOffsets[], from: ReadFrom, limit: number): PartitionRange[] {
  if (from === 'latest') {
    return offsets.map((o) => {
      const start = BigInt(o.high) - BigInt(limit);
      return { topic, partition: o.partition, from: String(start > BigInt(o.low) ? start : BigInt(o.low)), to: o.high };
    });
  }
  const offset = BigInt(from.offset);
  const outside = offsets.filter((o) => offset < BigInt(o.low) || offset >= BigInt(o.high));
  if (outside.length > 0) {
    const ranges = outside.map((o) => (BigInt(o.low) >= BigInt(o.high) ? `partition ${o.partition} holds no records (next offset ${o.high})` : `partition ${o.partition}: ${o.low}–${BigInt(o.high) - 1n}`));
    throw new UsageError(`offset ${from.offset} is out of range for topic ${topic}`, { details: ranges, hint: 'pick an offset inside the range of the partition, or read the latest records' });
  }
  return offsets.map((o) => {
    const end = offset + BigInt(limit);
    return { topic, partition: o.partition, from: String(offset), to: String(end < BigInt(o.high) ? end : BigInt(o.high)) };
  });
}

/** Rounds of looking further back for the latest records (each 4× the window of the one before). */
const LATEST_ROUNDS = 3;

/**
 * Reads the latest records of each partition (or those from an offset), decoded. Offsets
 * are not records: a transactional topic spends one on each commit marker and a compacted
 * one has gaps, so the latest N records may lie further back than N offsets; each partition
 * short of N is read again further back, a few times at most.
 */
export async function readRecords(ctx: OpsContext, opts: ReadRecordsOptions): Promise<ReadRecordsResult> {
  const brokers = endpointsFor(ctx.loaded.config).kafkaBrokers;
  const limit = Math.min(opts.limit ?? 20, MAX_READ_LIMIT);
  const all = await withAdmin(brokers, (admin) => partitionsOf(admin, opts.topic));
  const selected = selectPartitions(opts.topic, all, opts.partition);
  const ranges = planRead(opts.topic, selected, opts.from, limit);
  const byPartition = new Map<number, RawRecord[]>(selected.map((o) => [o.partition, []]));
  // Partitions not selected are in the plan with nothing to read, so the reader pauses them.
  const idle = (o: PartitionOffsets): PartitionRange => ({ topic: opts.topic, partition: o.partition, from: o.high, to: o.high });
  let round = ranges;
  let complete = true;
  for (let i = 0; i < (opts.from === 'latest' ? LATEST_ROUNDS : 1); i++) {
    const reading = new Set(round.map((r) => r.partition));
    const plan = [...round, ...all.filter((o) => !reading.has(o.partition)).map(idle)];
    const got: RawRecord[] = [];
    const scan = await scanRanges(brokers, plan, (r) => got.push(r), { timeoutMs: 10_000, signal: ctx.signal });
    complete &&= scan.complete;
    for (const r of got) byPartition.get(r.partition)?.push(r);
    // Short partitions are read again further back, before what was read (latest mode only).
    round = round.flatMap((r) => {
      const low = BigInt(selected.find((o) => o.partition === r.partition)!.low);
      const have = byPartition.get(r.partition)!.length;
      const from = BigInt(r.from);
      if (have >= limit || from <= low) return [];
      const back = from - BigInt(limit) * 4n ** BigInt(i + 1);
      return [{ ...r, from: String(back > low ? back : low), to: r.from }];
    });
    if (round.length === 0) break;
    // What the result says was read of a partition starts where its last round began.
    const first = new Map(round.map((r) => [r.partition, r.from]));
    for (const r of ranges) if (first.has(r.partition)) r.from = first.get(r.partition)!;
  }
  const records = [...byPartition.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, list]) => {
      list.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
      return opts.from === 'latest' ? list.slice(-limit) : list;
    });
  return {
    topic: opts.topic,
    partitions: ranges.map((r) => {
      const o = selected.find((x) => x.partition === r.partition)!;
      return { partition: r.partition, low: o.low, high: o.high, from: r.from, to: r.to };
    }),
    records: records.map(decodeRecord),
    complete,
  };
}

export interface FollowOptions {
  topic: string;
  partition?: number;
  /** Start at each partition's earliest record; default: only records produced from now on. */
  fromBeginning?: boolean;
  signal: AbortSignal;
}

/**
 * Follows a topic live: every new record (or every record, `fromBeginning`) until `signal`
 * aborts. The topic and partition are checked before the iterable is returned, so a bad
 * name fails at once rather than on the first iteration.
 */
export async function followTopic(ctx: OpsContext, opts: FollowOptions): Promise<AsyncIterable<TopicRecord>> {
  const brokers = endpointsFor(ctx.loaded.config).kafkaBrokers;
  const all = await withAdmin(brokers, (admin) => partitionsOf(admin, opts.topic));
  const selected = selectPartitions(opts.topic, all, opts.partition);
  const starts = all.map((o) => ({ topic: opts.topic, partition: o.partition, from: selected.includes(o) ? (opts.fromBeginning ? o.low : o.high) : null }));
  return (async function* () {
    for await (const r of followPartitions(brokers, starts, opts.signal)) yield decodeRecord(r);
  })();
}
