import { envLogLevel, envPort, envStartTimeout, loadEnv } from '@oms/service-kit';
import { mysqlEnv } from '@oms/service-kit/mysql';
import { z } from 'zod';

/**
 * Every environment variable the customers service reads, with its default. This is the
 * only place `process.env` is consulted.
 */
export const customersEnvSchema = z.object({
  PORT: envPort(3001),
  HOST: z.string().min(1).default('127.0.0.1'),
  ...mysqlEnv('customers'),
  LOG_LEVEL: envLogLevel(),
  START_TIMEOUT_MS: envStartTimeout(),
});

/** The parsed, frozen configuration of the customers service. */
export type CustomersConfig = z.infer<typeof customersEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): CustomersConfig {
  return loadEnv(customersEnvSchema, env);
}
