import { listenEnv, loadEnv, runEnv } from '@oms/service-kit';
import { mysqlEnv } from '@oms/service-kit/mysql';
import { z } from 'zod';

/**
 * Every environment variable the customers service reads, with its default. This is the
 * only place `process.env` is consulted.
 */
export const customersEnvSchema = z.object({
  ...listenEnv(3001),
  ...mysqlEnv('customers'),
  ...runEnv(),
});

/** The parsed, frozen configuration of the customers service. */
export type CustomersConfig = z.infer<typeof customersEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): CustomersConfig {
  return loadEnv(customersEnvSchema, env);
}
