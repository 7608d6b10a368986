import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createLogger } from '@oms/service-kit';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../data/redis.js';

/**
 * The Redis the integration tests use: OMS_TEST_REDIS_URL, or the runtime's default port. Each
 * test works under its own key prefix ({@link uniquePrefix}), so runs never collide and the
 * demo's `inventory:` keys are never touched.
 */
export function testRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.OMS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A key prefix no other test (or run) uses. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomUUID().slice(0, 8)}:`;
}

export const silentLogger = createLogger('inventory-test', 'silent');

/** A client made like the service's, once it is connected; a clear failure when Redis is not there. */
export async function connectTestRedis(url = testRedisUrl()): Promise<Redis> {
  const redis = createRedisClient(url, silentLogger);
  try {
    await Promise.race([
      once(redis, 'ready'),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no Redis answers at ${url} (set OMS_TEST_REDIS_URL)`)), 5000).unref()),
    ]);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return redis;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
