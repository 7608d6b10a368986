import { Client, errors } from '@elastic/elasticsearch';
import { runService, type DependencyStep } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { ensureProductIndex } from './data/product-index.js';
import { ElasticsearchProductRepository } from './data/product-repository.js';
import { ProductIndexer } from './indexer/product-indexer.js';

// The entry point: service-kit runs the service (listen, wait for Elasticsearch then Kafka,
// serve, shut down) and says how it ended; only this file exits.
const exitCode = await runService({
  name: 'products',
  loadConfig,
  create: ({ config, logger, dependencies, fail }) => {
    const client = new Client({ node: config.ES_URL, requestTimeout: 30_000 });
    const products = new ElasticsearchProductRepository(client, config.ES_INDEX);
    const steps: DependencyStep[] = [
      {
        dependency: 'elasticsearch',
        target: `Elasticsearch at ${config.ES_URL} (index ${config.ES_INDEX})`,
        prepare: () => ensureProductIndex(client, config.ES_INDEX),
        // A mapping that conflicts with the index's is refused with a 400: no wait fixes that.
        isFatal: (err) => err instanceof errors.ResponseError && err.statusCode === 400,
      },
    ];
    const indexer = config.INDEXER_ENABLED
      ? new ProductIndexer({
          brokers: config.KAFKA_BROKERS,
          groupId: config.KAFKA_GROUP_ID,
          topic: config.TOPIC_PRODUCTS,
          products,
          logger,
          onFatal: (err) => fail(err, 'the indexer stopped for good'),
        })
      : undefined;
    if (indexer) {
      steps.push({
        dependency: 'kafka',
        target: `Kafka at ${config.KAFKA_BROKERS.join(',')} (topic ${config.TOPIC_PRODUCTS}, group ${config.KAFKA_GROUP_ID})`,
        prepare: (signal) => indexer.start(signal),
      });
    } else {
      logger.warn('INDEXER_ENABLED=false: products published to Kafka will not be indexed');
    }
    return {
      app: createApp({ logger, products, indexer, dependencies }),
      waitFor: steps,
      close: async () => {
        await indexer?.stop();
        await client.close();
      },
    };
  },
});
process.exit(exitCode);
