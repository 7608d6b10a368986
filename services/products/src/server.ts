import { Client } from '@elastic/elasticsearch';
import { ConfigError, createLogger, serve } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig, type ProductsConfig } from './config.js';
import { ensureProductIndex } from './data/product-index.js';
import { ElasticsearchProductRepository } from './data/product-repository.js';
import { ProductIndexer } from './indexer/product-indexer.js';
import { describeError, retryUntil, RetryAbortedError } from './retry.js';

const config = loadConfigOrExit();
const logger = createLogger('products', config.LOG_LEVEL);
const client = new Client({ node: config.ES_URL, requestTimeout: 30_000 });
const startupBackoff = { initialMs: 500, maxMs: 5_000 };

// The CLI starts the infrastructure first, but Elasticsearch may still be warming up.
try {
  await retryUntil(() => ensureProductIndex(client, config.ES_INDEX), {
    what: `prepare the Elasticsearch index "${config.ES_INDEX}" at ${config.ES_URL}`,
    timeoutMs: config.STARTUP_TIMEOUT_MS,
    backoff: startupBackoff,
    onRetry: ({ attempt, delayMs, error }) =>
      logger.warn({ attempt, retryInMs: delayMs, error: describeError(error) }, 'Elasticsearch is not ready yet; retrying'),
  });
  logger.info({ index: config.ES_INDEX }, 'index ready');
} catch (err) {
  logger.fatal({ err, esUrl: config.ES_URL, index: config.ES_INDEX }, 'could not prepare the Elasticsearch index');
  await client.close();
  process.exit(1);
}

const products = new ElasticsearchProductRepository(client, config.ES_INDEX);
const indexer = config.INDEXER_ENABLED
  ? new ProductIndexer({
      brokers: config.KAFKA_BROKERS,
      groupId: config.KAFKA_GROUP_ID,
      topic: config.TOPIC_PRODUCTS,
      products,
      logger,
      startupTimeoutMs: config.STARTUP_TIMEOUT_MS,
      startupBackoff,
      onFatal: (err) => void exitFatal(err, 'the indexer stopped for good'),
    })
  : undefined;
if (!indexer) logger.warn('INDEXER_ENABLED=false: products published to Kafka will not be indexed');

// Listen first so /health can say "starting" (503) while the indexer joins its group.
await serve({
  app: createApp({ logger, products, indexer }),
  port: config.PORT,
  host: config.HOST,
  logger,
  close: async () => {
    await indexer?.stop();
    await client.close();
  },
});

try {
  await indexer?.start();
} catch (err) {
  // Aborted by SIGTERM during start-up: serve() is already shutting down and exits.
  if (!(err instanceof RetryAbortedError)) {
    await exitFatal(err, `could not start the indexer (Kafka ${config.KAFKA_BROKERS.join(',')}, topic "${config.TOPIC_PRODUCTS}")`);
  }
}

/** The indexer cannot run: say why, release what we hold, exit 1 so a supervisor notices. */
async function exitFatal(err: unknown, message: string): Promise<never> {
  logger.fatal({ error: describeError(err) }, message);
  await indexer?.stop().catch(() => {});
  await client.close().catch(() => {});
  process.exit(1);
}

/** A bad environment is an operator mistake: one clear message listing every problem, no stack. */
function loadConfigOrExit(): ProductsConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger('products').fatal({ problems: err.problems }, err.message);
    process.exit(1);
  }
}
