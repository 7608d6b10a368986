import { once } from 'node:events';
import { Redis } from 'ioredis';
import { DependencyUnavailableError, type Logger } from '@oms/service-kit';

/**
 * A client for a service that answers HTTP requests: a command fails at once while the
 * connection is down (no offline queue) and never waits more than `commandTimeoutMs`, so a
 * request gets a 503 rather than hanging. ioredis keeps reconnecting in the background, and it
 * resends commands that were in flight when a connection dropped: safe, because every script
 * here is idempotent.
 */
export function createRedisClient(url: string, logger: Logger, { commandTimeoutMs = 5000 } = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Without a listener ioredis prints every reconnect failure as an unhandled error event.
  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message === lastError) return;
    lastError = err.message;
    logger.warn({ err: err.message }, 'redis connection error');
  });
  redis.on('ready', () => {
    if (lastError) logger.info('redis connection restored');
    lastError = '';
  });
  return redis;
}

/**
 * Resolves once `redis` is connected, or rejects with why the next connection attempt failed
 * (ECONNREFUSED): a start-up wait sees the real cause, not "stream isn't writeable" from a
 * command sent before the connection was up.
 */
export async function whenConnected(redis: Redis, signal?: AbortSignal): Promise<void> {
  if (redis.status === 'ready') return;
  // `once` rejects when the client emits 'error' first.
  await once(redis, 'ready', signal ? { signal } : {});
}

/** A Lua script bound to a client: `run(keys, args)` sends EVALSHA, falling back to EVAL once per connection. */
export type ScriptRunner = (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<unknown>;

/**
 * Registers `lua` with ioredis' script support (EVALSHA with an EVAL fallback on NOSCRIPT, so a
 * restarted Redis reloads it by itself). The number of keys is given per call because a
 * reservation touches one stock key per line.
 */
export function defineScript(redis: Redis, name: string, lua: string): ScriptRunner {
  redis.defineCommand(name, { lua });
  const command = (redis as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>)[name];
  if (typeof command !== 'function') throw new Error(`ioredis did not define the script command ${name}`);
  return (keys, args) => command.call(redis, keys.length, ...keys, ...args);
}

// Replies that mean "Redis cannot serve right now" rather than "this command is wrong".
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM)\b/;

/**
 * Runs a Redis call, turning "Redis is not there" (connection down, timeout, still loading its
 * AOF) into a {@link DependencyUnavailableError}. Any other error reply is a bug and rethrown.
 */
export async function guardRedis<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    if (err.name === 'ReplyError' && !TRANSIENT_REPLY.test(err.message)) throw err;
    throw new DependencyUnavailableError('redis', err.message);
  }
}
