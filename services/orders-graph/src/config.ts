import { envLogLevel, envPort, envStartTimeout, loadEnv } from '@oms/service-kit';
import { pgEnv } from '@oms/service-kit/pg';
import { z } from 'zod';

/** Every variable orders-graph reads; the single place that touches `process.env`. */
export const ordersGraphEnvSchema = z.object({
  PORT: envPort(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  ...pgEnv('orders_graph'),
  LOG_LEVEL: envLogLevel(),
  START_TIMEOUT_MS: envStartTimeout(),
});

/** Parsed, frozen configuration of orders-graph. */
export type OrdersGraphConfig = z.infer<typeof ordersGraphEnvSchema>;

/** Reads and validates the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): OrdersGraphConfig {
  return loadEnv(ordersGraphEnvSchema, env);
}
