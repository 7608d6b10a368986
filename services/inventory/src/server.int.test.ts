import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtEntry, freePort, startServiceProcess, startWithLateDependency, waitForHealth, type LateDependencyRun, type ServiceProcess } from '@oms/service-kit/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { RedisInventoryStore } from './data/redis-inventory-store.js';
import { snapshot, violations } from './test-support/invariants.js';
import { connectTestRedis, deleteKeys, testRedisUrl, uniquePrefix } from './test-support/redis.js';

// The real service binary (dist/server.js from `npx tsc -b`), killed with SIGKILL mid-run.
const SERVER = builtEntry(new URL('../dist/server.js', import.meta.url));
const LINES = [
  { sku: 'K-A', quantity: 1 },
  { sku: 'K-B', quantity: 2 },
  { sku: 'K-C', quantity: 3 },
];
const services: ServiceProcess[] = [];
const prefixes: string[] = [];
let late: LateDependencyRun | undefined;
let redis: Redis;

beforeAll(async () => {
  redis = await connectTestRedis();
});

afterAll(async () => {
  for (const service of services) service.kill();
  await late?.stop();
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  await redis?.quit();
});

/** What every started service gets: the test Redis, and no products or topic to reach. */
async function baseEnv(): Promise<Record<string, string>> {
  return {
    REDIS_URL: testRedisUrl(),
    // Restocks are not exercised here; nothing listens there.
    PRODUCTS_URL: `http://127.0.0.1:${await freePort()}`,
    // A topic that does not exist: the publisher keeps the changes in the outbox (deleted with
    // the test's keys) instead of writing test SKUs to a real topic.
    KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
    INVENTORY_TOPIC: `inventory-test-absent-${randomUUID()}`,
    // Likewise for the order follower: never the demo's `order` topic or the inventory's group.
    ORDER_TOPIC: `order-test-absent-${randomUUID()}`,
    ORDERS_GROUP_ID: `inventory-orders-test-${randomUUID()}`,
    LOG_LEVEL: 'warn',
  };
}

/** Starts dist/server.js on a free port and waits for /health 200. */
async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await startServiceProcess(SERVER, { ...(await baseEnv()), ...env });
  services.push(service);
  await waitForHealth(service, (answer) => answer.status === 200);
  return service;
}

async function reserve(url: string, orderId: string): Promise<number> {
  const res = await fetch(`${url}/reservations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId, lines: LINES }) });
  await res.arrayBuffer();
  return res.status;
}

describe('inventory process', () => {
  it('when the process is killed with SIGKILL amid reservations, then none is half-applied, every acknowledged one is kept, and retries after a restart are idempotent', async () => {
    const prefix = uniquePrefix('kill');
    prefixes.push(prefix);
    const store = new RedisInventoryStore(redis, { prefix });
    for (const { sku } of LINES) await store.restock(sku, 100_000);
    const env = { REDIS_KEY_PREFIX: prefix, RESERVATION_TTL_MS: '3600000' };
    const first = await startService(env);

    // 16 clients reserve 3-line orders back to back and keep going until the process is gone:
    // it is killed once 100 were acknowledged, so requests are in flight when it dies.
    const orderIds = Array.from({ length: 2000 }, () => randomUUID());
    const acknowledged = new Set<string>();
    const failed: string[] = [];
    let next = 0;
    let gone = false;
    const exited = once(first.child, 'exit').then(() => {
      gone = true;
    });
    const client = async () => {
      while (next < orderIds.length && !gone) {
        const orderId = orderIds[next++]!;
        try {
          const status = await reserve(first.url, orderId);
          if (status === 201) acknowledged.add(orderId);
          else failed.push(`${orderId}: ${status}`);
        } catch {
          failed.push(orderId);
        }
        if (acknowledged.size >= 100 && first.child.signalCode === null) first.child.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 16 }, client));
    await exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(next).toBeLessThan(orderIds.length);
    // The kill cut requests off, and no request got anything but a 201 before it.
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.filter((entry) => entry.includes(':'))).toEqual([]);

    const afterKill = await snapshot(redis, prefix);
    expect(violations(afterKill, { 'K-A': 100_000, 'K-B': 100_000, 'K-C': 100_000 })).toEqual([]);
    const stored = new Set(afterKill.reservations.map((r) => r.orderId));
    for (const orderId of acknowledged) expect(stored.has(orderId)).toBe(true);
    expect(afterKill.reservations.every((r) => r.state === 'pending' && r.lines.length === 3)).toBe(true);

    // A restarted service answers every retry: what was applied before the kill comes back as
    // the same reservation (200), what was not is reserved now (201).
    const second = await startService(env);
    const sent = orderIds.slice(0, next);
    const statuses = await Promise.all(sent.map((orderId) => reserve(second.url, orderId)));
    const replayed = sent.filter((_, i) => statuses[i] === 200);
    expect(statuses.every((status) => status === 200 || status === 201)).toBe(true);
    expect(new Set(replayed)).toEqual(stored);

    const final = await snapshot(redis, prefix);
    expect(violations(final)).toEqual([]);
    expect(final.reservations).toHaveLength(sent.length);
    expect(final.stock.get('K-C')).toMatchObject({ onHand: 100_000, reserved: 3 * sent.length });

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);
  });

  it('when a reservation outlives RESERVATION_TTL_MS, then the running service expires it and its stock returns', async () => {
    const prefix = uniquePrefix('sweep');
    prefixes.push(prefix);
    const store = new RedisInventoryStore(redis, { prefix });
    for (const { sku } of LINES) await store.restock(sku, 10);
    const { url, child } = await startService({ REDIS_KEY_PREFIX: prefix, RESERVATION_TTL_MS: '1000', SWEEP_INTERVAL_MS: '50' });
    const orderId = randomUUID();
    expect(await reserve(url, orderId)).toBe(201);
    expect((await store.stocks(['K-C']))[0]).toMatchObject({ reserved: 3, available: 7 });

    const deadline = Date.now() + 10_000;
    let state = 'pending';
    while (state === 'pending' && Date.now() < deadline) {
      await sleep(100);
      state = ((await (await fetch(`${url}/reservations/${orderId}`)).json()) as { state: string }).state;
    }
    expect(state).toBe('expired');
    expect((await store.stocks(['K-C']))[0]).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    expect(violations(await snapshot(redis, prefix))).toEqual([]);
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  it('when Redis is down at start, then /health is 503 naming it until Redis comes up, then the service is ready by itself', async () => {
    const at = new URL(testRedisUrl());
    const env = await baseEnv();
    late = await startWithLateDependency({
      entry: SERVER,
      dependency: { host: at.hostname, port: Number(at.port || 6379) },
      env: (port) => ({ ...env, REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: uniquePrefix('late'), LOG_LEVEL: 'info' }),
    });
    expect(late.whileDown.body).toMatchObject({ status: 'starting', waitingFor: ['redis'], checks: { redis: { ok: false, waiting: true } } });
    expect(late.ready.body).toEqual({ status: 'ok', checks: { redis: { ok: true } } });
    expect(late.service.output()).toMatch(/"msg":"waiting for redis \(Redis at redis:\/\/127\.0\.0\.1:\d+\)/);
    late.service.child.kill('SIGTERM');
    expect(await late.service.exited()).toBe(0);
  }, 90_000);
});
