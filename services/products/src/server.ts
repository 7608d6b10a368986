import { Client, errors } from '@elastic/elasticsearch';
import { runService, type DependencyStep } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { ensureProductIndex, ensureStockIndex } from './data/product-index.js';
import { ElasticsearchProductRepository, type ProductRepository } from './data/product-repository.js';
import { cachedProducts, cachedStock, ProductViewCache } from './data/product-view-cache.js';
import { ElasticsearchProductViews, type ProductViewSource } from './data/product-views.js';
import { ElasticsearchStockRepository, type StockRepository } from './data/stock-repository.js';
import { ProductIndexer } from './indexer/product-indexer.js';
import { StockIndexer } from './indexer/stock-indexer.js';

// The entry point: service-kit runs the service (listen, wait for Elasticsearch then Kafka,
// serve, shut down) and says how it ended; only this file exits.
const exitCode = await runService({
  name: 'products',
  loadConfig,
  create: ({ config, logger, dependencies, fail }) => {
    // Bounded waits, so a request meets a 503 rather than hanging while Elasticsearch is down:
    // 10 s per attempt and one retry (the client's retries back off, and the indexers retry
    // their batches themselves).
    const client = new Client({ node: config.ES_URL, requestTimeout: 10_000, maxRetries: 1 });
    let products: ProductRepository = new ElasticsearchProductRepository(client, config.ES_INDEX);
    let stock: StockRepository = new ElasticsearchStockRepository(client, config.ES_STOCK_INDEX);
    let views: ProductViewSource = new ElasticsearchProductViews(client, config.ES_INDEX, config.ES_STOCK_INDEX);
    if (config.PRODUCT_CACHE_MAX > 0) {
      // The indexers write through the cache's wrappers, which keep it exact (docs/architecture.md, "Product reads").
      const cache = new ProductViewCache(views, { max: config.PRODUCT_CACHE_MAX, ttlMs: config.PRODUCT_CACHE_TTL_MS });
      products = cachedProducts(products, cache);
      stock = cachedStock(stock, cache);
      views = cache;
    }
    const steps: DependencyStep[] = [
      {
        dependency: 'elasticsearch',
        target: `Elasticsearch at ${config.ES_URL} (index ${config.ES_INDEX}, stock index ${config.ES_STOCK_INDEX})`,
        prepare: async () => {
          await ensureProductIndex(client, config.ES_INDEX);
          await ensureStockIndex(client, config.ES_STOCK_INDEX);
        },
        // A mapping that conflicts with the index's is refused with a 400: no wait fixes that.
        isFatal: (err) => err instanceof errors.ResponseError && err.statusCode === 400,
      },
    ];
    const kafka = { brokers: config.KAFKA_BROKERS, logger };
    const indexers = config.INDEXER_ENABLED
      ? {
          products: new ProductIndexer({ ...kafka, groupId: config.KAFKA_GROUP_ID, topic: config.TOPIC_PRODUCTS, products, onFatal: (err) => fail(err, 'the indexer stopped for good') }),
          stock: new StockIndexer({ ...kafka, groupId: config.KAFKA_STOCK_GROUP_ID, topic: config.TOPIC_INVENTORY, stock, onFatal: (err) => fail(err, 'the stock indexer stopped for good') }),
        }
      : undefined;
    if (indexers) {
      steps.push({
        dependency: 'kafka',
        target: `Kafka at ${config.KAFKA_BROKERS.join(',')} (topics ${config.TOPIC_PRODUCTS} and ${config.TOPIC_INVENTORY}, groups ${config.KAFKA_GROUP_ID} and ${config.KAFKA_STOCK_GROUP_ID})`,
        prepare: async (signal) => {
          await indexers.products.start(signal);
          await indexers.stock.start(signal);
        },
      });
    } else {
      logger.warn('INDEXER_ENABLED=false: products and stock published to Kafka will not be indexed');
    }
    return {
      app: createApp({ logger, products, stock, views, indexer: indexers?.products, stockIndexer: indexers?.stock, dependencies }),
      waitFor: steps,
      close: async () => {
        await Promise.all([indexers?.products.stop(), indexers?.stock.stop()]);
        await client.close();
      },
    };
  },
});
process.exit(exitCode);
