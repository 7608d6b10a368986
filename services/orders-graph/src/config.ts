import { listenEnv, loadEnv, runEnv } from '@oms/service-kit';
import { pgEnv } from '@oms/service-kit/pg';
import { z } from 'zod';

/** Every variable orders-graph reads; the single place that touches `process.env`. */
export const ordersGraphEnvSchema = z.object({
  ...listenEnv(4000),
  ...pgEnv('orders_graph'),
  ...runEnv(),
});

/** Parsed, frozen configuration of orders-graph. */
export type OrdersGraphConfig = z.infer<typeof ordersGraphEnvSchema>;

/** Reads and validates the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): OrdersGraphConfig {
  return loadEnv(ordersGraphEnvSchema, env);
}
