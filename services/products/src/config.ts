import { envPort, loadEnv } from '@oms/service-kit';
import { z } from 'zod';

/** Every variable the products service reads; the single place that touches `process.env`. */
export const productsEnvSchema = z.object({
  PORT: envPort(3002),
  HOST: z.string().min(1).default('127.0.0.1'),
  ES_URL: z.url().default('http://127.0.0.1:9200'),
  ES_INDEX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be a lowercase Elasticsearch index name')
    .default('products'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Parsed, frozen configuration of the products service. */
export type ProductsConfig = z.infer<typeof productsEnvSchema>;

/** Reads and validates the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ProductsConfig {
  return loadEnv(productsEnvSchema, env);
}
