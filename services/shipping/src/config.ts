import { configLoader, serviceEnv } from '@oms/service-kit';
import { pgEnv } from '@oms/service-kit/pg';
import type { z } from 'zod';

/** Every variable the shipping service reads; the single place that touches `process.env`. */
export const shippingEnvSchema = serviceEnv(3006, {
  // Its own database: the event store, its outbox and projection, apart from the read model.
  ...pgEnv('shipping'),
});

/** Parsed, frozen configuration of the shipping service. */
export type ShippingConfig = z.infer<typeof shippingEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(shippingEnvSchema);
