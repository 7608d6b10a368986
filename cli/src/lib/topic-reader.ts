/**
 * Reading the records of chosen partitions from chosen offsets. kafkajs has no manual
 * partition assignment, so a reader is a consumer in a throwaway group: it subscribes,
 * seeks each wanted partition to its start, pauses the partitions with nothing to read, and
 * never commits — a group without committed offsets disappears as soon as its member leaves,
 * so nothing is left behind on the broker.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import type { Consumer, IHeaders } from 'kafkajs';
import { ExternalError } from '../errors.js';
import { kafkaClient } from './kafka.js';

/** Group ids of readers start with this: views of consumer groups leave them out. */
export const READER_GROUP_PREFIX = 'oms-reader-';

/** One record as the broker returned it (bytes undecoded). */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Milliseconds since the epoch (the record's CreateTime, or LogAppendTime when the topic says so). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** A partition to read: from `from` (inclusive) to `to` (exclusive); `from >= to` means nothing (the partition is paused). */
export interface PartitionRange {
  topic: string;
  partition: number;
  from: string;
  to: string;
}

/** A partition to follow from `from` on; `null` pauses it. */
export interface PartitionStart {
  topic: string;
  partition: number;
  from: string | null;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * A consumer of a throwaway group on `topics`, connected and subscribed. `maxWaitMs` is how
 * long the broker holds a fetch at the end of a partition when nothing new comes (a record
 * that does come is handed over at once): short for a read that must notice its end, long
 * for a tail, which would otherwise ask the broker twenty times a second while idle.
 */
async function readerConsumer(brokers: string[], topics: string[], maxWaitMs: number): Promise<Consumer> {
  const consumer = kafkaClient(brokers, 'oms-reader').consumer({
    groupId: `${READER_GROUP_PREFIX}${randomUUID()}`,
    maxWaitTimeInMs: maxWaitMs,
    sessionTimeout: 10_000,
    allowAutoTopicCreation: false,
  });
  try {
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw new ExternalError(`cannot read ${topics.join(', ')} from Kafka at ${brokers.join(',')}`, { cause: err, hint: 'is the stack up? `oms status` shows what runs' });
  }
  return consumer;
}

/** Seeks the partitions that have a start and pauses the others (both are applied when the group assigns them). */
function position(consumer: Consumer, starts: Array<{ topic: string; partition: number; from: string | null }>): void {
  const paused = new Map<string, number[]>();
  for (const s of starts) {
    if (s.from === null) paused.set(s.topic, [...(paused.get(s.topic) ?? []), s.partition]);
    else consumer.seek({ topic: s.topic, partition: s.partition, offset: s.from });
  }
  if (paused.size > 0) consumer.pause([...paused].map(([topic, partitions]) => ({ topic, partitions })));
}

export interface ScanOptions {
  /** Give up after this long and report `complete: false` (default 15 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Reads every record of `ranges` and hands each to `onRecord`, in offset order per
 * partition. Resolves once every range reached its end (transaction markers and compacted
 * gaps count as reached), at the timeout, or on abort — `complete` says which.
 */
export async function scanRanges(brokers: string[], ranges: PartitionRange[], onRecord: (record: RawRecord) => void, opts: ScanOptions = {}): Promise<{ complete: boolean }> {
  const wanted = new Map(ranges.filter((r) => BigInt(r.from) < BigInt(r.to)).map((r) => [key(r.topic, r.partition), r]));
  if (wanted.size === 0) return { complete: true };
  const consumer = await readerConsumer(brokers, [...new Set(ranges.map((r) => r.topic))], 50);
  const done = new Set<string>();
  let finish!: (complete: boolean) => void;
  let fail!: (err: unknown) => void;
  const finished = new Promise<boolean>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const reached = (topic: string, partition: number, offset: string) => {
    const k = key(topic, partition);
    const r = wanted.get(k);
    if (!r || done.has(k) || BigInt(offset) < BigInt(r.to) - 1n) return;
    done.add(k);
    if (done.size === wanted.size) finish(true);
  };
  const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 15_000);
  const onAbort = () => finish(false);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Emitted for every fetched batch, also one holding only transaction markers, which never reaches eachBatch.
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.topic, e.payload.partition, e.payload.lastOffset));
    consumer.on(consumer.events.CRASH, (e) => fail(new ExternalError(`reading from Kafka failed: ${e.payload.error.message}`, { cause: e.payload.error })));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const r = wanted.get(key(batch.topic, batch.partition));
        if (!r || done.has(key(r.topic, r.partition))) return;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < BigInt(r.from)) continue;
          if (offset >= BigInt(r.to)) break;
          onRecord({ topic: batch.topic, partition: batch.partition, offset: m.offset, timestamp: Number(m.timestamp), key: m.key ?? null, value: m.value ?? null, headers: m.headers ?? {} });
        }
      },
    });
    position(consumer, ranges.map((r) => ({ topic: r.topic, partition: r.partition, from: wanted.has(key(r.topic, r.partition)) ? r.from : null })));
    return { complete: await finished };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
  }
}

/**
 * Follows `starts` until `signal` aborts: every record from each start on, as it arrives.
 * The iterable ends (without error) on abort; a consumer crash is thrown.
 */
export async function* followPartitions(brokers: string[], starts: PartitionStart[], signal: AbortSignal): AsyncGenerator<RawRecord> {
  // Read through a call: the signal aborts while this awaits, which a narrowed `signal.aborted` would not see.
  const aborted = (): boolean => signal.aborted;
  if (aborted()) return;
  const consumer = await readerConsumer(brokers, [...new Set(starts.map((s) => s.topic))], 1000);
  const events = new EventEmitter();
  // Subscribed before the consumer runs, so no record is emitted before someone listens.
  const records = on(events, 'record', { signal });
  try {
    consumer.on(consumer.events.CRASH, (e) => events.emit('error', new ExternalError(`following Kafka failed: ${e.payload.error.message}`, { cause: e.payload.error })));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message: m }) => {
        const record: RawRecord = { topic, partition, offset: m.offset, timestamp: Number(m.timestamp), key: m.key ?? null, value: m.value ?? null, headers: m.headers ?? {} };
        events.emit('record', record);
      },
    });
    position(consumer, starts);
    for await (const [record] of records) yield record as RawRecord;
  } catch (err) {
    if (!aborted()) throw err;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
