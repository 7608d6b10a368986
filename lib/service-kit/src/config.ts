import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's config schema; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses `env` (normally `process.env`) against a zod object schema whose keys are the
 * variable names. Fails fast, naming every missing or malformed variable in one error.
 */
export function loadEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return Object.freeze(result.data) as z.infer<S>;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.');
    return env[key] === undefined ? `${key} is required` : `${key}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** Env helpers: ports and integers arrive as strings. */
export const envPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const envInt = (fallback: number) => z.coerce.number().int().default(fallback);
/** pino's levels; every service takes LOG_LEVEL from this list. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const envLogLevel = () => z.enum(LOG_LEVELS).default('info');

/** Default of START_TIMEOUT_MS: how long a service waits for its dependencies at start. */
export const DEFAULT_START_TIMEOUT_MS = 180_000;
/** START_TIMEOUT_MS, read by every service (the CLI passes `OMS_START_TIMEOUT` × 1000). */
export const envStartTimeout = () => z.coerce.number().int().min(1).default(DEFAULT_START_TIMEOUT_MS);

/** PORT and HOST of a service that listens on `port` by default, on 127.0.0.1 unless told otherwise. */
export const listenEnv = (port: number) => ({ PORT: envPort(port), HOST: z.string().min(1).default('127.0.0.1') });
/** LOG_LEVEL and START_TIMEOUT_MS: what every service reads besides its own variables. */
export const runEnv = () => ({ LOG_LEVEL: envLogLevel(), START_TIMEOUT_MS: envStartTimeout() });

/**
 * The `loadConfig` of a service: parses `env` (normally `process.env`) against its schema and
 * throws a ConfigError naming every bad variable at once.
 */
export function configLoader<S extends z.ZodObject>(schema: S): (env?: Record<string, string | undefined>) => z.infer<S> {
  return (env = process.env) => loadEnv(schema, env);
}

const BROKER = '[^\\s,:]+:\\d{1,5}';
/** `host:port[,host:port…]`, the form the CLI passes, parsed into a trimmed list. */
export const envBrokers = (fallback = '127.0.0.1:9092') =>
  z
    .string()
    .regex(new RegExp(`^\\s*${BROKER}\\s*(,\\s*${BROKER}\\s*)*$`), 'must be host:port[,host:port...]')
    .default(fallback)
    .transform((s) => s.split(',').map((b) => b.trim()));

/** An http(s) base URL of another service; trailing slashes are dropped so paths append cleanly. */
export const envServiceUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/ })
    .default(fallback)
    .transform((url) => url.replace(/\/+$/, ''));

/** A Kafka topic name (the broker's own rule: 1–249 of letters, digits, `.`, `_`, `-`). */
export const envTopic = (fallback: string) =>
  z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name')
    .default(fallback);

/** `z.coerce.boolean()` would read "false" as true; this accepts the usual spellings only. */
export const envBool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);

/**
 * A service's environment schema: PORT and HOST (listening on `port` by default), its own
 * variables, then LOG_LEVEL and START_TIMEOUT_MS, which every service reads.
 */
export function serviceEnv<T extends z.ZodRawShape>(port: number, own: T) {
  return z.object({ ...listenEnv(port), ...own, ...runEnv() });
}
