import { BatchConsumer } from '@oms/service-kit/kafka';
import type { KafkaMessage } from 'kafkajs';
import type { StockRepository } from '../data/stock-repository.js';
import { stockRecordSchema, type StockRecord } from '../domain/stock.js';
import { parseJsonValue, splitFailures, transientFailureError, type IndexerConsumerOptions, type RejectedRecord } from './batch-actions.js';

/** `topic` is the compacted topic the inventory publishes each SKU's stock to (`inventory`). */
export interface StockIndexerOptions extends IndexerConsumerOptions {
  stock: Pick<StockRepository, 'bulkPut'>;
}

/**
 * Reduces one partition's batch to the newest record per SKU (highest `version`; the topic is
 * keyed by SKU, so a SKU's records are in one partition, in the order the inventory published
 * them, but a publisher retry may repeat older ones). Tombstones carry no stock and are skipped;
 * a record that is not a stock record is rejected with its reason.
 */
export function newestStock(messages: ReadonlyArray<Pick<KafkaMessage, 'offset' | 'key' | 'value'>>): { records: StockRecord[]; rejected: RejectedRecord[] } {
  const newest = new Map<string, StockRecord>();
  const rejected: RejectedRecord[] = [];
  for (const message of messages) {
    const key = message.key && message.key.length > 0 ? message.key.toString('utf8') : null;
    if (message.value === null) continue;
    const parsed = parseStock(message.value);
    if ('reason' in parsed) {
      rejected.push({ offset: message.offset, key, reason: parsed.reason });
      continue;
    }
    if (key !== null && key !== parsed.record.sku) {
      rejected.push({ offset: message.offset, key, reason: `key "${key}" does not match value.sku "${parsed.record.sku}"` });
      continue;
    }
    const held = newest.get(parsed.record.sku);
    if (!held || held.version < parsed.record.version) newest.set(parsed.record.sku, parsed.record);
  }
  return { records: [...newest.values()], rejected };
}

function parseStock(value: Buffer): { record: StockRecord } | { reason: string } {
  const parsed = parseJsonValue(value, stockRecordSchema, 'a stock record');
  return 'reason' in parsed ? parsed : { record: parsed.data };
}

/**
 * Kafka → Elasticsearch for the compacted `inventory` topic: what `available` beside a product
 * comes from. Each batch is reduced to the newest record per SKU ({@link newestStock}) and
 * written with the record's version as the document's external version, so a record that is
 * not newer than the stored one is dropped by Elasticsearch itself (counted as `stale`), then
 * committed (service-kit's {@link BatchConsumer}). A replay from the start of the topic
 * converges to the same index.
 */
export class StockIndexer extends BatchConsumer {
  constructor({ stock, writeBackoff, logger, ...options }: StockIndexerOptions) {
    const log = logger.child({ component: 'stock-indexer' });
    super({
      ...options,
      logger,
      clientId: options.clientId ?? 'products-stock-indexer',
      what: 'write stock to Elasticsearch',
      counters: ['stored', 'stale', 'rejected', 'skippedByElasticsearch'],
      ...(writeBackoff ? { retryBackoff: writeBackoff } : {}),
      prepare: ({ partition, messages }, count) => {
        let { records, rejected } = newestStock(messages);
        for (const r of rejected) log.warn({ partition, offset: r.offset, key: r.key, reason: r.reason }, 'skipping an inventory record that is not a stock record');
        return async () => {
          const result = await stock.bulkPut(records);
          const { retry: again, skip } = splitFailures(result.failed);
          for (const f of skip) log.error({ partition, sku: f.sku, status: f.status, reason: f.reason }, 'Elasticsearch refused a stock record; skipping it');
          count('stored', result.stored);
          count('stale', result.stale);
          count('skippedByElasticsearch', skip.length);
          if (again.length > 0) {
            const skus = new Set(again.map((f) => f.sku));
            records = records.filter((r) => skus.has(r.sku));
            throw transientFailureError(again, 'stock records');
          }
          count('rejected', rejected.length);
          rejected = [];
        };
      },
    });
  }
}
