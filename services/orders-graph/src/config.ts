import { configLoader, serviceEnv } from '@oms/service-kit';
import { pgEnv } from '@oms/service-kit/pg';
import type { z } from 'zod';

/** Every variable orders-graph reads; the single place that touches `process.env`. */
export const ordersGraphEnvSchema = serviceEnv(4000, pgEnv('orders_graph'));

/** Parsed, frozen configuration of orders-graph. */
export type OrdersGraphConfig = z.infer<typeof ordersGraphEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(ordersGraphEnvSchema);
