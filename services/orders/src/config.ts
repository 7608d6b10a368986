import { listenEnv, loadEnv, runEnv } from '@oms/service-kit';
import { mysqlEnv } from '@oms/service-kit/mysql';
import { z } from 'zod';

// Trailing slashes are dropped so paths can be appended without doubling them.
const serviceUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/ })
    .default(fallback)
    .transform((url) => url.replace(/\/+$/, ''));

/**
 * Every environment variable the orders service reads, with its default. This is the only
 * place `process.env` is consulted.
 */
export const ordersEnvSchema = z.object({
  ...listenEnv(3003),
  ...mysqlEnv('orders'),
  CUSTOMERS_URL: serviceUrl('http://127.0.0.1:3001'),
  PRODUCTS_URL: serviceUrl('http://127.0.0.1:3002'),
  ...runEnv(),
});

/** The parsed, frozen configuration of the orders service. */
export type OrdersConfig = z.infer<typeof ordersEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): OrdersConfig {
  return loadEnv(ordersEnvSchema, env);
}
