import { configLoader, envBrokers, envInt, envServiceUrl, envTopic, serviceEnv } from '@oms/service-kit';
import { z } from 'zod';

/**
 * Every environment variable the inventory service reads, with its default. This is the only
 * place `process.env` is consulted.
 */
export const inventoryEnvSchema = serviceEnv(3005, {
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** Every key the service writes starts with it, so one Redis can hold other data too. */
  REDIS_KEY_PREFIX: z.string().min(1).default('inventory:'),
  PRODUCTS_URL: envServiceUrl('http://127.0.0.1:3002'),
  /** `host:port[,host:port…]`: where the outbox publisher writes stock changes. */
  KAFKA_BROKERS: envBrokers(),
  /** The compacted topic, keyed by SKU, that receives every change of a SKU's stock. */
  INVENTORY_TOPIC: envTopic('inventory'),
  /** Debezium's topic of the orders' rows: a row confirms its reservation, a cancelled one releases it. */
  ORDER_TOPIC: envTopic('order'),
  /** The inventory's consumer group on ORDER_TOPIC; every instance shares it. */
  ORDERS_GROUP_ID: z.string().min(1).default('inventory-orders'),
  /** How long the publisher's lease lasts unrenewed: how soon another instance takes over from a dead one. */
  OUTBOX_LEASE_MS: envInt(10_000).pipe(z.number().min(3000)),
  /**
   * Least time between two of the outbox publisher's Kafka transactions: under load the stock
   * changes of this interval go in one; after a quiet spell a change goes at once.
   */
  OUTBOX_BATCH_INTERVAL_MS: envInt(100).pipe(z.number().min(0).max(1000)),
  /** How long a reservation waits for its order's row on the `order` topic before its stock returns. */
  RESERVATION_TTL_MS: envInt(300_000).pipe(z.number().min(1000)),
  /** How often overdue reservations are looked for; an expiry is at most this late. */
  SWEEP_INTERVAL_MS: envInt(5000).pipe(z.number().min(10)),
});

/** The parsed, frozen configuration of the inventory service. */
export type InventoryConfig = z.infer<typeof inventoryEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(inventoryEnvSchema);
