import { hostname } from 'node:os';
import { envInt, listenEnv, loadEnv, runEnv } from '@oms/service-kit';
import { z } from 'zod';

const topic = (fallback: string) => z.string().min(1).default(fallback);

/**
 * Every environment variable orders-stream reads, with its default. This is the only place
 * `process.env` is consulted.
 */
export const ordersStreamEnvSchema = z.object({
  ...listenEnv(3004),
  KAFKA_BROKERS: z
    .string()
    .regex(/^\s*[^:\s,]+:\d+\s*(,\s*[^:\s,]+:\d+\s*)*$/, 'expected host:port[,host:port...]')
    .default('127.0.0.1:9092')
    .transform((s) => s.split(',').map((b) => b.trim())),
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
  TOPIC_ORDER: topic('order'),
  TOPIC_ORDER_DETAIL: topic('order_detail'),
  TOPIC_CUSTOMER: topic('customer'),
  TOPIC_ADDRESS: topic('address'),
  TOPIC_PRODUCTS: topic('products'),
  TOPIC_OUTPUT: topic('orders-graph'),
  TOPIC_DLQ: topic('orders-stream.dlq'),
  ...runEnv(),
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
export function loadConfig(env: Record<string, string | undefined> = process.env): OrdersStreamEnv {
  return loadEnv(ordersStreamEnvSchema, env);
}

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
