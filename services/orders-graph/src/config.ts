import { configLoader, envBrokers, envTopic, serviceEnv } from '@oms/service-kit';
import { pgEnv } from '@oms/service-kit/pg';
import { z } from 'zod';

/** Every variable orders-graph reads; the single place that touches `process.env`. */
export const ordersGraphEnvSchema = serviceEnv(4000, {
  ...pgEnv('orders_graph'),
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
