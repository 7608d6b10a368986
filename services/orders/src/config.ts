import { envPort, loadEnv } from '@oms/service-kit';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
  PORT: envPort(3003),
  HOST: z.string().min(1).default('127.0.0.1'),
  MYSQL_HOST: z.string().min(1).default('127.0.0.1'),
  MYSQL_PORT: envPort(3306),
  MYSQL_USER: z.string().min(1).default('oms'),
  MYSQL_PASSWORD: z.string().default('oms'),
  // The database name becomes an identifier in CREATE DATABASE, so keep it to a safe alphabet.
  MYSQL_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and underscores only')
    .default('orders'),
  CUSTOMERS_URL: serviceUrl('http://127.0.0.1:3001'),
  PRODUCTS_URL: serviceUrl('http://127.0.0.1:3002'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

/** The parsed, frozen configuration of the orders service. */
export type OrdersConfig = z.infer<typeof ordersEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): OrdersConfig {
  return loadEnv(ordersEnvSchema, env);
}
