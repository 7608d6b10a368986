import { envLogLevel, envPort, loadEnv } from '@oms/service-kit';
import { z } from 'zod';

/** Every variable orders-graph reads; the single place that touches `process.env`. */
export const ordersGraphEnvSchema = z.object({
  PORT: envPort(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PG_HOST: z.string().min(1).default('127.0.0.1'),
  PG_PORT: envPort(5432),
  PG_USER: z.string().min(1).default('oms'),
  PG_PASSWORD: z.string().default('oms'),
  PG_DATABASE: z.string().min(1).max(63).default('orders_graph'),
  LOG_LEVEL: envLogLevel(),
});

/** Parsed, frozen configuration of orders-graph. */
export type OrdersGraphConfig = z.infer<typeof ordersGraphEnvSchema>;

/** Reads and validates the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): OrdersGraphConfig {
  return loadEnv(ordersGraphEnvSchema, env);
}
