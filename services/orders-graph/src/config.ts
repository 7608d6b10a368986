import { configLoader, serviceEnv } from '@oms/service-kit';
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
