import { configLoader, envBrokers, envTopic, serviceEnv } from '@oms/service-kit';
import { pgEnv } from '@oms/service-kit/pg';
import { z } from 'zod';

/** Every variable the shipping service reads; the single place that touches `process.env`. */
export const shippingEnvSchema = serviceEnv(3006, {
  // Its own database: the event store, its outbox and projection, apart from the read model.
  ...pgEnv('shipping'),
  /** `host:port[,host:port…]`: where the enriched orders are read from. */
  KAFKA_BROKERS: envBrokers(),
  /** orders-stream's enriched orders: each new order requests its shipment, a cancelled one cancels it. */
  ORDERS_GRAPH_TOPIC: envTopic('orders-graph'),
  /** The shipping service's consumer group on ORDERS_GRAPH_TOPIC; every instance shares it. */
  ORDERS_GROUP_ID: z.string().min(1).default('shipping-orders'),
});

/** Parsed, frozen configuration of the shipping service. */
export type ShippingConfig = z.infer<typeof shippingEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(shippingEnvSchema);
