import { configLoader, envBool, envBrokers, envTopic, serviceEnv } from '@oms/service-kit';
import { z } from 'zod';

const indexName = (fallback: string) =>
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be a lowercase Elasticsearch index name')
    .default(fallback);

/** Every variable the products service reads; the single place that touches `process.env`. */
export const productsEnvSchema = serviceEnv(3002, {
  ES_URL: z.url().default('http://127.0.0.1:9200'),
  ES_INDEX: indexName('products'),
  /** Where the inventory's stock (`available` beside each product) is kept. */
  ES_STOCK_INDEX: indexName('product-stock'),
  /** Kafka bootstrap servers of the indexers. */
  KAFKA_BROKERS: envBrokers(),
  /** Consumer group of the indexer; every products instance shares it. */
  KAFKA_GROUP_ID: z.string().min(1).default('products-indexer'),
  /** The compacted topic `oms seed` publishes products to. */
  TOPIC_PRODUCTS: envTopic('products'),
  /** Consumer group of the stock indexer; every products instance shares it. */
  KAFKA_STOCK_GROUP_ID: z.string().min(1).default('products-stock'),
  /** The compacted topic the inventory publishes each SKU's stock to. */
  TOPIC_INVENTORY: envTopic('inventory'),
  /** Off only for running the HTTP API without Kafka (tests, debugging); then /health ignores the indexer. */
  INDEXER_ENABLED: envBool(true),
  /** SKUs the read cache of `GET /products/:sku` holds; 0 turns the cache off (every read goes to Elasticsearch). */
  PRODUCT_CACHE_MAX: z.coerce.number().int().min(0).default(10_000),
  /**
   * Longest a cached view is served after the read that filled it: how long a write to the
   * indexes from outside this process (another instance, a person) can go unseen. The
   * indexers' own writes update the cache at once.
   */
  PRODUCT_CACHE_TTL_MS: z.coerce.number().int().min(1).default(5_000),
});

/** Parsed, frozen configuration of the products service. */
export type ProductsConfig = z.infer<typeof productsEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(productsEnvSchema);
