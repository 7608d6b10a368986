import { Client } from '@elastic/elasticsearch';
import { ConfigError, createLogger, serve } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig, type ProductsConfig } from './config.js';
import { ensureProductIndex } from './data/product-index.js';
import { ElasticsearchProductRepository } from './data/product-repository.js';

const config = loadConfigOrExit();
const logger = createLogger('products', config.LOG_LEVEL);
const client = new Client({ node: config.ES_URL, requestTimeout: 30_000 });

try {
  await ensureProductIndex(client, config.ES_INDEX);
  logger.info({ index: config.ES_INDEX }, 'index ready');
} catch (err) {
  logger.fatal({ err, esUrl: config.ES_URL, index: config.ES_INDEX }, 'could not prepare the Elasticsearch index');
  await client.close();
  process.exit(1);
}

const products = new ElasticsearchProductRepository(client, config.ES_INDEX);
await serve({
  app: createApp({ logger, products }),
  port: config.PORT,
  host: config.HOST,
  logger,
  close: () => client.close(),
});

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
