import { listenEnv, loadEnv, runEnv } from '@oms/service-kit';
import { z } from 'zod';

const BROKER = '[^\\s,:]+:\\d{1,5}';
/** `host:port[,host:port…]`, the form the CLI passes; parsed into a list. */
const brokerList = z
  .string()
  .regex(new RegExp(`^\\s*${BROKER}\\s*(,\\s*${BROKER}\\s*)*$`), 'must be host:port[,host:port...]')
  .transform((s) => s.split(',').map((b) => b.trim()));

/** `z.coerce.boolean()` would read "false" as true; accept the usual spellings only. */
const envBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);

/** Every variable the products service reads; the single place that touches `process.env`. */
export const productsEnvSchema = z.object({
  ...listenEnv(3002),
  ES_URL: z.url().default('http://127.0.0.1:9200'),
  ES_INDEX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be a lowercase Elasticsearch index name')
    .default('products'),
  /** Kafka bootstrap servers of the indexer. */
  KAFKA_BROKERS: brokerList.prefault('127.0.0.1:9092'),
  /** Consumer group of the indexer; every products instance shares it. */
  KAFKA_GROUP_ID: z.string().min(1).default('products-indexer'),
  /** The compacted topic `oms seed` publishes products to. */
  TOPIC_PRODUCTS: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name')
    .default('products'),
  /** Off only for running the HTTP API without Kafka (tests, debugging); then /health ignores the indexer. */
  INDEXER_ENABLED: envBool(true),
  ...runEnv(),
});

/** Parsed, frozen configuration of the products service. */
export type ProductsConfig = z.infer<typeof productsEnvSchema>;

/** Reads and validates the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ProductsConfig {
  return loadEnv(productsEnvSchema, env);
}
