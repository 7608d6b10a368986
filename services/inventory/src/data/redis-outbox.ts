import type { Redis } from 'ioredis';
import { z } from 'zod';
import { changeRecordSchema, type ChangeRecord } from '../domain/inventory.js';
import { guardRedis } from './redis.js';

/** A change record with its stream id, the publisher's acknowledgement token. */
export interface OutboxEntry {
  id: string;
  record: ChangeRecord;
}

// XRANGE gives [id, [field, value, field, value, …]] per entry (XREAD the same, per stream); `at` is stored as ms.
const entrySchema = z.tuple([z.string(), z.array(z.string())]);
const streamsSchema = z.array(z.tuple([z.string(), z.array(z.unknown())]));
const storedRecordSchema = z.object({
  sku: z.string(),
  onHand: z.coerce.number().int(),
  reserved: z.coerce.number().int(),
  available: z.coerce.number().int(),
  version: z.coerce.number().int(),
  at: z.coerce
    .number()
    .int()
    .transform((ms) => new Date(ms).toISOString()),
  cause: z.string(),
  orderId: z.string().optional(),
});

/**
 * The Redis side of the inventory outbox: the stream every stock-changing script appends to in
 * the same atomic step as the change (data/scripts.ts). What is in the stream is exactly what
 * has not reached Kafka yet:
 *
 * - a publisher {@link read}s the oldest entries, produces them to the compacted `inventory`
 *   topic keyed by SKU (idempotent producer, acks=all), and only once Kafka acknowledged them
 *   calls {@link ack}, which trims them;
 * - if the service dies between Redis and Kafka, the entries are still in the stream and the
 *   next publisher sends them again: at least once. A duplicate is harmless, because each
 *   record is the SKU's whole state (not a delta) and the topic keeps the latest per SKU; the
 *   records' `version` lets a reader drop one older than what it has;
 * - entries are read in stream order, which per SKU is the order of its changes. So that two
 *   instances never interleave stale records, one publisher drains at a time (see
 *   domain/outbox-publisher.ts: a lease in Redis, fenced in Kafka by a transactional id).
 */
export class RedisOutbox {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  /** The oldest `count` unpublished entries, oldest first. */
  async read(count: number): Promise<OutboxEntry[]> {
    const raw = await guardRedis(() => this.redis.xrange(this.key, '-', '+', 'COUNT', count));
    return raw.map(parseEntry);
  }

  /**
   * Like {@link read}, but when nothing waits it blocks up to `blockMs` for the first entry to
   * arrive, so a publisher sees a change at once and costs nothing while idle. The wait holds
   * the connection: give this outbox a Redis client of its own.
   */
  async take(count: number, blockMs: number): Promise<OutboxEntry[]> {
    // From id 0: everything still in the stream, which is exactly what is unpublished.
    const raw = await guardRedis(() => this.redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '0-0'));
    if (raw === null) return [];
    return streamsSchema.parse(raw).flatMap(([, entries]) => entries.map(parseEntry));
  }

  /** Forgets every entry up to and including `id`: they reached Kafka. Idempotent. */
  async ack(id: string): Promise<void> {
    await guardRedis(() => this.redis.xtrim(this.key, 'MINID', nextStreamId(id)));
  }

  /** How many entries wait to be published. */
  length(): Promise<number> {
    return guardRedis(() => this.redis.xlen(this.key));
  }
}

function parseEntry(item: unknown): OutboxEntry {
  const [id, flat] = entrySchema.parse(item);
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return { id, record: changeRecordSchema.parse(storedRecordSchema.parse(fields)) };
}

/** The smallest stream id after `id` (`ms-seq` → `ms-(seq+1)`), so MINID trims `id` itself. */
export function nextStreamId(id: string): string {
  const match = /^(\d+)-(\d+)$/.exec(id);
  if (!match) throw new Error(`not a stream id: ${id}`);
  return `${match[1]!}-${BigInt(match[2]!) + 1n}`;
}
