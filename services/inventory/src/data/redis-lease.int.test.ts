import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestRedis, deleteKeys, uniquePrefix } from '../test-support/redis.js';
import { RedisLease } from './redis-lease.js';

const prefix = uniquePrefix('lease');
let redis: Redis;

beforeAll(async () => {
  redis = await connectTestRedis();
});

afterAll(async () => {
  if (redis) {
    await deleteKeys(redis, prefix);
    await redis.quit();
  }
});

const lease = (name: string, owner: string, ttlMs = 60_000) => new RedisLease(redis, { key: `${prefix}${name}`, owner, ttlMs });

describe('RedisLease', () => {
  it('when several instances race for a free lease, then exactly one holds it, and keeps it on renewal', async () => {
    const contenders = Array.from({ length: 20 }, (_, i) => lease('race', `owner-${i}`));
    const held = await Promise.all(contenders.map((c) => c.hold()));
    expect(held.filter(Boolean)).toHaveLength(1);
    const winner = contenders[held.indexOf(true)]!;
    expect(await winner.hold()).toBe(true);
    expect((await Promise.all(contenders.filter((c) => c !== winner).map((c) => c.hold()))).some(Boolean)).toBe(false);
  });

  it('when the holder renews, then the lease does not run out; when it stops renewing, then another instance takes it after the TTL', async () => {
    const a = lease('ttl', 'a', 300);
    const b = lease('ttl', 'b', 300);
    expect(await a.hold()).toBe(true);
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      expect(await a.hold()).toBe(true);
      expect(await b.hold()).toBe(false);
    }
    await sleep(400);
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false);
  });

  it('when the holder releases, then another takes it at once; a release by a non-holder changes nothing', async () => {
    const a = lease('release', 'a');
    const b = lease('release', 'b');
    expect(await a.hold()).toBe(true);
    await b.release();
    expect(await b.hold()).toBe(false);
    await a.release();
    expect(await b.hold()).toBe(true);
  });
});
