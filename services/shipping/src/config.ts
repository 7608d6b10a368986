import { envLogLevel, envPort, loadEnv } from '@oms/service-kit';
import { z } from 'zod';

/** Every variable the shipping service reads; the single place that touches `process.env`. */
export const shippingEnvSchema = z.object({
  PORT: envPort(3006),
  HOST: z.string().min(1).default('127.0.0.1'),
  PG_HOST: z.string().min(1).default('127.0.0.1'),
  PG_PORT: envPort(5432),
  PG_USER: z.string().min(1).default('oms'),
  PG_PASSWORD: z.string().default('oms'),
  // Its own database: the event store, its outbox and projection, apart from the read model.
  PG_DATABASE: z.string().min(1).max(63).default('shipping'),
  LOG_LEVEL: envLogLevel(),
});

/** Parsed, frozen configuration of the shipping service. */
export type ShippingConfig = z.infer<typeof shippingEnvSchema>;

/** Reads and validates the environment; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ShippingConfig {
  return loadEnv(shippingEnvSchema, env);
}
