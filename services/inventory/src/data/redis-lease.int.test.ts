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
    // Renewals every 300 ms against a 1.5 s TTL: a loaded CI machine may delay a renewal by a
    // second without the lease running out, and five renewals outlast the TTL.
    const a = lease('ttl', 'a', 1500);
    const b = lease('ttl', 'b', 1500);
    expect(await a.hold()).toBe(true);
    for (let i = 0; i < 6; i++) {
      await sleep(300);
      expect(await a.hold()).toBe(true);
      expect(await b.hold()).toBe(false);
    }
    await sleep(1800);
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
