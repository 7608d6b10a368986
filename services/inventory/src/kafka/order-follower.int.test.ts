/**
 * The order follower against the real Kafka and the real Redis: its own `order`-like topic (3
 * partitions, Debezium's row shape and key), its own group and key prefix, so nothing touches
 * the demo's topics or keys. Redis is reached through a TCP relay the test can cut.
 */
import { randomUUID } from 'node:crypto';
import { eventually, tcpForwarder, topicTestBed, type TcpForwarder, type TopicTestBed } from '@oms/service-kit/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { RedisInventoryStore } from '../data/redis-inventory-store.js';
import { Inventory } from '../domain/inventory-service.js';
import { FakeCatalogue } from '../test-support/fake-catalogue.js';
import { snapshot, violations } from '../test-support/invariants.js';
import { connectTestRedis, deleteKeys, silentLogger, testRedisUrl, uniquePrefix } from '../test-support/redis.js';
import { OrderFollower } from './order-follower.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const infra = testInfra();
const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const TOPIC = `inventory-orders-test-${run}`;
const GROUP = `inventory-orders-test-${run}`;
const prefix = uniquePrefix('follower');
const HOUR = 3_600_000;

let bed: TopicTestBed;
let relay: TcpForwarder;
let redis: Redis;
/** A client that does not go through the relay: it sees Redis while the follower does not. */
let direct: Redis;
let store: RedisInventoryStore;
let inventory: Inventory;
let follower: OrderFollower;

/** The record Debezium publishes for a row of `orders.order`. */
function orderRecord(orderId: string, status: 'placed' | 'cancelled') {
  const at = Date.now();
  return {
    key: JSON.stringify({ order_id: orderId }),
    value: JSON.stringify({ id: orderId, customer_id: randomUUID(), line_count: 1, status, cancelled_at: status === 'cancelled' ? at : null, created_at: at, updated_at: at, __deleted: 'false' }),
  };
}

const send = (...records: Array<{ key: string; value: string | null }>) => bed.send(...records);

/** The follower's group has committed everything on the topic. */
const caughtUp = () => bed.caughtUp();

// The test reads through its own client, so its reads work while the follower's Redis is cut.
const reader = () => new Inventory({ store: new RedisInventoryStore(direct, { prefix }), catalogue: new FakeCatalogue(['A', 'B', 'C', 'D']), reservationTtlMs: HOUR });
const stateOf = async (orderId: string) => (await reader().reservation(orderId))?.state;
const stockOf = async (sku: string) => reader().stock(sku);

async function reserve(orderId: string, sku: string, quantity: number, ttlMs = HOUR): Promise<void> {
  const withTtl = new Inventory({ store, catalogue: new FakeCatalogue([]), reservationTtlMs: ttlMs });
  expect((await withTtl.reserve({ orderId, lines: [{ sku, quantity }] })).created).toBe(true);
}

beforeAll(async () => {
  bed = await topicTestBed({ brokers: infra.kafkaBrokers, topic: TOPIC, group: GROUP });

  const target = new URL(testRedisUrl());
  relay = await tcpForwarder({ host: target.hostname, port: Number(target.port || 6379) });
  await relay.start();
  redis = await connectTestRedis(`redis://127.0.0.1:${relay.port}`);
  direct = await connectTestRedis();
  store = new RedisInventoryStore(redis, { prefix });
  inventory = new Inventory({ store, catalogue: new FakeCatalogue(['A', 'B', 'C', 'D']), reservationTtlMs: HOUR });
  follower = new OrderFollower({ brokers: infra.kafkaBrokers, groupId: GROUP, topic: TOPIC, inventory, logger: silentLogger, joinTimeoutMs: 30_000, retryBackoff: { initialMs: 50, maxMs: 300 } });
  await follower.start();
});

afterAll(async () => {
  await follower?.stop();
  await bed?.close();
  redis?.disconnect();
  await relay?.stop();
  if (direct) {
    await deleteKeys(direct, prefix);
    await direct.quit();
  }
});

describe('OrderFollower', () => {
  it("when an order's row arrives, then its reservation is confirmed; when the row turns cancelled, then its stock returns", async () => {
    await inventory.restock('A', 10);
    const orderId = randomUUID();
    await reserve(orderId, 'A', 3);
    expect(await stockOf('A')).toMatchObject({ onHand: 10, reserved: 3 });

    await send(orderRecord(orderId, 'placed'));
    await eventually(() => stateOf(orderId), (state) => state === 'confirmed');
    expect(await stockOf('A')).toEqual({ sku: 'A', onHand: 7, reserved: 0, available: 7 });

    await send(orderRecord(orderId, 'cancelled'));
    await eventually(() => stateOf(orderId), (state) => state === 'released');
    expect(await stockOf('A')).toEqual({ sku: 'A', onHand: 10, reserved: 0, available: 10 });
    expect(violations(await snapshot(direct, prefix), { A: 10 })).toEqual([]);
  });

  it('when the rows are delivered again, then nothing moves twice', async () => {
    await inventory.restock('B', 5);
    const orderId = randomUUID();
    await reserve(orderId, 'B', 2);
    await send(orderRecord(orderId, 'placed'));
    await eventually(() => stateOf(orderId), (state) => state === 'confirmed');
    await caughtUp();
    const unchanged = follower.health().totals.unchanged ?? 0;

    // Debezium redelivers after a connector restart; a snapshot re-reads every row.
    await send(orderRecord(orderId, 'placed'), orderRecord(orderId, 'placed'));
    await caughtUp();
    expect(follower.health().totals.unchanged).toBe(unchanged + 2);
    expect(await stockOf('B')).toEqual({ sku: 'B', onHand: 3, reserved: 0, available: 3 });
    expect(violations(await snapshot(direct, prefix), { B: 3 })).toEqual([]);
  });

  it('when an order has no reservation, or the record is a tombstone or unreadable, then it is counted and passed over', async () => {
    const { unknown = 0, ignored = 0, invalid = 0 } = follower.health().totals;
    await send(orderRecord(randomUUID(), 'placed'), { key: JSON.stringify({ order_id: randomUUID() }), value: null }, { key: 'x', value: '{broken' });
    await caughtUp();
    expect(follower.health().totals).toMatchObject({ unknown: unknown + 1, ignored: ignored + 1, invalid: invalid + 1 });
  });

  it('when the row arrives after its reservation expired and the stock was sold, then the order is recorded oversold and counted; stock is untouched', async () => {
    await inventory.restock('C', 4);
    const late = randomUUID();
    await reserve(late, 'C', 3, 50);
    await new Promise((r) => setTimeout(r, 100));
    expect(await inventory.expireDue(100)).toContain(late);
    const other = randomUUID();
    await reserve(other, 'C', 4);
    const oversold = follower.health().totals.oversold ?? 0;

    await send(orderRecord(late, 'placed'));
    await eventually(async () => follower.health().totals.oversold, (n) => n === oversold + 1);
    expect(await inventory.oversold()).toContainEqual({ orderId: late, shortages: [{ sku: 'C', wanted: 3, available: 0 }] });
    expect(await stateOf(late)).toBe('expired');
    expect(await stockOf('C')).toEqual({ sku: 'C', onHand: 4, reserved: 4, available: 0 });
    expect(violations(await snapshot(direct, prefix), { C: 4 })).toEqual([]);
  });

  it('when Redis is down, then nothing is committed; once it is back, the changes apply and the offsets move', async () => {
    await inventory.restock('D', 6);
    const orderId = randomUUID();
    await reserve(orderId, 'D', 2);
    await caughtUp();
    const [before] = await bed.admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });

    await relay.stop();
    try {
      await send(orderRecord(orderId, 'placed'));
      await eventually(async () => follower.health().retrying?.attempt ?? 0, (attempt) => attempt >= 2);
      const [during] = await bed.admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      expect(during).toEqual(before);
      expect(follower.ready).toBe(true);
    } finally {
      await relay.start();
    }
    await eventually(() => stateOf(orderId), (state) => state === 'confirmed');
    await caughtUp();
    expect(follower.health().retrying).toBeNull();
    expect(await stockOf('D')).toEqual({ sku: 'D', onHand: 4, reserved: 0, available: 4 });
  });
});
