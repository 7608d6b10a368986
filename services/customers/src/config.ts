import { envPort, loadEnv } from '@oms/service-kit';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every environment variable the customers service reads, with its default. This is the
 * only place `process.env` is consulted.
 */
export const customersEnvSchema = z.object({
  PORT: envPort(3001),
  HOST: z.string().min(1).default('127.0.0.1'),
  MYSQL_HOST: z.string().min(1).default('127.0.0.1'),
  MYSQL_PORT: envPort(3306),
  MYSQL_USER: z.string().min(1).default('oms'),
  MYSQL_PASSWORD: z.string().default('oms'),
  // The database name becomes an identifier in CREATE DATABASE, so keep it to a safe alphabet.
  MYSQL_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and underscores only')
    .default('customers'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

/** The parsed, frozen configuration of the customers service. */
export type CustomersConfig = z.infer<typeof customersEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): CustomersConfig {
  return loadEnv(customersEnvSchema, env);
}
