import { configLoader, envBrokers, envInt, envServiceUrl, envTopic, serviceEnv } from '@oms/service-kit';
import { mysqlEnv } from '@oms/service-kit/mysql';
import { z } from 'zod';

/**
 * Every environment variable the orders service reads, with its default. This is the only
 * place `process.env` is consulted.
 */
export const ordersEnvSchema = serviceEnv(3003, {
  ...mysqlEnv('orders'),
  CUSTOMERS_URL: envServiceUrl('http://127.0.0.1:3001'),
  PRODUCTS_URL: envServiceUrl('http://127.0.0.1:3002'),
  /** The reference view reads these topics (customers and their addresses from CDC, products). */
  KAFKA_BROKERS: envBrokers(),
  CUSTOMER_TOPIC: envTopic('customer'),
  ADDRESS_TOPIC: envTopic('address'),
  PRODUCTS_TOPIC: envTopic('products'),
  /** Where stock is reserved before an order is written. */
  INVENTORY_URL: envServiceUrl('http://127.0.0.1:3005'),
  /**
   * Test hook, off (0) by default: holds every order this long between its reservation and its
   * write, so a test can kill the service there and watch the reservation expire.
   */
  TEST_PAUSE_AFTER_RESERVE_MS: envInt(0).pipe(z.number().min(0)),
});

/** The parsed, frozen configuration of the orders service. */
export type OrdersConfig = z.infer<typeof ordersEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(ordersEnvSchema);
