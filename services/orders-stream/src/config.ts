import { hostname } from 'node:os';
import { configLoader, envBrokers, envInt, envTopic, serviceEnv } from '@oms/service-kit';
import { z } from 'zod';

/**
 * Every environment variable orders-stream reads, with its default. This is the only place
 * `process.env` is consulted.
 */
export const ordersStreamEnvSchema = serviceEnv(3004, {
  KAFKA_BROKERS: envBrokers(),
  KAFKA_GROUP_ID: z.string().min(1).default('orders-stream'),
  KAFKA_CLIENT_ID: z.string().min(1).default('orders-stream'),
  // Part of the transactional id: keep it stable across restarts of the same instance (the
  // CLI sets it) so a restarted producer fences its predecessor and aborts the transaction
  // a kill -9 left open at once, instead of after the transaction timeout.
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, dot, underscore and dash only')
    .default(`${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}`),
  // The broker waits this long for a dead member before it rebalances its partitions away.
  KAFKA_SESSION_TIMEOUT_MS: envInt(30_000).pipe(z.number().min(6_000)),
  TOPIC_ORDER: envTopic('order'),
  TOPIC_ORDER_DETAIL: envTopic('order_detail'),
  TOPIC_CUSTOMER: envTopic('customer'),
  TOPIC_ADDRESS: envTopic('address'),
  TOPIC_PRODUCTS: envTopic('products'),
  TOPIC_OUTPUT: envTopic('orders-graph'),
  TOPIC_DLQ: envTopic('orders-stream.dlq'),
});

/** The parsed, frozen environment of orders-stream. */
export type OrdersStreamEnv = z.infer<typeof ordersStreamEnvSchema>;

/** Topic names the processor reads and writes; tests pass their own. */
export interface StreamTopics {
  order: string;
  orderDetail: string;
  customer: string;
  address: string;
  products: string;
  output: string;
  dlq: string;
}

/** What the Kafka wiring needs, independent of how it was configured. */
export interface StreamConfig {
  brokers: string[];
  groupId: string;
  clientId: string;
  instanceId: string;
  sessionTimeoutMs: number;
  topics: StreamTopics;
}

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(ordersStreamEnvSchema);

/** The Kafka part of the environment, in the shape the processor takes. */
export function streamConfig(env: OrdersStreamEnv): StreamConfig {
  return {
    brokers: env.KAFKA_BROKERS,
    groupId: env.KAFKA_GROUP_ID,
    clientId: env.KAFKA_CLIENT_ID,
    instanceId: env.INSTANCE_ID,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    topics: {
      order: env.TOPIC_ORDER,
      orderDetail: env.TOPIC_ORDER_DETAIL,
      customer: env.TOPIC_CUSTOMER,
      address: env.TOPIC_ADDRESS,
      products: env.TOPIC_PRODUCTS,
      output: env.TOPIC_OUTPUT,
      dlq: env.TOPIC_DLQ,
    },
  };
}
