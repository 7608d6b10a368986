import { issuesText, type Backoff, type Logger } from '@oms/service-kit';
import type { z } from 'zod';
import { productSchema, type Product } from '../domain/product.js';
import type { BulkFailure } from '../data/product-repository.js';

/** The parts of a Kafka record the reduction looks at (a kafkajs `KafkaMessage` fits). */
export interface ProductRecord {
  offset: string;
  key?: Buffer | null;
  value: Buffer | null;
}

/** A record that cannot be applied, with the reason to log; it is skipped, never retried. */
export interface RejectedRecord {
  offset: string;
  key: string | null;
  reason: string;
}

/** What one batch asks of the index: at most one action per SKU. */
export interface BatchActions {
  upserts: Product[];
  deletes: string[];
  rejected: RejectedRecord[];
}

type Winner = { type: 'upsert'; product: Product } | { type: 'delete'; sku: string };

const skuSchema = productSchema.shape.sku;

/**
 * Reduces one partition's batch (in offset order) to the writes that leave the index as if
 * every record had been applied one by one:
 *
 * - the key is the SKU as UTF-8; a record without a key falls back to `value.sku`;
 * - the last valid record per SKU wins; a `null` value (tombstone) wins as a delete;
 * - a record that cannot be applied (bad JSON, schema violation, key ≠ `value.sku`, a keyless
 *   tombstone) is rejected with its reason and changes nothing, so an earlier valid version
 *   in the same batch still wins. Rejecting rather than "last record wins, then validate"
 *   keeps the result independent of where the batch boundaries fall, which is what makes a
 *   replay of the topic yield the same index.
 */
export function reduceBatch(records: readonly ProductRecord[]): BatchActions {
  const winners = new Map<string, Winner>();
  const rejected: RejectedRecord[] = [];

  for (const record of records) {
    const key = record.key && record.key.length > 0 ? record.key.toString('utf8') : null;
    const outcome = interpret(key, record.value);
    if ('reason' in outcome) {
      rejected.push({ offset: record.offset, key, reason: outcome.reason });
      continue;
    }
    const sku = outcome.type === 'upsert' ? outcome.product.sku : outcome.sku;
    // Re-insert so the map's order follows the winning records' offsets (stable, readable logs).
    winners.delete(sku);
    winners.set(sku, outcome);
  }

  const upserts: Product[] = [];
  const deletes: string[] = [];
  for (const winner of winners.values()) {
    if (winner.type === 'upsert') upserts.push(winner.product);
    else deletes.push(winner.sku);
  }
  return { upserts, deletes, rejected };
}

function interpret(key: string | null, value: Buffer | null): Winner | { reason: string } {
  if (value === null) {
    if (key === null) return { reason: 'tombstone without a key: no SKU to delete' };
    const sku = skuSchema.safeParse(key);
    if (!sku.success) return { reason: `tombstone key is not a valid SKU: ${issuesText(sku.error)}` };
    return { type: 'delete', sku: key };
  }

  const parsed = parseJsonValue(value, productSchema, 'a valid product');
  if ('reason' in parsed) return parsed;
  if (key !== null && key !== parsed.data.sku) {
    return { reason: `key "${key}" does not match value.sku "${parsed.data.sku}"` };
  }
  return { type: 'upsert', product: parsed.data };
}

/**
 * Splits per-document bulk failures into those worth retrying (Elasticsearch overloaded or
 * unavailable: 429 and 5xx) and those that will fail the same way forever (other 4xx), which
 * are logged and skipped so one bad document cannot stall its partition.
 */
export function splitFailures(failed: readonly BulkFailure[]): { retry: BulkFailure[]; skip: BulkFailure[] } {
  const retry: BulkFailure[] = [];
  const skip: BulkFailure[] = [];
  for (const f of failed) (isTransientStatus(f.status) ? retry : skip).push(f);
  return { retry, skip };
}

/** Why a batch is written again: how many `what` failed transiently, and the first of them. */
export function transientFailureError(again: readonly BulkFailure[], what: string): Error {
  const [first] = again;
  const example = first ? `, e.g. ${first.sku}: ${first.status} ${first.reason}` : '';
  return new Error(`${again.length} ${what} failed transiently${example}`);
}

/** 429 (rejected execution, circuit breaker) and 5xx are transient; other statuses are not. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** A record's value parsed as JSON and checked by `schema`; or the reason it is not `what`. */
export function parseJsonValue<T>(value: Buffer, schema: z.ZodType<T>, what: string): { data: T } | { reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { reason: `value is not valid JSON: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { data: parsed.data } : { reason: `value is not ${what}: ${issuesText(parsed.error)}` };
}

/** What both indexers (products, stock) take besides where they write. */
export interface IndexerConsumerOptions {
  brokers: string[];
  groupId: string;
  topic: string;
  logger: Logger;
  clientId?: string;
  /** How long one `start` waits for the first group join (default 60 s). */
  joinTimeoutMs?: number;
  /** Backoff between attempts to write a batch while Elasticsearch fails. */
  writeBackoff?: Backoff;
  /** Longest a fetch waits on an idle topic (service-kit's BatchConsumer default, 500 ms). */
  maxWaitTimeInMs?: number;
  /**
   * Called when the consumer stopped for good after it had started (a crash kafkajs will not
   * restart). The indexer cannot recover by itself; the server exits so a supervisor can.
   */
  onFatal?: (error: Error) => void;
}
