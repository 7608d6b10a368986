/**
 * The outbox publisher against the real Redis and the real Kafka: its own topic (3 partitions,
 * compacted, like `inventory`), its own key prefix and transactional ids, so nothing touches the
 * demo's `inventory` topic or keys.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { RedisInventoryStore } from '../data/redis-inventory-store.js';
import { RedisLease } from '../data/redis-lease.js';
import { RedisOutbox } from '../data/redis-outbox.js';
import { changeRecordSchema, type ChangeRecord } from '../domain/inventory.js';
import { startOutboxPublisher, type OutboxPublisher } from '../domain/outbox-publisher.js';
import { connectTestRedis, deleteKeys, silentLogger, uniquePrefix } from '../test-support/redis.js';
import { KafkaChangeSink } from './change-sink.js';

const infra = testInfra();
const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const TOPIC = `inventory-publisher-test-${run}`;
const HOUR = 3_600_000;

const redisClients: Redis[] = [];
const prefixes: string[] = [];
const sinks: KafkaChangeSink[] = [];
const publishers: OutboxPublisher[] = [];
const consumers: Consumer[] = [];
const groups: string[] = [];
let kafka: Kafka;
let admin: Admin;

async function redisClient(): Promise<Redis> {
  const client = await connectTestRedis();
  redisClients.push(client);
  return client;
}

function sink(transactionalId: string): KafkaChangeSink {
  const created = new KafkaChangeSink({ brokers: infra.kafkaBrokers, topic: TOPIC, transactionalId, logger: silentLogger, clientId: `inventory-test-${run}` });
  sinks.push(created);
  return created;
}

/**
 * Every committed record on the topic (kafkajs reads committed only), per partition in offset
 * order, read by a fresh group until `done` holds or the time is up.
 */
async function readTopic(done: (records: Array<ChangeRecord & { partition: number }>) => boolean, timeoutMs = 20_000): Promise<Array<ChangeRecord & { partition: number }>> {
  const groupId = `inventory-test-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  groups.push(groupId);
  const records: Array<ChangeRecord & { partition: number }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const record = changeRecordSchema.parse(JSON.parse(message.value!.toString()));
      expect(message.key?.toString()).toBe(record.sku);
      records.push({ ...record, partition });
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (!done(records) && Date.now() < deadline) await sleep(100);
  await consumer.disconnect();
  return records;
}

const record = (sku: string, version: number): ChangeRecord => ({ sku, onHand: version, reserved: 0, available: version, version, at: new Date().toISOString(), cause: 'restock' });

beforeAll(async () => {
  kafka = new Kafka({ clientId: `inventory-test-${run}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, retry: { retries: 2 } });
  admin = kafka.admin();
  await admin.connect().catch((err: unknown) => {
    throw new Error(`Kafka at ${infra.kafkaBrokers.join(',')} is unreachable; start the test infrastructure`, { cause: err });
  });
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
});

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await Promise.all(sinks.map((s) => s.close().catch(() => undefined)));
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  if (admin) {
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics: [TOPIC] }).catch(() => undefined);
    await admin.disconnect();
  }
  for (const prefix of prefixes) if (redisClients[0]) await deleteKeys(redisClients[0], prefix);
  for (const client of redisClients) client.disconnect();
});

describe('KafkaChangeSink', () => {
  it('when a batch is published, then each record is on the topic keyed by its SKU, one SKU in one partition, in order', async () => {
    const s = sink(`inventory-test-sink-${run}`);
    await s.open();
    const batch = [record('SINK-A', 1), record('SINK-B', 1), record('SINK-A', 2), record('SINK-A', 3)];
    await s.publish(batch);
    const seen = (await readTopic((r) => r.filter((x) => x.sku.startsWith('SINK-')).length >= 4)).filter((x) => x.sku.startsWith('SINK-'));
    expect(seen.map((r) => `${r.sku}@${r.version}`).sort()).toEqual(['SINK-A@1', 'SINK-A@2', 'SINK-A@3', 'SINK-B@1']);
    const a = seen.filter((r) => r.sku === 'SINK-A');
    expect(new Set(a.map((r) => r.partition)).size).toBe(1);
    expect(a.map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('when another sink claims the same transactional id, then the first one can no longer publish and none of its records become visible', async () => {
    const id = `inventory-test-fence-${run}`;
    const stale = sink(id);
    await stale.open();
    const successor = sink(id);
    await successor.open();
    await expect(stale.publish([record('FENCED', 1)])).rejects.toThrow();
    expect(stale.isOpen).toBe(false);
    await successor.publish([record('FENCE-OK', 1)]);
    const seen = await readTopic((r) => r.some((x) => x.sku === 'FENCE-OK'));
    expect(seen.some((x) => x.sku === 'FENCE-OK')).toBe(true);
    expect(seen.some((x) => x.sku === 'FENCED')).toBe(false);
  });
});

describe('outbox publisher on Redis and Kafka', () => {
  it('when two instances run, then one publishes every change in order and the outbox empties; when it stops, the other takes over', async () => {
    const prefix = uniquePrefix('publish');
    prefixes.push(prefix);
    const redis = await redisClient();
    const store = new RedisInventoryStore(redis, { prefix });
    const transactionalId = `inventory-test-publisher-${run}`;
    const instance = async (owner: string) => {
      const own = await redisClient();
      const publisher = startOutboxPublisher({
        outbox: new RedisOutbox(own, store.keys.outbox),
        lease: new RedisLease(own, { key: store.keys.outboxLease, owner, ttlMs: 5_000 }),
        sink: sink(transactionalId),
        logger: silentLogger,
        waitMs: 200,
        retryMs: 200,
      });
      publishers.push(publisher);
      return publisher;
    };
    const outbox = new RedisOutbox(redis, store.keys.outbox);

    // Changes made before and while the publishers run: restocks, reservations, confirms, a release.
    for (const sku of ['P-A', 'P-B', 'P-C']) await store.restock(sku, 100);
    const first = await instance('first');
    const second = await instance('second');
    const orders = Array.from({ length: 30 }, () => randomUUID());
    for (const [i, orderId] of orders.entries()) {
      await store.reserve(orderId, [{ sku: 'P-A', quantity: 1 }, { sku: i % 2 ? 'P-B' : 'P-C', quantity: 2 }], HOUR);
      if (i % 3 === 0) await store.confirm(orderId);
      if (i % 10 === 5) await store.release(orderId);
    }
    const deadline = Date.now() + 20_000;
    while ((await outbox.length()) > 0 && Date.now() < deadline) await sleep(100);
    expect(await outbox.length()).toBe(0);

    const stats = [first.stats(), second.stats()];
    expect(stats.map((s) => s.role).sort()).toEqual(['leader', 'standby']);
    const leader = stats[0]!.role === 'leader' ? first : second;
    const standby = leader === first ? second : first;
    expect(standby.stats().published).toBe(0);

    const expectLatest = async (skus: string[]) => {
      const current = await store.stocks(skus);
      const last = (records: ChangeRecord[], sku: string) => records.filter((r) => r.sku === sku).at(-1);
      const seen = await readTopic((records) => current.every((s) => last(records, s!.sku)?.onHand === s!.onHand && last(records, s!.sku)?.reserved === s!.reserved));
      for (const sku of skus) {
        const versions = seen.filter((r) => r.sku === sku).map((r) => r.version);
        // every change once, in the order it happened (no failure, so no republished batch)
        expect(versions, sku).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
        expect(last(seen, sku), sku).toMatchObject({ onHand: current.find((s) => s!.sku === sku)!.onHand, reserved: current.find((s) => s!.sku === sku)!.reserved });
      }
    };
    await expectLatest(['P-A', 'P-B', 'P-C']);

    // The leader stops and gives up its lease: the standby takes over and publishes what follows.
    await leader.stop();
    await store.restock('P-A', 500);
    const takeover = Date.now() + 10_000;
    while ((await outbox.length()) > 0 && Date.now() < takeover) await sleep(100);
    expect(await outbox.length()).toBe(0);
    expect(standby.stats()).toMatchObject({ role: 'leader', published: 1 });
    await expectLatest(['P-A']);
  });
});
