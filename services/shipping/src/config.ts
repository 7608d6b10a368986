import { listenEnv, loadEnv, runEnv } from '@oms/service-kit';
import { pgEnv } from '@oms/service-kit/pg';
import { z } from 'zod';

/** Every variable the shipping service reads; the single place that touches `process.env`. */
export const shippingEnvSchema = z.object({
  ...listenEnv(3006),
  // Its own database: the event store, its outbox and projection, apart from the read model.
  ...pgEnv('shipping'),
  ...runEnv(),
});

/** Parsed, frozen configuration of the shipping service. */
export type ShippingConfig = z.infer<typeof shippingEnvSchema>;

/** Reads and validates the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ShippingConfig {
  return loadEnv(shippingEnvSchema, env);
}
