import { configLoader, envBrokers, envTopic, serviceEnv } from '@oms/service-kit';
import { pgEnv } from '@oms/service-kit/pg';
import { z } from 'zod';
import { DEFAULT_GRAPHQL_LIMITS, type GraphqlLimits } from './routes/graphql-limits.js';

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/** Every variable orders-graph reads; the single place that touches `process.env`. */
export const ordersGraphEnvSchema = serviceEnv(4000, {
  ...pgEnv('orders_graph'),
  // What one GraphQL request may ask for (routes/graphql-limits.ts, docs/architecture.md "Limits").
  GRAPHQL_MAX_TOKENS: positiveInt(DEFAULT_GRAPHQL_LIMITS.maxTokens),
  GRAPHQL_MAX_DEPTH: positiveInt(DEFAULT_GRAPHQL_LIMITS.maxDepth),
  GRAPHQL_MAX_ALIASES: positiveInt(DEFAULT_GRAPHQL_LIMITS.maxAliases),
  GRAPHQL_MAX_COST: positiveInt(DEFAULT_GRAPHQL_LIMITS.maxCost),
  GRAPHQL_TIMEOUT_MS: positiveInt(DEFAULT_GRAPHQL_LIMITS.timeoutMs),
  /** `host:port[,host:port…]`: where shipping's events are read from. */
  KAFKA_BROKERS: envBrokers(),
  /** Shipping's outbox topic (Debezium's outbox router): every event of every shipment. */
  SHIPMENT_EVENTS_TOPIC: envTopic('shipment-events'),
  /** orders-graph's consumer group on SHIPMENT_EVENTS_TOPIC; every instance shares it. */
  SHIPMENTS_GROUP_ID: z.string().min(1).default('orders-graph-shipments'),
});

/** Parsed, frozen configuration of orders-graph. */
export type OrdersGraphConfig = z.infer<typeof ordersGraphEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(ordersGraphEnvSchema);

/** The GraphQL limits the configuration sets. */
export function graphqlLimits(config: OrdersGraphConfig): GraphqlLimits {
  return {
    maxTokens: config.GRAPHQL_MAX_TOKENS,
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxCost: config.GRAPHQL_MAX_COST,
    timeoutMs: config.GRAPHQL_TIMEOUT_MS,
  };
}
