import { configLoader, serviceEnv } from '@oms/service-kit';
import { mysqlEnv } from '@oms/service-kit/mysql';
import type { z } from 'zod';

/**
 * Every environment variable the customers service reads, with its default. This is the
 * only place `process.env` is consulted.
 */
export const customersEnvSchema = serviceEnv(3001, mysqlEnv('customers'));

/** The parsed, frozen configuration of the customers service. */
export type CustomersConfig = z.infer<typeof customersEnvSchema>;

/** Reads the configuration; throws a ConfigError naming every bad variable at once. */
export const loadConfig = configLoader(customersEnvSchema);
