import { BatchConsumer, type ConsumerHealth } from '@oms/service-kit/kafka';
import type { ProductRepository } from '../data/product-repository.js';
import { reduceBatch, splitFailures, transientFailureError, type IndexerConsumerOptions } from './batch-actions.js';

export interface ProductIndexerOptions extends IndexerConsumerOptions {
  /** Where products go; only the bulk writes are used. */
  products: Pick<ProductRepository, 'bulkUpsert' | 'bulkDelete'>;
}

/**
 * What `/health` and `/health/indexer` report; `totals` counts batches, records, `upserted`,
 * `deleted`, `rejected` (records that can never be indexed) and `skippedByElasticsearch`.
 */
export type IndexerHealth = ConsumerHealth;

/**
 * Kafka → Elasticsearch indexer for the compacted `products` topic. Each partition batch is
 * reduced to one action per SKU ({@link reduceBatch}), written with one bulk upsert and one
 * bulk delete, and only then committed (service-kit's {@link BatchConsumer}). Writes are by SKU
 * with full-document `index`, so a replay converges to the same index; records that can never
 * be indexed are logged and skipped; when Elasticsearch fails, the batch is retried in place
 * with backoff, sending again only what failed transiently, and nothing is committed until it
 * succeeds.
 */
export class ProductIndexer extends BatchConsumer {
  constructor({ products, writeBackoff, logger, ...options }: ProductIndexerOptions) {
    const log = logger.child({ component: 'indexer' });
    super({
      ...options,
      logger,
      clientId: options.clientId ?? 'products-indexer',
      what: 'write products to Elasticsearch',
      counters: ['upserted', 'deleted', 'rejected', 'skippedByElasticsearch'],
      ...(writeBackoff ? { retryBackoff: writeBackoff } : {}),
      prepare: ({ partition, messages }, count) => {
        let { upserts, deletes, rejected } = reduceBatch(messages);
        for (const r of rejected) log.warn({ partition, offset: r.offset, key: r.key, reason: r.reason }, 'skipping a product record that cannot be indexed');
        return async () => {
          const [up, del] = await Promise.all([products.bulkUpsert(upserts), products.bulkDelete(deletes)]);
          const { retry: again, skip } = splitFailures([...up.failed, ...del.failed]);
          for (const f of skip) log.error({ partition, sku: f.sku, status: f.status, reason: f.reason }, 'Elasticsearch refused a product; skipping it');
          count('upserted', up.succeeded);
          count('deleted', del.succeeded);
          count('skippedByElasticsearch', skip.length);
          if (again.length > 0) {
            // Only what failed transiently is sent again; the rest is already in the index.
            const skus = new Set(again.map((f) => f.sku));
            upserts = upserts.filter((p) => skus.has(p.sku));
            deletes = deletes.filter((sku) => skus.has(sku));
            throw transientFailureError(again, 'documents');
          }
          count('rejected', rejected.length);
          rejected = [];
        };
      },
    });
  }
}
